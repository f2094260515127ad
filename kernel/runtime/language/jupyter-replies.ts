/**
 * Jupyter's `complete_request`, `inspect_request` and `is_complete_request`, answered by the notebook
 * language service. A Jupyter kernel sees no notebook, only what it executed: the cells that ran (or
 * started to run: declarations made before a runtime error stay, as in the kernel) are the notebook,
 * the request's code is the cell after them. Jupyter counts `cursor_pos` in Unicode code points
 * (protocol ≥ 5.2); the service counts UTF-16 units.
 */
import type { LanguageClient } from "./client";

/** UTF-16 offset of the `codePoints`-th code point of `text`. */
export function utf16Offset(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}

/** Code points in `text` before a UTF-16 offset. */
export function codePointOffset(text: string, utf16: number): number {
  return [...text.slice(0, utf16)].length;
}

const NOTEBOOK = "jupyter";

export class JupyterLanguage {
  private readonly cells: string[] = [];

  constructor(
    private readonly client: LanguageClient,
    /** The kernel's working directory: the notebook's folder. */
    private readonly root: string,
  ) {}

  /** Records an executed cell; `declared` is false when the type check refused it (nothing of it exists). */
  executed(code: string, declared: boolean): void {
    if (declared) this.cells.push(code);
  }

  /** Syncs the executed cells plus `code`; returns the index of `code`'s cell. */
  private async withCode(code: string): Promise<number> {
    await this.client.call("sync", { notebook: NOTEBOOK, root: this.root, cells: [...this.cells, code] });
    return this.cells.length;
  }

  async complete(code: string, cursorPos: number): Promise<Record<string, unknown>> {
    const offset = utf16Offset(code, cursorPos);
    const cell = await this.withCode(code);
    const answer = await this.client.call("completions", { notebook: NOTEBOOK, cell, offset });
    const prefix = code.slice(answer.start, answer.end).toLowerCase();
    const entries = answer.entries
      .filter((e) => e.name.toLowerCase().startsWith(prefix))
      .sort((a, b) => (a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1));
    const start = codePointOffset(code, answer.start);
    const end = codePointOffset(code, answer.end);
    return {
      status: "ok",
      matches: entries.map((e) => e.insertText ?? e.name),
      cursor_start: start,
      cursor_end: end,
      // JupyterLab shows the kind beside each match.
      metadata: { _jupyter_types_experimental: entries.map((e) => ({ start, end, text: e.insertText ?? e.name, type: e.kind })) },
    };
  }

  async inspect(code: string, cursorPos: number): Promise<Record<string, unknown>> {
    const cell = await this.withCode(code);
    const info = await this.client.call("quickInfo", { notebook: NOTEBOOK, cell, offset: utf16Offset(code, cursorPos) });
    if (!info) return { status: "ok", found: false, data: {}, metadata: {} };
    const text = info.documentation ? `${info.signature}\n\n${info.documentation}` : info.signature;
    return { status: "ok", found: true, data: { "text/plain": text }, metadata: {} };
  }

  async isComplete(code: string): Promise<Record<string, unknown>> {
    return { ...(await this.client.call("isComplete", { code })) };
  }
}
