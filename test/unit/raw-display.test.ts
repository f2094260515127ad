/**
 * Raw MIME bundles: `display({"image/png": …})` and the display.html/markdown/svg/png/jpeg helpers give
 * the bundle as given (plus a text/plain fallback), and VS Code gets binary types as bytes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleToItems } from "../../extension/controller/outputs";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { helperBundles, isRawBundle } from "../../kernel/runtime/display/raw";

// 1×1 red PNG.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==";

test("a plain object whose keys are MIME types is a bundle; anything else is inspected", () => {
  assert.deepEqual(mimeBundleOf({ "image/png": PNG, "text/plain": "dot" }), { "image/png": PNG, "text/plain": "dot" });
  assert.deepEqual(mimeBundleOf({ "text/html": "<i>x</i>" }), { "text/html": "<i>x</i>", "text/plain": "<text/html output>" });
  for (const notBundle of [{}, { a: 1 }, { "text/html": "x", other: 1 }, [1], new Map([["text/html", "x"]])]) {
    assert.equal(isRawBundle(notBundle), false, JSON.stringify(notBundle));
    assert.deepEqual(Object.keys(mimeBundleOf(notBundle)), ["text/plain"]);
  }
});

test("display helpers: one MIME type each, bytes as base64, a text/plain fallback", () => {
  assert.deepEqual(helperBundles.html("<b>b</b>"), { "text/html": "<b>b</b>", "text/plain": "<text/html output>" });
  assert.deepEqual(helperBundles.markdown("**m**"), { "text/markdown": "**m**", "text/plain": "**m**" });
  assert.equal(helperBundles.svg("<svg/>")["image/svg+xml"], "<svg/>");
  const bytes = new Uint8Array(Buffer.from(PNG, "base64"));
  assert.equal(helperBundles.png(bytes)["image/png"], PNG);
  assert.equal(helperBundles.png(PNG)["image/png"], PNG);
  // A view into a larger buffer encodes only its own bytes.
  const inner = new Uint8Array([0, ...bytes, 0]).subarray(1, bytes.length + 1);
  assert.equal(helperBundles.jpeg(inner)["image/jpeg"], PNG);
});

test("VS Code output items: base64 images become bytes; SVG stays text", () => {
  const items = bundleToItems({ "image/png": PNG, "image/svg+xml": "<svg/>", "text/plain": "dot" });
  const png = items.find((i) => i.mime === "image/png")!;
  assert.equal(png.kind, "bytes");
  assert.deepEqual([...(png.value as Uint8Array).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "the PNG signature");
  assert.deepEqual(items.find((i) => i.mime === "image/svg+xml"), { mime: "image/svg+xml", kind: "text", value: "<svg/>" });
});
