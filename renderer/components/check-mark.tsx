/** A check or a cross that says which in words to a screen reader as well. */

/** A small drawn mark: a check when `on`, a cross otherwise; `label` is read instead of the shape. */
export function CheckMark({ on, label }: { on: boolean; label?: string }) {
  return (
    <span className={`check-mark ${on ? 'check-on' : 'check-off'}`}>
      <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        {on ? <path d="M3.5 8.5l3 3 6-7" /> : <path d="M4.5 4.5l7 7m0-7l-7 7" />}
      </svg>
      <span className="visually-hidden">{label ?? (on ? 'on' : 'off')}</span>
    </span>
  );
}
