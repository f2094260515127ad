/** Global optimizer state values as text that round-trips every double, including NaN, ±Infinity and −0. */
export function floatText(v: number): string {
  return Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : Object.is(v, -0) ? "-0" : String(v);
}

export function parseFloatText(s: string): number {
  return s === "-0" ? -0 : Number(s);
}
