/**
 * Playback positions (webviews/editor/position.ts): stepping forward through a whole tape visits, per
 * granularity, exactly the stops written out by hand below, and stepping back visits them in reverse;
 * the drawn commit is the one before a Pending batch and the batch's own once committed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Tape, type Granularity, type Position } from "../../webviews/editor/position";

// Two epochs of 5 samples, batch 2: batches of 2, 2, 1 per epoch; t = 1 … 6.
const tape = new Tape({ t: [1, 2, 3, 4, 5, 6], epoch: [0, 0, 0, 1, 1, 1], batch: [0, 1, 2, 0, 1, 2], count: [2, 2, 1, 2, 2, 1] });
const str = (p: Position) => `${p.k}:${p.slot}`;

function walk(by: Granularity, dir: "forward" | "back", from: Position): string[] {
  const seen = [str(from)];
  for (let p: Position | null = from; (p = tape[dir](p, by)); ) seen.push(str(p));
  return seen;
}

test("stops per granularity, forward and back", () => {
  const all = ["0:0", "0:1", "0:2", "1:0", "1:1", "1:2", "2:0", "2:1", "3:0", "3:1", "3:2", "4:0", "4:1", "4:2", "5:0", "5:1"];
  assert.equal(tape.size, all.length);
  assert.deepEqual(walk("sample", "forward", tape.start()), all);
  assert.deepEqual(walk("sample", "back", tape.end()), [...all].reverse());
  assert.deepEqual(walk("batch", "forward", tape.start()), ["0:0", "0:2", "1:2", "2:1", "3:2", "4:2", "5:1"]);
  assert.deepEqual(walk("epoch", "forward", tape.start()), ["0:0", "2:1", "5:1"]);
  assert.deepEqual(walk("epoch", "back", tape.end()), ["5:1", "2:1", "0:0"]);
  // From a Pending sample, batch steps go to its own commit forward and the previous commit back.
  assert.equal(str(tape.forward({ k: 3, slot: 1 }, "batch")!), "3:2");
  assert.equal(str(tape.back({ k: 3, slot: 1 }, "batch")!), "2:1");
});

test("the commit drawn at a position; an event's commit; the ends", () => {
  assert.equal(tape.shownT({ k: 0, slot: 0 }), 0);
  assert.equal(tape.shownT({ k: 3, slot: 1 }), 3, "Pending in the batch of t=4: weights after t=3");
  assert.equal(tape.shownT({ k: 3, slot: 2 }), 4);
  assert.deepEqual(tape.afterCommit(5), { k: 4, slot: 2 });
  assert.deepEqual(tape.afterCommit(0), { k: 0, slot: 0 });
  assert.equal(tape.forward(tape.end(), "sample"), null);
  assert.equal(tape.back(tape.start(), "epoch"), null);
  assert.deepEqual(tape.at(tape.indexOf({ k: 4, slot: 1 })), { k: 4, slot: 1 });
});
