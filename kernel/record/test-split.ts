/**
 * A run's test split (schema version 5, tables `test_sets` and `test_metrics`): the held-out samples and,
 * per completed epoch, their mean loss and accuracy. Files before version 5, and runs trained without a
 * test split, have none: empty answers, not errors.
 */
import type { Dataset } from "../engine/datasets/dataset";
import { decodeValues, PALETTE_HEADER } from "./dataset-codec";
import type { RunDb } from "./reader-types";
import { hasTable } from "./reader-util";

/** The test split's metrics after one epoch: the weights after commit t (the epoch's last). */
export interface TestMetricRow {
  readonly epoch: number;
  readonly t: number;
  readonly samples: number;
  /** NaN where SQLite holds NULL (a non-finite loss). */
  readonly loss: number;
  /** null: a regression loss, which has no accuracy. */
  readonly accuracy: number | null;
}


/** Per-epoch test metrics in epoch order. */
export function testMetrics(db: RunDb, runId: string): TestMetricRow[] {
  if (!hasTable(db, "test_metrics")) return [];
  return db.query("SELECT epoch, t, samples, loss, accuracy FROM test_metrics WHERE run_id = ? ORDER BY epoch", [runId]).map(([epoch, t, samples, loss, accuracy]) => ({
    epoch: Number(epoch),
    t: Number(t),
    samples: Number(samples),
    loss: loss === null ? NaN : Number(loss),
    accuracy: accuracy === null ? null : Number(accuracy),
  }));
}

/**
 * The held-out samples (null: none). Their shape must fit the run's model (`inputs` and `outputs` per
 * sample); a blob of the wrong size is never decoded (a hostile file could make it huge).
 */
export function testSet(db: RunDb, runId: string, inputs: number, outputs: number): Dataset | null {
  if (!hasTable(db, "test_sets")) return null;
  const row = db.query(
    `SELECT name, count, input_size, target_size,
            CASE WHEN length(x) IN (8 * count * ?2, ${PALETTE_HEADER} + count * ?2) AND input_size = ?2 THEN x END,
            CASE WHEN length(y) IN (8 * count * ?3, ${PALETTE_HEADER} + count * ?3) AND target_size = ?3 THEN y END
     FROM test_sets WHERE run_id = ?1`,
    [runId, inputs, outputs],
  )[0];
  if (!row) return null;
  const [name, count, , , xb, yb] = row;
  const n = Number(count);
  const x = decodeValues(xb, n * inputs);
  const y = decodeValues(yb, n * outputs);
  if (!x || !y || !(n >= 1)) throw db.bad(`run ${runId}: its test set (table test_sets) is not ${Number.isFinite(n) ? n : "a count of"} samples of ${inputs} inputs and ${outputs} targets`);
  const names = (prefix: string, k: number) => Array.from({ length: k }, (_, i) => `${prefix}${i + 1}`);
  return { name: String(name), count: n, inputSize: inputs, targetSize: outputs, inputs: x, targets: y, inputNames: names("x", inputs), targetNames: names("y", outputs) };
}
