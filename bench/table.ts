/** A plain-text table: the first column left-aligned, the rest right-aligned, two spaces between. */

/** Formats `rows` under `header` as aligned lines, each indented by `indent`. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]) =>
    indent +
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A number with `digits` decimals, or '—' when it is missing. */
export function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A ratio as `0.97×`, or '—'. */
export function times(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`;
}

/** Bytes as whole MiB, or '—'. */
export function mib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '—' : (bytes / 1024 ** 2).toFixed(0);
}
