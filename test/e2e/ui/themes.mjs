// The network output and its popup in the light, dark and high-contrast themes (picked with Preferences:
// Color Theme, which sets the user setting workbench.colorTheme): weights take the theme's chart colours, and in high contrast negative
// weights are dashed so the sign never depends on colour alone. Screenshots: theme-<kind>.png.
import { check, screenshot } from "../harness.mjs";
import * as fs from "node:fs";
import * as path from "node:path";
import { hoverMiddle, pickColorTheme, scrollNotebookTo } from "../workbench.mjs";

// [kind, label in the theme picker, the setting's value (VS Code 1.139's theme ids), the webview body's class]
const THEMES = [
  ["light", "Light Modern", "Light Modern", "vscode-light"],
  ["dark", "Dark Modern", "Dark Modern", "vscode-dark"],
  ["high-contrast", "Dark High Contrast", "Default High Contrast", "vscode-high-contrast"],
];
// The renderer's own fallback for positive weights (what it draws outside VS Code).
const FALLBACK_POSITIVE = "rgb(217, 83, 79)";

export async function checkThemes({ page, out }, dataDir) {
  // The popup of a weight near the top (hidden neuron 0's bias), so the screenshots show it whole.
  await scrollNotebookTo(page, out.locator(".nf-network svg.drawing"));
  await hoverMiddle(page, out.locator('.nf-network line.weight[data-layer="0"][data-neuron="0"][data-weight="2"]'));
  const popup = out.locator(".nf-network .popup");
  await popup.waitFor({ state: "visible", timeout: 10_000 });
  await scrollNotebookTo(page, popup).catch(() => {}); // for the picture only: the notebook may end sooner
  const seen = {};
  for (const [kind, label, theme, bodyClass] of THEMES) {
    await pickColorTheme(page, label);
    await out.locator(`body.${bodyClass}`).waitFor({ state: "attached", timeout: 30_000 });
    await page.waitForTimeout(300); // the theme's CSS variables are posted with the class
    seen[kind] = await out.locator(".nf-network").evaluate((root) => {
      const style = (sel) => getComputedStyle(root.querySelector(sel));
      return {
        positive: style("line.weight.pos").stroke,
        negative: style("line.weight.neg").stroke,
        negativeDash: style("line.weight.neg").strokeDasharray,
        positiveDash: style("line.weight.pos").strokeDasharray,
        popupBackground: style(".popup").backgroundColor,
      };
    });
    // The picker applies the theme first and writes the setting after.
    const setting = () => JSON.parse(fs.readFileSync(path.join(dataDir, "User/settings.json"), "utf8"))["workbench.colorTheme"];
    for (let i = 0; i < 50 && setting() !== theme; i++) await page.waitForTimeout(100);
    check(setting() === theme, `user setting workbench.colorTheme = ${setting()}, picked ${label}`);
    check(await popup.isVisible(), `the popup stays open in ${kind}`);
    await screenshot(page, `theme-${kind}`);
  }
  const { light, dark } = seen;
  const hc = seen["high-contrast"];
  check(light.positive !== FALLBACK_POSITIVE && dark.positive !== FALLBACK_POSITIVE, `positive weights use the theme's colour (light ${light.positive}, dark ${dark.positive})`);
  check(light.positive !== dark.positive, `positive weights: light ${light.positive} vs dark ${dark.positive} should differ`);
  check(light.popupBackground !== dark.popupBackground, `popup background: light ${light.popupBackground} vs dark ${dark.popupBackground} should differ`);
  check(light.negativeDash === "none" && dark.negativeDash === "none", `negatives solid in light/dark (${light.negativeDash}, ${dark.negativeDash})`);
  check(hc.negativeDash !== "none" && hc.positiveDash === "none", `high contrast: negatives dashed (${hc.negativeDash}), positives solid (${hc.positiveDash})`);
  return seen;
}
