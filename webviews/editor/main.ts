/** Entry of the .nfrun editor webview (dist/webviews/editor.js, loaded with a nonce). */
import { lossSpec, vegaChart } from "../shared/chart";
import type { EditorToHost, HostToEditor } from "../shared/messages";
import { renderMessage } from "./view";

declare function acquireVsCodeApi(): { postMessage(m: EditorToHost): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById("root")!;
window.addEventListener("message", (e: MessageEvent<HostToEditor>) => {
  if (e.data.type === "answer") return;
  renderMessage(e.data, root, (el, run) => vegaChart(el, lossSpec(run.lossCurve.t, run.lossCurve.loss)));
});
vscode.postMessage({ type: "ready" });
