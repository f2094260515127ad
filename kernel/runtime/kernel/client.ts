/**
 * Starts a kernel process and talks to it (used by the Jupyter adapter, the tests, the benchmark and,
 * later, the VS Code notebook controller).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import type * as net from "node:net";
import * as path from "node:path";
import { kernelDiedError, OutputTail } from "./kernel-death";
import type { ExecuteStatus, KernelMessage, KernelRequest } from "./protocol";

export interface KernelClientOptions {
  /** The notebook's folder (relative imports, node_modules). Default: the current directory. */
  readonly cwd?: string;
  /** Path of dist/kernel.js. Default: next to this bundle, else <repo>/dist/kernel.js. */
  readonly kernelPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Extra arguments for node. */
  readonly nodeArgs?: readonly string[];
  /** Aborting kills the kernel process (SIGKILL), also one still starting: `start` then rejects. */
  readonly signal?: AbortSignal;
  /** How to go on, shown on the cell that was running when the kernel process died. */
  readonly restartHint?: string;
}

export interface ExecuteResult {
  readonly status: ExecuteStatus;
  readonly executionCount: number;
  readonly ms: number;
  /** Every message of this execution, in order (stream, display, update, result, error). */
  readonly messages: readonly KernelMessage[];
  readonly stdout: string;
  readonly stderr: string;
  readonly result?: Extract<KernelMessage, { type: "result" }>;
  readonly error?: Extract<KernelMessage, { type: "error" }>;
}

export function defaultKernelPath(): string {
  const candidates = [path.join(__dirname, "kernel.js"), path.resolve(__dirname, "../../../dist/kernel.js")];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0]!;
}

interface Pending {
  readonly messages: KernelMessage[];
  readonly onMessage?: (m: KernelMessage) => void;
  resolve(r: ExecuteResult): void;
}

export class KernelClient extends EventEmitter {
  private child!: ChildProcess;
  private pipe!: net.Socket;
  private readonly pending = new Map<string, Pending>();
  private exited!: Promise<number | null>;
  /** The kernel's last words on stderr, for the cell that is running when it dies. */
  private stderrTail = new OutputTail();
  /** The process has exited and its pipes are read to the end: nothing more will answer. */
  private ended = false;
  pid = 0;
  /** What the kernel runs on (`neuroforge`, `node`, `typescript`: the version that checks cells), from its `ready`. */
  versions: Readonly<Record<string, string>> = {};

  private constructor(private readonly options: KernelClientOptions) {
    super();
  }

  /** Spawns the kernel; resolves when it is ready for requests. */
  static async start(options: KernelClientOptions = {}): Promise<KernelClient> {
    const client = new KernelClient(options);
    await client.spawn();
    return client;
  }

  private spawn(): Promise<void> {
    const kernelPath = this.options.kernelPath ?? defaultKernelPath();
    const child = spawn(process.execPath, ["--no-force-async-hooks-checks", ...(this.options.nodeArgs ?? []), kernelPath], {
      cwd: this.options.cwd ?? process.cwd(),
      env: this.options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      ...(this.options.signal ? { signal: this.options.signal, killSignal: "SIGKILL" as const } : {}),
    });
    this.child = child;
    this.pipe = child.stdio[3] as net.Socket;
    const stderrTail = (this.stderrTail = new OutputTail());
    child.stdout!.on("data", (d: Buffer) => this.emit("log", d.toString()));
    child.stderr!.on("data", (d: Buffer) => {
      stderrTail.push(d.toString());
      this.emit("log", d.toString());
    });
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    const ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: KernelMessage): void => {
        if (m.type === "ready") {
          this.pid = m.pid;
          this.versions = m.versions;
          this.off("message", onReady);
          resolve();
        }
      };
      this.on("message", onReady);
      child.once("exit", (code) => reject(new Error(`kernel exited (code ${code}) before it was ready`)));
      child.once("error", reject);
    });
    let buffer = "";
    this.pipe.setEncoding("utf8");
    this.pipe.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) this.dispatch(JSON.parse(line) as KernelMessage);
      }
    });
    this.pipe.on("error", () => {});
    // "close", not "exit": by then the pipe's last messages (the cell's output so far) and stderr are read.
    this.ended = false;
    child.on("close", () => {
      // A restart's new process is not this one.
      if (this.child !== child) return;
      this.ended = true;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        this.died(id, p);
      }
    });
    return ready;
  }

  /** Ends execution `id` with a KernelDied error saying how the process died and how to go on. */
  private died(id: string, p: Pending): void {
    const exit = { code: this.child.exitCode, signal: this.child.signalCode };
    const error = kernelDiedError(id, exit, this.stderrTail.lines(), this.options.restartHint ?? "Restart the kernel to run cells again.");
    p.onMessage?.(error);
    p.resolve(summarize("error", -1, 0, [...p.messages, error]));
  }

  private dispatch(m: KernelMessage): void {
    this.emit("message", m);
    if (!("id" in m)) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === "done") {
      this.pending.delete(m.id);
      p.resolve(summarize(m.status, m.executionCount, m.ms, p.messages));
      return;
    }
    p.messages.push(m);
    p.onMessage?.(m);
  }

  private request(r: KernelRequest): void {
    this.pipe.write(`${JSON.stringify(r)}\n`);
  }

  /** Runs a cell; resolves when the kernel reports it done. */
  execute(code: string, onMessage?: (m: KernelMessage) => void): Promise<ExecuteResult> {
    const id = randomUUID();
    return new Promise((resolve) => {
      const p: Pending = { messages: [], resolve, ...(onMessage ? { onMessage } : {}) };
      // A cell sent to a dead kernel gets the same answer at once (the pipe would never reply).
      if (this.ended) return this.died(id, p);
      this.pending.set(id, p);
      this.request({ type: "execute", id, code });
    });
  }

  /** Interrupts the running cell (no effect when idle). */
  interrupt(): void {
    this.request({ type: "interrupt" });
  }

  /** Asks the kernel to exit; kills it if it has not exited within `timeoutMs`. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.request({ type: "shutdown" });
    } catch {
      // pipe already closed
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Restart: a fresh process (all state cleared). */
  async restart(): Promise<void> {
    await this.shutdown();
    this.pending.clear();
    await this.spawn();
  }

  get process(): ChildProcess {
    return this.child;
  }
}

function summarize(status: ExecuteStatus, executionCount: number, ms: number, messages: KernelMessage[]): ExecuteResult {
  const text = (name: "stdout" | "stderr") =>
    messages
      .filter((m): m is Extract<KernelMessage, { type: "stream" }> => m.type === "stream" && m.name === name)
      .map((m) => m.text)
      .join("");
  const result = messages.find((m): m is Extract<KernelMessage, { type: "result" }> => m.type === "result");
  const error = messages.find((m): m is Extract<KernelMessage, { type: "error" }> => m.type === "error");
  return { status, executionCount, ms, messages, stdout: text("stdout"), stderr: text("stderr"), ...(result ? { result } : {}), ...(error ? { error } : {}) };
}
