/** Jupyter's is_complete for TypeScript (kernel/runtime/language/is-complete.ts), decided by the parser. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isComplete } from "../../kernel/runtime/language/is-complete";

describe("is_complete", () => {
  it("an input that stops inside a block, call, array, template or comment is incomplete, indented one level after an opener", () => {
    assert.deepEqual(isComplete("for (let i = 0; i < 3; i++) {"), { status: "incomplete", indent: "  " });
    assert.deepEqual(isComplete("if (a) {\n  while (b) {"), { status: "incomplete", indent: "    " });
    assert.deepEqual(isComplete("const xs = [1,\n  2,"), { status: "incomplete", indent: "  " });
    assert.deepEqual(isComplete("f(1,"), { status: "incomplete", indent: "" });
    assert.deepEqual(isComplete("const s = `line"), { status: "incomplete", indent: "" });
    assert.deepEqual(isComplete("/* a comment"), { status: "incomplete", indent: "" });
    assert.deepEqual(isComplete("const y = 1 +"), { status: "incomplete", indent: "" });
  });

  it("whole statements (and nothing) are complete", () => {
    for (const code of ["", "  \n", "let x = 1;", "for (let i = 0; i < 3; i++) { console.log(i); }", "x", 'import { Trainer } from "neuroforge";']) {
      assert.deepEqual(isComplete(code), { status: "complete" }, JSON.stringify(code));
    }
  });

  it("a syntax error no further line can fix is invalid", () => {
    for (const code of ["let = = 2;", "x)", "let x = ;", "let s = 'open", "let = = 2;\nif (a) {"]) {
      assert.deepEqual(isComplete(code), { status: "invalid" }, JSON.stringify(code));
    }
  });
});
