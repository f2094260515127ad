/** Entry of the .nfrun editor webview (dist/webviews/editor.js, loaded with a nonce). */
import { lossSpec, vegaChart } from "../shared/chart";
import type { EditorToHost, HostToEditor } from "../shared/messages";
import { QueryClient, runSourceOf } from "../shared/query-client";
import { drawCursorChart } from "./charts-draw";
import { renderMessage, reportDamage } from "./view";

declare function acquireVsCodeApi(): { postMessage(m: EditorToHost): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById("root")!;
const host = new QueryClient(
  (m) => vscode.postMessage(m),
  (error) => reportDamage(root, error),
);
const source = runSourceOf(host);
window.addEventListener("message", (e: MessageEvent<HostToEditor>) => {
  if (host.receive(e.data) || e.data.type === "answer") return;
  // A new file message (opened, or the file changed): answers still pending are for the old file.
  host.cancelAll("the file changed");
  renderMessage(e.data, root, { chart: (el, run) => vegaChart(el, lossSpec(run.lossCurve.t, run.lossCurve.loss)), drawCharts: drawCursorChart, drawSpec: vegaChart, host, source });
});
vscode.postMessage({ type: "ready" });
