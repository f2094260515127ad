/**
 * The audit popup at a pending position (the .nfrun editor mid-batch): what the blame bank holds so far
 * and what the commit that follows will do with it. Before is the weight drawn (the commit has not
 * happened); the commit panel is that next commit's, read from the file, labelled "Next commit".
 */
import type { WeightTrace } from "../../../kernel/record/reader-types";
import { h } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { signed } from "./check-line";

const n = (x: number) => signed(fmt(x));
const ids = (rows: WeightTrace["rows"]) => rows.map((r) => `#${r.sample}`).join(", ");

export function pendingBatch(tr: WeightTrace, slot: number): HTMLElement {
  const c = tr.commit;
  const inBank = tr.rows.slice(0, slot + 1);
  const toCome = tr.rows.slice(slot + 1);
  const bank = inBank[inBank.length - 1]!.cumulative;
  const sum = inBank.map((r) => n(r.leverage)).join(" + ");
  return h(
    "div",
    { class: "pending-batch", role: "status" },
    h(
      "div",
      { class: "pending-samples" },
      `Pending: batch ${tr.batch} of epoch ${tr.epoch}, ${inBank.length} of ${c.count} samples in the blame bank (${ids(inBank)})` +
        (toCome.length ? `; still to come: ${ids(toCome)}` : "; the batch is complete"),
    ),
    h("div", { class: "pending-bank" }, `bank so far = Σ leverage = ${sum} = ${n(bank)} (this weight; Cum. of sample ${inBank.length})`),
    h(
      "div",
      { class: "pending-commit" },
      `commit t=${tr.t} follows the batch's last sample: Avg = BatchTot / Count = ${n(c.batchTotal)} / ${c.count} = ${n(c.avg)}, Adj = ${n(c.adjustment)}, the weight ${n(c.before)} → ${n(c.after)}`,
    ),
  );
}
