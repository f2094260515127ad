/** A number for display: 4 significant digits, exact integers as they are (same rule as the kernel's text fallbacks). */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return "–";
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}
