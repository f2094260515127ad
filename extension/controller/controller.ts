/**
 * The NeuroForge notebook controller: one kernel process per notebook (kernel/runtime/kernel/, started
 * through its KernelClient). Cells never run in the extension host. Cells run in order; cancelling a
 * running cell interrupts the kernel; a pending cell that is cancelled is dropped. When the kernel process
 * dies, the running cell says how (client.ts) and the cells queued behind it are not run (their state is
 * gone, as with Jupyter's stop-on-error); the next run starts a new kernel process.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { KernelClient } from "../../kernel/runtime/kernel/client";
import type { KernelMessage } from "../../kernel/runtime/kernel/protocol";
import { KERNEL_DIED } from "../../kernel/runtime/kernel/kernel-death";
import { bundleToItems, errorOf, NOT_RUN_AFTER_DEATH, prefersNeuroForge, type KernelState, type PlainOutputItem } from "./outputs";

export const CONTROLLER_ID = "neuroforge-kernel";
export const NOTEBOOK_TYPE = "jupyter-notebook";
/** How to go on after the kernel process died, on the cell that was running. */
export const RESTART_HINT = "Run a cell to start a new kernel process; the variables of earlier cells are gone, run those cells again.";

function toItem(p: PlainOutputItem): vscode.NotebookCellOutputItem {
  if (p.kind === "json") return vscode.NotebookCellOutputItem.json(p.value, p.mime);
  if (p.kind === "bytes") return new vscode.NotebookCellOutputItem(p.value as Uint8Array, p.mime);
  return vscode.NotebookCellOutputItem.text(p.value as string, p.mime);
}

/** The notebooks a tab shows (a notebook, or both sides of a notebook diff). */
function notebookUris(tab: vscode.Tab): vscode.Uri[] {
  const input = tab.input;
  if (input instanceof vscode.TabInputNotebook) return [input.uri];
  if (input instanceof vscode.TabInputNotebookDiff) return [input.original, input.modified];
  return [];
}

/** One notebook's kernel process and its queue of executions. */
class Session {
  client: KernelClient | null = null;
  private starting: Promise<KernelClient> | null = null;
  /** Set when the notebook closed: no kernel is started for it any more. */
  private disposed = false;
  /** Kills a kernel that is still starting when the notebook closes (its start may never finish). */
  private readonly abort = new AbortController();
  /** The tail of the execution queue: cells run strictly one after another. */
  private queue: Promise<void> = Promise.resolve();
  /** Kernel processes that died under a cell: a cell queued before the latest death is not run. */
  private deaths = 0;
  state: KernelState = "not started";

  constructor(
    readonly notebook: vscode.NotebookDocument,
    private readonly kernelPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly onState: (s: Session) => void,
  ) {}

  private setState(state: KernelState): void {
    this.state = state;
    this.onState(this);
  }

  private get name(): string {
    return path.basename(this.notebook.uri.fsPath);
  }

  async kernel(): Promise<KernelClient> {
    if (this.client && this.client.process.exitCode === null && this.client.process.signalCode === null) return this.client;
    if (this.starting) return this.starting;
    if (this.disposed) throw new Error(`${this.name} was closed`);
    this.setState("starting");
    const cwd = this.notebook.uri.scheme === "file" ? path.dirname(this.notebook.uri.fsPath) : undefined;
    this.log.info(`${this.name}: starting kernel ${this.kernelPath}${cwd ? ` in ${cwd}` : ""}`);
    this.starting = KernelClient.start({
      kernelPath: this.kernelPath,
      ...(cwd ? { cwd } : {}),
      // In VS Code desktop process.execPath is Electron: run it as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      signal: this.abort.signal,
      restartHint: RESTART_HINT,
    })
      .then((client) => {
        this.attach(client);
        this.log.info(`${this.name}: kernel ready (pid ${client.pid})`);
        this.setState("idle");
        return client;
      })
      .catch((e: unknown) => {
        this.log.error(`${this.name}: kernel failed to start: ${String(e)}`);
        this.setState("dead");
        throw e;
      })
      .finally(() => (this.starting = null));
    return this.starting;
  }

  private attach(client: KernelClient): void {
    this.client = client;
    client.removeAllListeners("log");
    client.on("log", (text: string) => this.log.info(`${this.name} [kernel ${client.pid}] ${text.trimEnd()}`));
    const proc = client.process;
    proc.once("exit", (code, signal) => {
      if (this.client !== client || client.process !== proc || this.state === "restarting") return;
      this.log.warn(`${this.name}: kernel ${client.pid} exited (${signal ?? `code ${code}`})`);
      this.setState("dead");
    });
  }

  /** Queues a cell; resolves when it has finished (or was dropped). */
  run(controller: vscode.NotebookController, cell: vscode.NotebookCell): Promise<void> {
    const execution = controller.createNotebookCellExecution(cell);
    const deaths = this.deaths;
    const next = this.queue.then(() => this.execute(execution, deaths));
    this.queue = next.catch(() => {});
    return next;
  }

  private async execute(exec: vscode.NotebookCellExecution, deathsWhenQueued: number): Promise<void> {
    if (exec.token.isCancellationRequested) {
      exec.end(undefined);
      return;
    }
    exec.start(Date.now());
    await exec.clearOutput();
    if (this.deaths !== deathsWhenQueued) {
      await exec.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ ...NOT_RUN_AFTER_DEATH })]));
      exec.end(false, Date.now());
      return;
    }
    if (!vscode.workspace.isTrusted) {
      await exec.appendOutput(
        new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: "Untrusted workspace", message: "NeuroForge runs notebook cells only in a trusted workspace (Workspaces: Manage Workspace Trust)." })]),
      );
      exec.end(false, Date.now());
      return;
    }
    let client: KernelClient;
    try {
      client = await this.kernel();
    } catch (e) {
      await exec.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: "KernelStartFailed", message: String(e) })]));
      exec.end(false, Date.now());
      return;
    }
    this.setState("busy");
    const cancel = exec.token.onCancellationRequested(() => {
      this.log.info(`${this.name}: interrupt (cell cancelled)`);
      this.setState("interrupting");
      client.interrupt();
    });
    const sink = new OutputSink(exec);
    try {
      const result = await client.execute(exec.cell.document.getText(), (m) => sink.push(m));
      await sink.flushed();
      if (result.executionCount > 0) exec.executionOrder = result.executionCount;
      if (result.error?.ename === KERNEL_DIED) this.deaths++;
      exec.end(result.status === "ok", Date.now());
    } finally {
      cancel.dispose();
      if (this.state !== "dead") this.setState("idle");
    }
  }

  interrupt(): void {
    if (this.client && this.state === "busy") {
      this.setState("interrupting");
      this.client.interrupt();
    }
  }

  async restart(): Promise<void> {
    if (!this.client) return void (await this.kernel());
    this.setState("restarting");
    this.log.info(`${this.name}: restarting kernel`);
    await this.client.restart();
    this.attach(this.client);
    this.log.info(`${this.name}: kernel ready (pid ${this.client.pid})`);
    this.setState("idle");
  }

  /** Shuts the kernel down, also one still starting (it would otherwise outlive the notebook). */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.starting) {
      this.log.info(`${this.name}: notebook closed while its kernel was starting: killing it`);
      this.abort.abort();
      await this.starting.catch(() => {});
    }
    const client = this.client;
    this.client = null;
    if (client) {
      this.log.info(`${this.name}: notebook closed, shutting kernel ${client.pid} down`);
      await client.shutdown();
    }
  }
}

/**
 * Writes one execution's kernel messages into the cell's outputs, in order (each VS Code output call is
 * awaited before the next starts). Consecutive stream text of the same stream is appended to one output;
 * `update` replaces the output created by the `display` with that displayId.
 */
class OutputSink {
  private chain: Promise<unknown> = Promise.resolve();
  private lastStream: { name: string; output: vscode.NotebookCellOutput } | null = null;
  private readonly displays = new Map<string, vscode.NotebookCellOutput>();

  constructor(private readonly exec: vscode.NotebookCellExecution) {}

  push(m: KernelMessage): void {
    this.chain = this.chain.then(() => this.apply(m)).catch(() => {});
  }

  flushed(): Promise<unknown> {
    return this.chain;
  }

  private async apply(m: KernelMessage): Promise<void> {
    switch (m.type) {
      case "stream": {
        const item = m.name === "stdout" ? vscode.NotebookCellOutputItem.stdout(m.text) : vscode.NotebookCellOutputItem.stderr(m.text);
        if (this.lastStream?.name === m.name) return this.exec.appendOutputItems(item, this.lastStream.output);
        const output = new vscode.NotebookCellOutput([item]);
        this.lastStream = { name: m.name, output };
        return this.exec.appendOutput(output);
      }
      case "display":
      case "result": {
        this.lastStream = null;
        const output = new vscode.NotebookCellOutput(bundleToItems(m.data).map(toItem), m.metadata);
        if (m.type === "display" && m.displayId) this.displays.set(m.displayId, output);
        return this.exec.appendOutput(output);
      }
      case "update": {
        const output = this.displays.get(m.displayId);
        // Updates of a display made by an earlier cell are not applied (that cell's execution has ended).
        if (output) return this.exec.replaceOutputItems(bundleToItems(m.data).map(toItem), output);
        return;
      }
      case "error":
        this.lastStream = null;
        return this.exec.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(errorOf(m))]));
      default:
        return;
    }
  }
}

export class NeuroForgeController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private readonly sessions = new Map<string, Session>();
  /** Per notebook (URI string): whether this controller is its selected kernel (absent: not chosen yet). */
  private readonly selected = new Map<string, boolean>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stateChanged = new vscode.EventEmitter<vscode.NotebookDocument>();
  /** Fires when the kernel state of a notebook changes (the status bar item listens). */
  readonly onDidChangeState = this.stateChanged.event;

  constructor(
    private readonly kernelPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const c = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, "NeuroForge (TypeScript)");
    c.supportedLanguages = ["typescript"];
    c.supportsExecutionOrder = true;
    c.description = "Runs cells in a separate NeuroForge kernel process";
    c.executeHandler = (cells, notebook) => this.executeCells(cells, notebook);
    c.interruptHandler = (notebook) => this.interrupt(notebook);
    this.controller = c;
    c.onDidChangeSelectedNotebooks(({ notebook, selected }) => this.selected.set(notebook.uri.toString(), selected));
    this.disposables.push(
      c,
      this.stateChanged,
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.updateAffinity(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        this.selected.delete(nb.uri.toString());
        void this.close(nb.uri);
      }),
      // VS Code may keep a notebook's document open after its last editor closed (another reference to
      // it, a dirty copy): for the person the notebook is closed when no tab shows it any more.
      vscode.window.tabGroups.onDidChangeTabs((e) => this.closeUnshown(e.closed)),
    );
    vscode.workspace.notebookDocuments.forEach((nb) => this.updateAffinity(nb));
  }

  private updateAffinity(nb: vscode.NotebookDocument): void {
    if (nb.notebookType === NOTEBOOK_TYPE && prefersNeuroForge(nb.metadata)) {
      this.controller.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
    }
  }

  session(nb: vscode.NotebookDocument, create = true): Session | undefined {
    const key = nb.uri.toString();
    let s = this.sessions.get(key);
    if (!s && create) {
      s = new Session(nb, this.kernelPath, this.log, (x) => this.stateChanged.fire(x.notebook));
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Whether the notebook runs on this controller: chosen for it, or (nothing chosen yet) its kernelspec prefers it. */
  isOurs(nb: vscode.NotebookDocument): boolean {
    return this.selected.get(nb.uri.toString()) ?? (nb.notebookType === NOTEBOOK_TYPE && prefersNeuroForge(nb.metadata));
  }

  stateOf(nb: vscode.NotebookDocument): KernelState | undefined {
    return this.session(nb, false)?.state;
  }

  private async executeCells(cells: vscode.NotebookCell[], nb: vscode.NotebookDocument): Promise<void> {
    const session = this.session(nb)!;
    await Promise.all(cells.filter((c) => c.kind === vscode.NotebookCellKind.Code).map((c) => session.run(this.controller, c)));
  }

  interrupt(nb: vscode.NotebookDocument): void {
    this.session(nb, false)?.interrupt();
  }

  async restart(nb: vscode.NotebookDocument): Promise<void> {
    await this.session(nb)!.restart();
  }

  /** Closes the sessions of notebooks whose last tab is among `closed`. */
  private closeUnshown(closed: readonly vscode.Tab[]): void {
    const shown = new Set(vscode.window.tabGroups.all.flatMap((g) => g.tabs.flatMap(notebookUris)).map(String));
    for (const uri of closed.flatMap(notebookUris)) if (!shown.has(uri.toString())) void this.close(uri);
  }

  private async close(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    await s.dispose();
  }

  dispose(): void {
    for (const s of this.sessions.values()) void s.dispose();
    this.sessions.clear();
    this.disposables.forEach((d) => d.dispose());
  }
}
