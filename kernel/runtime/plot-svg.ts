/**
 * Vega-Lite → SVG under Node, headless (vega's SVG string renderer: no browser, no canvas), for reports
 * and `neuroforge plot`. Expressions go through vega's interpreter, as in the webviews. Vega is an ES
 * module with top-level await, so it is loaded with import() (and left out of the CommonJS CLI bundle).
 */
import type { TopLevelSpec } from "vega-lite";

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
