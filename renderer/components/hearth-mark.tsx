/** Hearth's mark: a small flame in a rounded square, drawn inline so it needs no request. */
export function HearthMark({ size = 28 }: { size?: number }) {
  return (
    <svg className="hearth-mark" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" className="hearth-mark-tile" />
      <path
        className="hearth-mark-flame"
        d="M16 5c1.2 3.6 5.8 6.4 5.8 12.1A5.8 5.8 0 0 1 16 23a5.8 5.8 0 0 1-5.8-5.9c0-2.6 1.3-4.5 2.7-5.9.2 1.9 1 3 2.2 3.6C14.6 11.6 15.3 8 16 5Z"
      />
      <rect x="8" y="25" width="16" height="2.2" rx="1.1" className="hearth-mark-hearth" />
    </svg>
  );
}
