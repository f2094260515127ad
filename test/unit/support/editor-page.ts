import assert from "node:assert/strict";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { JSDOM, VirtualConsole } from "jsdom";
import { runFileMessage } from "../../../extension/editor/load";
import { RunFiles } from "../../../extension/runs/run-files";
import { RunQueryService } from "../../../extension/runs/service";
import type { RunQuery } from "../../../webviews/shared/queries";

/** Polls `probe` every 10 ms until it gives something (at most 10 s). */
export async function until<T>(what: string, probe: () => T | null | undefined | false): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  return assert.fail(`timed out waiting for ${what}`);
}

/** webviews/editor/main.ts built in memory as esbuild.mjs builds it. */
export async function editorBundle(): Promise<string> {
  const built = await esbuild.build({ entryPoints: ["webviews/editor/main.ts"], bundle: true, platform: "browser", format: "iife", target: "es2022", write: false, logLevel: "silent" });
  return built.outputFiles[0]!.text;
}

/**
 * The real .nfrun editor bundle in a fresh JSDOM page with eval/Function forbidden (as the CSP forbids
 * them), whose host is the real run query service over `target`: the file message and every query
 * answer go through JSON, as postMessage carries them. Driven by accessible names.
 */
export async function openEditorPage(bundle: string, target: string, label = path.basename(target)) {
  const errors: string[] = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("jsdomError", (e) => errors.push(e.message));
  const page = new JSDOM(`<!DOCTYPE html><html><body><div id="root"></div></body></html>`, { runScripts: "outside-only", pretendToBeVisual: true, virtualConsole });
  const w = page.window as unknown as Window & { eval(code: string): unknown; structuredClone: typeof structuredClone; acquireVsCodeApi(): unknown };
  w.structuredClone = structuredClone;
  const files = new RunFiles();
  const service = new RunQueryService(files);
  /** The kinds of the queries asked, in order, and the queries themselves. */
  const queries: string[] = [];
  const asked: RunQuery[] = [];
  const deliver = (m: unknown) => setTimeout(() => w.dispatchEvent(new page.window.MessageEvent("message", { data: JSON.parse(JSON.stringify(m)) })), 1);
  w.acquireVsCodeApi = () => ({
    postMessage: (m: { type: string; query?: RunQuery }) => {
      const msg = JSON.parse(JSON.stringify(m)) as typeof m;
      if (msg.type === "ready") void runFileMessage(files, target, label).then(deliver);
      else if (msg.type === "query") {
        queries.push(msg.query!.kind);
        asked.push(msg.query!);
        void service.answer(target, msg).then(deliver);
      }
    },
  });
  const run = w.eval.bind(w);
  run(`(() => { const F = Function; const trap = new Proxy(F, { construct() { throw new Error("new Function is forbidden by the CSP"); }, apply() { throw new Error("Function() is forbidden by the CSP"); } });
    F.prototype.constructor = trap; globalThis.Function = trap; globalThis.eval = () => { throw new Error("eval is forbidden by the CSP"); }; })()`);
  run(bundle);
  const doc = page.window.document;
  for (let i = 0; i < 500 && !doc.querySelector(".run-picker, .error-panel"); i++) await new Promise((r) => setTimeout(r, 10));
  const ed = {
    doc,
    queries,
    asked,
    errors,
    byLabel: <T extends Element = HTMLElement>(label: string) => {
      const el = doc.querySelector<T & Element>(`[aria-label="${label}"]`);
      assert.ok(el, `a control named "${label}"`);
      return el as unknown as T;
    },
    playback: () => doc.querySelector<HTMLElement>('section.playback[aria-label="playback"]'),
    /** Waits until the playback shows position (k, slot) fully drawn. */
    async settled(k?: number, slot?: number) {
      for (let i = 0; i < 500; i++) {
        const p = ed.playback();
        if (p && p.getAttribute("aria-busy") === "false" && (k === undefined || (p.getAttribute("data-k") === String(k) && p.getAttribute("data-slot") === String(slot)))) return p;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.fail(`playback did not settle at (${k}, ${slot}); it is at (${ed.playback()?.getAttribute("data-k")}, ${ed.playback()?.getAttribute("data-slot")}) ${ed.playback()?.getAttribute("aria-busy")} ${doc.querySelector(".query-error")?.textContent ?? ""}`);
    },
    /** The host sends the file again (as when the file changes on disk). */
    resend: async () => deliver(await runFileMessage(files, target, label)),
    click: (el: Element) => el.dispatchEvent(new page.window.MouseEvent("click", { bubbles: true })),
    key: (el: Element, key: string) => el.dispatchEvent(new page.window.KeyboardEvent("keydown", { key, bubbles: true })),
    close: () => {
      files.dispose();
      page.window.close();
    },
  };
  return ed;
}

export type EditorPage = Awaited<ReturnType<typeof openEditorPage>>;
