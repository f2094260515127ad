/** CSS shared by renderers and webviews: VS Code theme colours (with fallbacks outside VS Code). */
export const THEME_CSS = `
.nf { color: var(--vscode-editor-foreground, #222); font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px); }
.nf table { border-collapse: collapse; }
.nf th, .nf td { padding: 2px 6px; white-space: nowrap; }
.nf th { font-weight: 600; text-align: right; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
.nf td.num { text-align: right; font-variant-numeric: tabular-nums; font-family: var(--vscode-editor-font-family, monospace); }
.nf :focus-visible { outline: 1px solid var(--vscode-focusBorder, #0078d4); outline-offset: -1px; }
.nf .muted { color: var(--vscode-descriptionForeground, #666); }
.nf .error { color: var(--vscode-errorForeground, #c00); }
.nf button { color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, #0078d4); border: none; padding: 2px 8px; cursor: pointer; }
.nf button:disabled { opacity: 0.5; cursor: default; }
`;
