/** The .nfrun editor webview's HTML (no `vscode` import: unit-tested in plain Node). */

/** The webview's HTML: one nonce'd script, no inline script, no eval (docs/extension.md, CSP). */
export function editorHtml(webview: { readonly cspSource: string }, scriptUri: { toString(): string }, nonce: string): string {
  // style-src needs 'unsafe-inline': vega-embed/vega-tooltip insert <style> elements and Vega's SVG renderer
  // writes style attributes. Scripts stay nonce-only.
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource} 'unsafe-inline'`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join("; ");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NeuroForge run</title></head>
<body><div id="root" class="nf">Loading…</div>
<script nonce="${nonce}" src="${scriptUri.toString()}"></script></body></html>`;
}
