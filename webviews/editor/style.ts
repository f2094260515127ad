/** The .nfrun editor's stylesheet (ours, never data): VS Code theme variables with fallbacks. */
import { COMPARE_CSS } from "../shared/compare/style";

export const EDITOR_CSS = COMPARE_CSS + `
.nf-editor { padding: 8px 16px; }
.nf-editor .run { border: 1px solid var(--vscode-panel-border, #8884); padding: 8px; margin: 8px 0; }
.nf-editor dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0; }
.nf-editor dt { color: var(--vscode-descriptionForeground, #666); }
.nf-editor dd { margin: 0; font-family: var(--vscode-editor-font-family, monospace); }
.nf-editor .status-completed { color: var(--vscode-charts-green, #388a34); }
.nf-editor .status-failed, .nf-editor .status-interrupted { color: var(--vscode-charts-orange, #d18616); }
.nf-editor .damage-panel, .nf-editor .error-panel { border: 1px solid var(--vscode-inputValidation-errorBorder, #be1100); background: var(--vscode-inputValidation-errorBackground, #f2dede); padding: 8px 12px; }
.nf-editor .damage-panel h2 { margin-top: 0; }
.nf-editor code.verify { font-family: var(--vscode-editor-font-family, monospace); user-select: all; }
.nf-editor pre { max-height: 240px; overflow: auto; background: var(--vscode-textCodeBlock-background, #8881); padding: 4px; }
.nf-editor select, .nf-editor input[type=range] { color: var(--vscode-dropdown-foreground, inherit); background: var(--vscode-dropdown-background, transparent); border: 1px solid var(--vscode-dropdown-border, #8886); max-width: 100%; }
.nf-editor .picker { display: block; margin: 4px 0; }
.nf-editor .vcr { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin: 4px 0; }
.nf-editor .vcr .granularity { margin-left: 12px; }
.nf-editor .scrub input { width: 60%; vertical-align: middle; }
.nf-editor .position { font-family: var(--vscode-editor-font-family, monospace); margin: 4px 0; }
.nf-editor .bank { font-weight: 600; padding: 0 4px; border: 1px solid; }
.nf-editor .bank.pending { color: var(--vscode-charts-orange, #d18616); }
.nf-editor .bank.committed { color: var(--vscode-charts-green, #388a34); }
.nf-editor .event-strip { position: relative; height: 10px; margin: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
.nf-editor .event-strip .mark { position: absolute; top: 0; width: 2px; height: 10px; background: var(--vscode-charts-blue, #1a85ff); }
.nf-editor .event-strip .kind-nonfinite, .nf-editor .event-strip .kind-interrupted { background: var(--vscode-charts-red, #e51400); }
.nf-editor ol.events { max-height: 160px; overflow: auto; padding-left: 20px; margin: 4px 0; }
.nf-editor button.event { background: none; color: var(--vscode-textLink-foreground, #006ab1); padding: 0; text-align: left; }
.nf-editor button.event .t { font-family: var(--vscode-editor-font-family, monospace); font-size: inherit; }
.nf-editor .vcr button { min-width: 28px; }
.nf-editor .run > .formula .formula-text { font-family: var(--vscode-editor-font-family, monospace); color: var(--vscode-descriptionForeground, #666); }
.nf-editor .guidance dd { font-family: inherit; }
.nf-editor .charts .weights-input { font-family: var(--vscode-editor-font-family, monospace); color: var(--vscode-input-foreground, inherit); background: var(--vscode-input-background, transparent); border: 1px solid var(--vscode-input-border, #8886); min-width: 16em; }
.nf-editor .charts .charts-body { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.nf-editor .playback:focus { outline: 1px solid var(--vscode-focusBorder, #0078d4); }
`;
