/**
 * The network view's stylesheet: VS Code chart colours by sign, focus rings, the popup (in the flow below
 * the diagram: a notebook output grows with its content but clips what is positioned outside it); high
 * contrast and forced colours draw negatives dashed so the sign never depends on colour alone.
 */
export const NETWORK_CSS = `
.nf-network .stage { display: block; }
.nf-network .pictures { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 8px; }
.nf-network svg { display: block; overflow: visible; }
.nf-network .weight { stroke-opacity: 0.8; }
.nf-network svg.on-weight { cursor: pointer; }
.nf-network .weight.pos { stroke: var(--vscode-charts-red, #d9534f); }
.nf-network .weight.neg { stroke: var(--vscode-charts-blue, #428bca); }
.nf-network .weight.zero, .nf-network .weight.unknown { stroke: var(--vscode-descriptionForeground, #888); }
.nf-network .weight.unknown { stroke-dasharray: 2 3; }
.nf-network .weight:focus, .nf-network .weight.active { stroke-opacity: 1; outline: none; }
.nf-network .ring { stroke: var(--vscode-focusBorder, #0078d4); stroke-opacity: 0.9; fill: none; pointer-events: none; }
.nf-network .neuron { fill: var(--vscode-editor-background, #fff); stroke: var(--vscode-editor-foreground, #333); stroke-width: 1.5; cursor: pointer; }
.nf-network .neuron[data-stage] { stroke-width: 3.5; }
.nf-network .neuron[data-stage="newborn"] { stroke: var(--nf-stage-newborn); }
.nf-network .neuron[data-stage="mature"] { stroke: var(--nf-stage-mature); }
.nf-network .neuron[data-stage="senior"] { stroke: var(--nf-stage-senior); }
.nf-network .neuron[data-stage="dying"] { stroke: var(--nf-stage-dying); stroke-dasharray: 4 2; }
.nf-network .neuron:focus, .nf-network .neuron.active { stroke: var(--vscode-focusBorder, #0078d4); stroke-width: 3; outline: none; }
.nf-network .bias-node { fill: var(--vscode-editorWidget-background, #eee); stroke: var(--vscode-descriptionForeground, #888); }
.nf-network svg text { fill: var(--vscode-editor-foreground, #333); font-size: 11px; font-family: var(--vscode-font-family, sans-serif); }
.nf-network .legend { display: flex; gap: 12px; align-items: center; margin: 2px 0 4px 0; }
.nf-network .swatch { display: inline-block; width: 18px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 3px; }
.nf-network .swatch.pos { border-color: var(--vscode-charts-red, #d9534f); }
.nf-network .swatch.neg { border-color: var(--vscode-charts-blue, #428bca); }
.nf-network .scrub { display: flex; gap: 8px; align-items: center; margin: 4px 0; }
.nf-network .popup { margin-top: 4px; width: fit-content; max-width: 100%; box-sizing: border-box; padding: 6px 8px;
  background: var(--vscode-editorHoverWidget-background, var(--vscode-editorWidget-background, #f3f3f3));
  color: var(--vscode-editorHoverWidget-foreground, inherit);
  border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-widget-border, #8886)); box-shadow: 0 2px 8px var(--vscode-widget-shadow, #0004); }
.nf-network .popup[hidden] { display: none; }
.nf-network .popup.pinned { border-color: var(--vscode-focusBorder, #0078d4); }
.nf-network .popup .close { float: right; margin-left: 8px; }
.nf-network .popup .title { font-weight: 600; margin-bottom: 4px; }
.nf-network .popup .panels { flex-wrap: wrap; }
.nf-network .popup .stepper { display: flex; gap: 6px; align-items: center; margin: 4px 0; }
body.vscode-high-contrast .nf-network .weight, body.vscode-high-contrast-light .nf-network .weight { stroke-opacity: 1; }
body.vscode-high-contrast .nf-network .weight.neg, body.vscode-high-contrast-light .nf-network .weight.neg { stroke-dasharray: 5 3; }
body.vscode-high-contrast .nf-network .swatch.neg, body.vscode-high-contrast-light .nf-network .swatch.neg { border-top-style: dashed; }
body.vscode-high-contrast .nf-network .popup, body.vscode-high-contrast-light .nf-network .popup { border-color: var(--vscode-contrastBorder, currentColor); }
body.vscode-high-contrast .nf-network .neuron, body.vscode-high-contrast-light .nf-network .neuron { stroke: var(--vscode-contrastBorder, currentColor); }
@media (forced-colors: active) {
  .nf-network .weight.pos { stroke: CanvasText; }
  .nf-network .weight.neg { stroke: CanvasText; stroke-dasharray: 5 3; }
  .nf-network .neuron { stroke: CanvasText; fill: Canvas; }
  .nf-network .ring, .nf-network .neuron:focus { stroke: Highlight; }
}
`;
