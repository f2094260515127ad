import { fmt } from "../../shared/format";

/** A number for prose: a true minus sign (U+2212), so "a − b" never reads as a double sign. */
export const signed = (text: string) => text.replace(/^-/, "−");

/**
 * The audit's check line `Before − Adj = Before − Adj computed`: a negative Adj in parentheses
 * (`6.999 − (−8.452e-5)`), and Before and its result with as many significant digits as it takes to
 * tell them apart (a small step on a large weight looks like no change at 4 digits).
 */
export function checkLine(before: number, adjustment: number): string {
  const after = before - adjustment;
  let digits = 4;
  while (digits < 17 && before !== after && fmt(before, digits) === fmt(after, digits)) digits++;
  const adj = adjustment < 0 ? `(${signed(fmt(adjustment))})` : fmt(adjustment);
  return `Before − Adj = ${signed(fmt(before, digits))} − ${adj} = ${signed(fmt(after, digits))}`;
}
