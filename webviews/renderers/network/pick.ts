/**
 * Which weight the pointer means: the drawn line nearest to it (a line is 0.75–4.5 px wide and crossing
 * lines cover each other, so hitting only what is painted under the pointer misses thin lines and
 * picks the top one at a crossing). Within `reach` px of a line; ties go to the line drawn last.
 */
export interface Segment {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Pointer within this many px of a line picks it (about a fingertip at normal zoom). */
export const PICK_REACH = 8;

/** Distance from (px, py) to the segment. */
export function distanceToSegment(px: number, py: number, s: Segment): number {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const len2 = dx * dx + dy * dy;
  const u = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - s.x1) * dx + (py - s.y1) * dy) / len2));
  return Math.hypot(px - (s.x1 + u * dx), py - (s.y1 + u * dy));
}

/** The segment nearest to (px, py) within `reach`, or null. */
export function nearestSegment<S extends Segment>(px: number, py: number, segments: readonly S[], reach = PICK_REACH): S | null {
  let best: S | null = null;
  let bestD = reach;
  for (const s of segments) {
    const d = distanceToSegment(px, py, s);
    if (d <= bestD) {
      best = s;
      bestD = d;
    }
  }
  return best;
}
