/**
 * Cells are checked by the project's own TypeScript (kernel/runtime/kernel/typescript.ts), with the
 * project's strictness and module resolution: the version the kernel reports is the project's, features
 * newer than tslab's bundled TypeScript 5.0 that the project relies on type-check (generic typed arrays,
 * TS 5.7; zod 4's inferred types through `neuroforge`), and errors in imported files name their file.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import ts from "typescript";
import { KernelClient } from "../../kernel/runtime/kernel/client";

const kernelPath = path.resolve(__dirname, "../../dist/kernel.js");

describe("kernel: the project's TypeScript checks cells", { timeout: 120_000 }, () => {
  let dir: string;
  let kernel: KernelClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-kernel-ts-"));
    fs.writeFileSync(path.join(dir, "wrong.ts"), "export const n: number = 1;\nexport const s: { a: { b: string } } = { a: { b: n } } as { a: { b: number } };\n");
    kernel = await KernelClient.start({ cwd: dir, kernelPath });
  });
  after(async () => {
    await kernel?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reports the project's TypeScript version", () => {
    assert.equal(kernel.versions.typescript, ts.version);
  });

  it("type-checks what TypeScript 5.0 rejects: generic typed arrays and zod 4's inferred config types", async () => {
    const ok = await kernel.execute(
      [
        'import { experimentSchema } from "neuroforge";',
        "const arr: Float64Array<ArrayBuffer> = new Float64Array(4);",
        'const parsed = experimentSchema.parse({ name: "x", model: { layers: [{ units: 3, activation: "sigmoid" }] }, loss: "bce",',
        '  optimizer: { name: "sgd", lr: 0.1 }, data: { generator: "xor" }, training: { batch_size: 2, epochs: 1 } });',
        "const units: number = parsed.model.layers[0]!.units;",
        "units + arr.length",
      ].join("\n"),
    );
    assert.equal(ok.status, "ok", ok.error?.traceback.join("\n"));
    assert.equal(ok.result?.data["text/plain"], "7");
    // The inferred type is real, not `any`: a wrong use is an error at the cell's line.
    const bad = await kernel.execute("const label: string = parsed.model.layers[0]!.units;");
    assert.equal(bad.status, "error");
    assert.equal(bad.error?.diagnostics?.[0]?.code, 2322);
    assert.equal(bad.error?.diagnostics?.[0]?.line, 1);
  });

  it("checks cells strictly, as the project is checked", async () => {
    const r = await kernel.execute("const maybe: string | undefined = undefined as string | undefined;\nmaybe.length");
    assert.equal(r.status, "error");
    assert.equal(r.error?.diagnostics?.[0]?.code, 18048, "strictNullChecks: 'maybe' is possibly 'undefined'");
  });

  it("names the imported file of an error with a message chain", async () => {
    const r = await kernel.execute('import { s } from "./wrong";\ns');
    assert.equal(r.status, "error");
    const d = r.error?.diagnostics?.[0];
    assert.equal(d?.file, "wrong.ts");
    assert.equal(d?.line, 2);
    assert.match(d?.message ?? "", /The types of 'a\.b' are incompatible/, "the chain's parts are in the one message");
  });

  it("keeps compiling after a cell writes files into the notebook folder (TypeScript's retry timer)", async () => {
    // TypeScript watches folders for failed lookups only below the second level (/tmp/x/notebook, not /tmp/x).
    const top = fs.mkdtempSync(path.join(os.tmpdir(), "nf-kernel-ts-writes-"));
    const folder = path.join(top, "notebook");
    fs.mkdirSync(folder);
    const fresh = await KernelClient.start({ cwd: folder, kernelPath });
    try {
      const w = await fresh.execute(
        'import * as fs from "node:fs";\nfs.writeFileSync("a.json", "{}");\nfs.mkdirSync("sub");\nfs.writeFileSync("sub/c.txt", "x");\nawait new Promise((r) => setTimeout(r, 800));',
      );
      assert.equal(w.status, "ok", w.error?.traceback.join("\n"));
      const next = await fresh.execute("const after = 1 + 1;\nafter");
      assert.equal(next.status, "ok", next.error?.traceback.join("\n"));
      assert.equal(next.result?.data["text/plain"], "2");
    } finally {
      await fresh.shutdown();
      fs.rmSync(top, { recursive: true, force: true });
    }
  });
});
