import type { Dataset } from "./datasets/dataset";

/**
 * Scalers: per-column affine maps fitted on a dataset, x′ = (x − shift) / scale.
 * - none:   shift 0, scale 1.
 * - minmax: shift = min, scale = max − min → x′ ∈ [0, 1] on the fitted data.
 * - zscore: shift = mean, scale = population standard deviation √(Σ(x − mean)² / n) (numpy's std,
 *           sklearn's StandardScaler).
 * A constant column (max = min, std = 0) gets scale 1, so it maps to 0 instead of dividing by zero.
 * The inverse x = x′ · scale + shift reports predictions in the target's original units.
 */
export type ScalerKind = "none" | "minmax" | "zscore";

export const scalerKinds: readonly ScalerKind[] = ["none", "minmax", "zscore"];

export const scalerFormulas: Readonly<Record<ScalerKind, string>> = {
  none: "x′ = x",
  minmax: "x′ = (x − min) / (max − min)   (max = min → x′ = x − min)",
  zscore: "x′ = (x − μ) / σ, σ = √(Σ(x − μ)² / n)   (σ = 0 → x′ = x − μ)",
};

/** The fitted parameters of one scaler, as stored in JSON. */
export interface ScalerJSON {
  readonly kind: ScalerKind;
  readonly shift: readonly number[];
  readonly scale: readonly number[];
}

/** A fitted per-column scaler for vectors of `width` values. */
export class Scaler {
  private constructor(
    readonly kind: ScalerKind,
    readonly shift: Float64Array,
    readonly scale: Float64Array,
  ) {}

  get width(): number {
    return this.shift.length;
  }

  /** Fits `kind` on `count` rows of `width` values stored row-major in `values`. */
  static fit(kind: ScalerKind, values: ArrayLike<number>, width: number, where = "scaler"): Scaler {
    if (!scalerKinds.includes(kind)) throw new RangeError(`${where}: unknown scaler '${String(kind)}' (known: ${scalerKinds.join(", ")})`);
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`${where}: width must be an integer ≥ 1, got ${width}`);
    const count = values.length / width;
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`${where}: ${values.length} values do not form rows of ${width} (need at least one row)`);
    }
    const shift = new Float64Array(width);
    const scale = new Float64Array(width).fill(1);
    if (kind === "minmax") {
      for (let k = 0; k < width; k++) {
        let min = Infinity;
        let max = -Infinity;
        for (let r = 0; r < count; r++) {
          const v = values[r * width + k]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        shift[k] = min;
        scale[k] = max > min ? max - min : 1;
      }
    } else if (kind === "zscore") {
      for (let k = 0; k < width; k++) {
        // Two passes: the mean, then the mean squared deviation (no catastrophic cancellation).
        let sum = 0;
        for (let r = 0; r < count; r++) sum += values[r * width + k]!;
        const mean = sum / count;
        let ss = 0;
        for (let r = 0; r < count; r++) {
          const d = values[r * width + k]! - mean;
          ss += d * d;
        }
        const std = Math.sqrt(ss / count);
        shift[k] = mean;
        scale[k] = std > 0 ? std : 1;
      }
    }
    for (let k = 0; k < width; k++) {
      if (!Number.isFinite(shift[k]!) || !Number.isFinite(scale[k]!)) {
        throw new RangeError(`${where}: column ${k} has non-finite values; cannot fit ${kind}`);
      }
    }
    return new Scaler(kind, shift, scale);
  }

  /** x′ = (x − shift) / scale for one vector, into `out` (a new array by default). */
  transform(x: ArrayLike<number>, out = new Float64Array(this.width)): Float64Array {
    this.checkWidth(x.length);
    for (let k = 0; k < this.width; k++) out[k] = (x[k]! - this.shift[k]!) / this.scale[k]!;
    return out;
  }

  /** x = x′ · scale + shift for one vector (e.g. a prediction back to the target's units). */
  inverse(x: ArrayLike<number>, out = new Float64Array(this.width)): Float64Array {
    this.checkWidth(x.length);
    for (let k = 0; k < this.width; k++) out[k] = x[k]! * this.scale[k]! + this.shift[k]!;
    return out;
  }

  /** Transforms every row of a row-major array; returns a new array. */
  transformRows(values: ArrayLike<number>): Float64Array {
    const w = this.width;
    if (values.length % w !== 0) throw new RangeError(`scaler: ${values.length} values do not form rows of ${w}`);
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const k = i % w;
      out[i] = (values[i]! - this.shift[k]!) / this.scale[k]!;
    }
    return out;
  }

  toJSON(): ScalerJSON {
    return { kind: this.kind, shift: Array.from(this.shift), scale: Array.from(this.scale) };
  }

  /** Rebuilds a fitted scaler; a malformed value is a RangeError naming its path. */
  static fromJSON(json: unknown, where = "scaler"): Scaler {
    const j = json as Partial<ScalerJSON> | null;
    if (!j || typeof j !== "object" || Array.isArray(j)) throw new RangeError(`${where}: expected an object`);
    if (!scalerKinds.includes(j.kind as ScalerKind)) {
      throw new RangeError(`${where}.kind: expected one of ${scalerKinds.join(", ")}, got ${JSON.stringify(j.kind)}`);
    }
    const vector = (v: unknown, field: "shift" | "scale"): Float64Array => {
      if (!Array.isArray(v) || v.length === 0) throw new RangeError(`${where}.${field}: expected a non-empty array of numbers`);
      return Float64Array.from(v, (x, k) => {
        if (typeof x !== "number" || !Number.isFinite(x)) throw new RangeError(`${where}.${field}[${k}]: expected a finite number`);
        if (field === "scale" && x === 0) throw new RangeError(`${where}.scale[${k}]: must not be 0`);
        return x;
      });
    };
    const shift = vector(j.shift, "shift");
    const scale = vector(j.scale, "scale");
    if (shift.length !== scale.length) {
      throw new RangeError(`${where}.scale: expected ${shift.length} numbers (as many as shift), got ${scale.length}`);
    }
    return new Scaler(j.kind!, shift, scale);
  }

  private checkWidth(n: number): void {
    if (n !== this.width) throw new RangeError(`scaler: expected a vector of ${this.width} values, got ${n}`);
  }
}

export interface DatasetScalerJSON {
  readonly format: "neuroforge.scalers";
  readonly version: 1;
  readonly inputs: ScalerJSON;
  readonly targets: ScalerJSON;
}

/**
 * Input and target scalers fitted together on a (training) dataset. Fit once, then transform the
 * training data, any validation data, and new inputs; map predictions back with `inverseTarget`.
 */
export class DatasetScaler {
  private constructor(
    readonly inputs: Scaler,
    readonly targets: Scaler,
  ) {}

  static fit(data: Dataset, kinds: { inputs?: ScalerKind; targets?: ScalerKind } = {}, where = "scaler"): DatasetScaler {
    return new DatasetScaler(
      Scaler.fit(kinds.inputs ?? "none", data.inputs, data.inputSize, `${where}.inputs`),
      Scaler.fit(kinds.targets ?? "none", data.targets, data.targetSize, `${where}.targets`),
    );
  }

  /** A new Dataset with scaled inputs and targets (the original is untouched). */
  transform(data: Dataset): Dataset {
    if (data.inputSize !== this.inputs.width || data.targetSize !== this.targets.width) {
      throw new RangeError(
        `scaler: fitted for ${this.inputs.width} inputs / ${this.targets.width} targets, ` +
          `but ${data.name} has ${data.inputSize} / ${data.targetSize}`,
      );
    }
    return {
      ...data,
      inputs: this.inputs.transformRows(data.inputs),
      targets: this.targets.transformRows(data.targets),
    };
  }

  /** One raw input vector → the scaled vector the model expects. */
  transformInput(x: ArrayLike<number>): Float64Array {
    return this.inputs.transform(x);
  }

  /** One model output (scaled target units) → the target's original units. */
  inverseTarget(y: ArrayLike<number>): Float64Array {
    return this.targets.inverse(y);
  }

  toJSON(): DatasetScalerJSON {
    return { format: "neuroforge.scalers", version: 1, inputs: this.inputs.toJSON(), targets: this.targets.toJSON() };
  }

  static fromJSON(json: unknown, where = "scalers"): DatasetScaler {
    const j = json as Partial<DatasetScalerJSON> | null;
    if (!j || typeof j !== "object" || Array.isArray(j)) throw new RangeError(`${where}: expected an object`);
    if (j.format !== "neuroforge.scalers") throw new RangeError(`${where}.format: expected "neuroforge.scalers"`);
    if (j.version !== 1) throw new RangeError(`${where}.version: unsupported version ${String(j.version)}`);
    return new DatasetScaler(Scaler.fromJSON(j.inputs, `${where}.inputs`), Scaler.fromJSON(j.targets, `${where}.targets`));
  }
}
