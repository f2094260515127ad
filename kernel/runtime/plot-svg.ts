/**
 * Vega-Lite → SVG under Node, headless (vega's SVG string renderer: no browser, no canvas), for reports
 * and `neuroforge plot`. Expressions go through vega's interpreter, as in the webviews. Vega is an ES
 * module with top-level await, so it is loaded with import() (and left out of the CommonJS CLI bundle).
 */
import type { TopLevelSpec } from "vega-lite";

/**
 * SVG → PNG with resvg (@resvg/resvg-js: Rust, prebuilt per platform, no system libraries; text in the
 * system fonts), at `scale` × the SVG's size on a white background (a chart's background is transparent).
 * Loaded at run time, as vega is: the CLI bundle leaves it out.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const png = new Resvg(svg, { background: "white", fitTo: { mode: "zoom", value: scale }, font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

export async function vegaLiteToSvg(spec: Record<string, unknown>): Promise<string> {
  const [{ parse, View }, { expressionInterpreter }, { compile }] = await Promise.all([import("vega"), import("vega-interpreter"), import("vega-lite")]);
  const vega = compile(spec as unknown as TopLevelSpec).spec;
  const view = new View(parse(vega, undefined, { ast: true }), { renderer: "none", expr: expressionInterpreter });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
