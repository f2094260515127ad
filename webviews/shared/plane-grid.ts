/**
 * The input plane of a 2-input network as the decision boundary samples it: its bounds (from the data
 * points) and the centres of an n × n grid of cells. Pure arithmetic (no DOM): the renderer
 * (webviews/renderers/network/boundary.ts) and the kernel's SVG fallback sample the same points.
 */
import type { PlanePoints, PointSet } from "../../kernel/runtime/display/plane";

/** Cells per side of the decision surface and of a neuron's heatmap. */
export const GRID = 40;
export const MINI = 10;

export interface Bounds {
  readonly x1: readonly [number, number];
  readonly x2: readonly [number, number];
}

/** The plane shown: the points' extent padded by 10% (at least ±0.5 around a single value), else [−1, 1]². */
export function planeBounds(plane: PlanePoints | undefined): Bounds {
  const sets = plane ? [plane.train, ...(plane.test ? [plane.test] : [])] : [];
  const extent = (pick: (p: PointSet) => readonly number[]): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of sets) for (const v of pick(p)) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    if (lo > hi) return [-1, 1];
    const pad = Math.max((hi - lo) * 0.1, hi === lo ? 0.5 : 0);
    return [lo - pad, hi + pad];
  };
  return { x1: extent((p) => p.x1), x2: extent((p) => p.x2) };
}

/** Centre of cell (i, j) of an n × n grid: i left to right along x1, j top to bottom along x2 (high to low). */
export function cellCentre(b: Bounds, n: number, i: number, j: number): [number, number] {
  return [b.x1[0] + ((i + 0.5) * (b.x1[1] - b.x1[0])) / n, b.x2[1] - ((j + 0.5) * (b.x2[1] - b.x2[0])) / n];
}

