import assert from "node:assert/strict";
import { test } from "node:test";
import { ExperimentConfigError } from "../../kernel/engine/config/errors";
import { NfrunError } from "../../kernel/record/errors";
import { debugStack, reportError } from "../../kernel/runtime/cli-errors";

test("an error reaching main() is one line with a documented exit code", () => {
  const cases: [unknown, RegExp, number][] = [
    [new NfrunError("io", "cannot be written: no space left on the device (ENOSPC)", "/d/run.nfrun"), /^\/d\/run\.nfrun: cannot be written: no space left/, 1],
    [new NfrunError("locked", "is being recorded by process 42", "run.nfrun"), /^run\.nfrun: is being recorded by process 42$/, 2],
    [new ExperimentConfigError("optimizer.lr", "must be ≥ 0", "/x/exp.yaml"), /^invalid experiment: \/x\/exp\.yaml: optimizer\.lr: must be ≥ 0$/, 2],
    [new RangeError("Array buffer allocation failed"), /^out of memory \(Array buffer allocation failed\): train a smaller model .*--record-epochs/, 1],
    [Object.assign(new Error("EROFS: read-only file system, open '/ro/w.json'"), { code: "EROFS" }), /^EROFS: read-only file system, open '\/ro\/w\.json'$/, 1],
    [new TypeError("x is not a function\n    at somewhere"), /^TypeError: x is not a function \(NEUROFORGE_DEBUG=1 prints the stack\)$/, 1],
  ];
  for (const [error, line, code] of cases) {
    const r = reportError(error);
    assert.match(r.line, line);
    assert.ok(!r.line.includes("\n"), r.line);
    assert.equal(r.code, code, r.line);
  }
});

test("the stack only with NEUROFORGE_DEBUG=1", () => {
  const error = new Error("boom");
  const saved = process.env.NEUROFORGE_DEBUG;
  try {
    delete process.env.NEUROFORGE_DEBUG;
    assert.equal(debugStack(error), null);
    process.env.NEUROFORGE_DEBUG = "1";
    assert.match(debugStack(error) ?? "", /^Error: boom\n\s+at /);
  } finally {
    if (saved === undefined) delete process.env.NEUROFORGE_DEBUG;
    else process.env.NEUROFORGE_DEBUG = saved;
  }
});
