/** The comparison's stylesheet (ours, never data), in the .nfrun editor and the notebook renderer. */
export const COMPARE_CSS = `
.nf .compare .run-list-wrap { max-height: 320px; overflow: auto; }
.nf .compare .run-list th { text-align: left; }
.nf .compare .run-list th[aria-sort=ascending] .sort::after { content: " ▲"; }
.nf .compare .run-list th[aria-sort=descending] .sort::after { content: " ▼"; }
.nf .compare button.sort, .nf .compare button.link { background: none; color: var(--vscode-textLink-foreground, #006ab1); padding: 0; font-weight: 600; }
.nf .compare button.link { font-weight: normal; text-align: left; }
.nf .compare .state-completed { color: var(--vscode-charts-green, #388a34); }
.nf .compare .state-interrupted { color: var(--vscode-charts-orange, #d18616); }
.nf .compare .state-diverged, .nf .compare .state-failed { color: var(--vscode-charts-red, #e51400); }
.nf .compare .overlay-charts { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.nf .compare .effects-table tr.best td { font-weight: 600; }
.nf .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
