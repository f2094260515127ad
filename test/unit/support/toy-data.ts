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
