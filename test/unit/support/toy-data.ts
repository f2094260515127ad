import { datasetFromRows, type Dataset } from "../../../kernel/engine/datasets/dataset";

/** 12 deterministic 2-D samples labelled by the sign of x1·x2: small, non-separable by one line. */
export function toyDataset(): Dataset {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 12; i++) {
    const a = Math.sin(i * 0.7) * 1.5;
    const b = Math.cos(i * 1.3);
    xs.push([a, b]);
    ys.push([a * b > 0 ? 1 : 0]);
  }
  return datasetFromRows("toy", xs, ys);
}

/**
 * `count` deterministic 2-D samples labelled by the quadrant sign of x1·x2: one target (1 when
 * x1·x2 > 0) or, `oneHot`, two (the classes [1, 0] and [0, 1], for a softmax output).
 */
export function quadrants(count = 24, oneHot = false): Dataset {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < count; i++) {
    const a = Math.sin(i * 0.7);
    const b = Math.cos(i * 1.3);
    xs.push([a, b]);
    const positive = a * b > 0;
    ys.push(oneHot ? (positive ? [1, 0] : [0, 1]) : [positive ? 1 : 0]);
  }
  return datasetFromRows("quadrants", xs, ys);
}
