/** Extension-host logic that needs no VS Code: kernel messages → output items, kernelspec affinity, status text, the editor's CSP. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleToItems, errorOf, kernelspecName, prefersNeuroForge, statusText } from "../../extension/controller/outputs";
import { editorHtml } from "../../extension/editor/html";
import { MIME } from "../../kernel/runtime/display/mime";
import { signalsBundle } from "../../kernel/runtime/display/plot";

test("MIME bundle → output items: our type first, JSON types as JSON, text/plain last", () => {
  const bundle = signalsBundle({ title: "loss", x: [1, 2, 3], series: { loss: [0.5, 0.25, 0.125] } });
  const items = bundleToItems(bundle);
  assert.deepEqual(items.map((i) => i.mime), [MIME.signals, MIME.vegaLite, "image/svg+xml", "text/plain"]);
  assert.equal(items[0]!.kind, "json");
  assert.deepEqual(items[0]!.value, bundle[MIME.signals]);
  assert.equal(items[1]!.kind, "json");
  assert.equal(items[2]!.kind, "text");
  assert.equal(typeof items[3]!.value, "string");
  // Order of the bundle does not matter; multi-line strings (nbformat) are joined.
  assert.deepEqual(bundleToItems({ "text/plain": ["a\n", "b"], "text/html": "<b>x</b>", [MIME.audit]: { kind: "weight-trace" } }), [
    { mime: MIME.audit, kind: "json", value: { kind: "weight-trace" } },
    { mime: "text/html", kind: "text", value: "<b>x</b>" },
    { mime: "text/plain", kind: "text", value: "a\nb" },
  ]);
});

test("error message → VS Code error output (name, message, traceback as stack)", () => {
  assert.deepEqual(errorOf({ type: "error", id: "1", ename: "TypeError", evalue: "bad", traceback: ["cell [1], line 2", "x"] }), { name: "TypeError", message: "bad", stack: "cell [1], line 2\nx" });
});

test("notebooks with kernelspec neuroforge prefer the controller, wherever the ipynb serializer puts the metadata", () => {
  const spec = { kernelspec: { name: "neuroforge", language: "typescript" } };
  assert.equal(kernelspecName({ metadata: spec }), "neuroforge");
  assert.equal(kernelspecName({ custom: { metadata: spec } }), "neuroforge");
  assert.equal(kernelspecName(spec), "neuroforge");
  assert.equal(prefersNeuroForge({ metadata: { kernelspec: { name: "python3" } } }), false);
  assert.equal(prefersNeuroForge(undefined), false);
  assert.equal(prefersNeuroForge({ metadata: spec }), true);
});

test("status bar text names the kernel state", () => {
  assert.equal(statusText("busy"), "$(circle-large-filled) NeuroForge: busy");
  assert.equal(statusText("dead"), "$(error) NeuroForge: dead");
});

test("editor HTML: strict CSP, one nonce'd script, no inline script", () => {
  const html = editorHtml({ cspSource: "vscode-webview://abc" }, { toString: () => "vscode-webview://abc/dist/webviews/editor.js" }, "N0nce");
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
  const scripts = html.match(/<script[^>]*>[^<]*<\/script>/g)!;
  assert.deepEqual(scripts, [`<script nonce="N0nce" src="vscode-webview://abc/dist/webviews/editor.js"></script>`]);
});
