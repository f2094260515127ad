/** The webview's DrawChart: vega-embed under the CSP (../shared/chart.ts); the cursor is a one-row named dataset. */
import { vegaView } from "../shared/chart";
import type { DrawChart } from "./charts";
import { CURSOR_DATA } from "./charts-spec";

export const drawCursorChart: DrawChart = async (element, spec) => {
  const view = await vegaView(element, spec);
  return {
    async moveCursor(x) {
      view.data(CURSOR_DATA, [{ x }]);
      await view.runAsync();
    },
  };
};
