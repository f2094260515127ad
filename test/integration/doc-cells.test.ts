/**
 * Every notebook-cell example in docs/*.md (fenced as ```ts cell) runs in the real kernel process
 * (dist/kernel.js): one fresh kernel per page, its cells in order, in a folder that holds `samples/`
 * (a link to the repository's), so the examples' relative paths work and what they write stays there.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { KernelClient } from "../../kernel/runtime/kernel/client";

const repo = path.resolve(__dirname, "../..");
const kernelPath = path.join(repo, "dist", "kernel.js");

/** The ```ts cell blocks of a markdown text, in order. */
export function cellBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^```ts cell[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) blocks.push(m[1]!);
  return blocks;
}

const pages = fs
  .readdirSync(path.join(repo, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => ({ file: `docs/${f}`, cells: cellBlocks(fs.readFileSync(path.join(repo, "docs", f), "utf8")) }))
  .filter((p) => p.cells.length > 0);

describe("docs: every ```ts cell example runs in the kernel", { timeout: 300_000 }, () => {
  it("finds the cell examples (configs.md and kernel.md show cells)", () => {
    assert.deepEqual(
      ["docs/configs.md", "docs/kernel.md"].filter((f) => !pages.some((p) => p.file === f)),
      [],
      "a page lost its ```ts cell examples",
    );
  });

  for (const page of pages) {
    it(`${page.file}: ${page.cells.length} cell(s) run without error`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-doc-cells-"));
      fs.symlinkSync(path.join(repo, "samples"), path.join(dir, "samples"));
      const kernel = await KernelClient.start({ cwd: dir, kernelPath });
      try {
        for (const [k, code] of page.cells.entries()) {
          const r = await kernel.execute(code);
          assert.equal(r.status, "ok", `${page.file}, cell ${k + 1}:\n${code}\n→ ${r.error?.traceback.join("\n")}`);
        }
      } finally {
        await kernel.shutdown();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
