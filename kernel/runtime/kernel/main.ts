/**
 * The NeuroForge kernel process (dist/kernel.js): executes notebook cells. Spawned by KernelClient
 * (kernel/runtime/kernel/client.ts) — for VS Code and for the Jupyter adapter alike — with the protocol
 * pipe on fd 3 (see protocol.ts and docs/kernel.md). The working directory is the notebook's folder.
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { Dataset } from "../../engine/datasets/dataset";
import type { TrainingObserver } from "../../engine/observer";
import type { FitResult, Trainer } from "../../engine/trainer";
import { RunRecorder } from "../../record/recorder";
import { startWriterThread } from "../../record/writer-thread";
import { mimeBundleOf } from "../display/index";
import { progressBundle, type ProgressState } from "../display/progress";
import * as api from "./api";
import { Executor } from "./executor";
import { HealthViews } from "./health-display";
import { kernelHooks, type FitProgress } from "./hooks";
import type { KernelMessage, KernelRequest } from "./protocol";
import { PHASE, SLOT, STATE_SLOTS } from "./shared-state";
import { cellTypeScriptVersion } from "./typescript";
import { version } from "../../../package.json";

/** A fit shows its progress display once it has run this long, then updates it at most this often. */
const PROGRESS_AFTER_MS = 400;
const PROGRESS_EVERY_MS = 250;

function log(text: string): void {
  try {
    fs.writeSync(2, `neuroforge kernel: ${text}\n`);
  } catch {
    // stderr closed
  }
}

export function startKernel(): void {
  // Cells that record a run should not wait for the .nfrun writer thread to start (docs/nfrun-format.md).
  try {
    startWriterThread();
  } catch (error) {
    log(`the .nfrun writer thread did not start (recording will report it): ${String(error)}`);
  }
  const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * 4));
  const worker = new Worker(path.join(__dirname, "kernel-control.js"), { workerData: { state } });
  const send = (m: KernelMessage): void => worker.postMessage(m);
  const root = process.cwd();

  // `neuroforge` in cells, local files and packages of the notebook folder: this process's engine.
  const apiModule = Object.defineProperty({ ...api }, "__esModule", { value: true });
  const moduleInternals = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const load = moduleInternals._load;
  moduleInternals._load = function (request: string, ...rest: [unknown, boolean]) {
    return request === "neuroforge" ? apiModule : load.call(this, request, ...rest);
  };

  let currentId = "";
  /** The source of the cell running (stored with a run whose strategy it defines). */
  let currentCode = "";
  let executionCount = 0;
  /** Recorders attached to trainers, by trainer; finished as 'interrupted' when their cell is interrupted. */
  const recorders = new WeakMap<Trainer, RunRecorder[]>();
  const activeTrainers = new Set<Trainer>();
  let displaySeq = 0;

  // User output → stream messages.
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
      send({ type: "stream", id: currentId, name, text });
      const callback = typeof encoding === "function" ? encoding : cb;
      if (typeof callback === "function") process.nextTick(callback as () => void);
      return true;
    }) as typeof stream.write;
  }

  const displayValue = (value: unknown, options?: { displayId?: string; update?: boolean }): string => {
    const displayId = options?.displayId ?? `nf-${process.pid}-${++displaySeq}`;
    const data = mimeBundleOf(value);
    if (options?.update) send({ type: "update", id: currentId, displayId, data, metadata: {} });
    else send({ type: "display", id: currentId, displayId, data, metadata: {} });
    return displayId;
  };

  kernelHooks.current = {
    trainerObserver(): TrainingObserver {
      let n = 0;
      return {
        // Reads no bank and changes no parameter: the trainer may take its deferred (fast) path.
        readsBank: false,
        onSample(e) {
          if ((++n & 15) === 0 || n === 1) {
            activeTrainers.add(e.trainer);
            if (Atomics.load(state, SLOT.interrupt) !== 0) {
              Atomics.store(state, SLOT.stopped, Atomics.load(state, SLOT.interrupt));
              e.trainer.requestStop();
            }
          }
        },
        onEpoch(e) {
          progressOf.get(e.trainer)?.epoch(e.epoch, e.loss, e.samples);
        },
        onCommit(e) {
          healthViews.commit(e.trainer, e.t, e.loss);
        },
        onNotice(n) {
          healthViews.notice(n);
        },
      };
    },
    trainerCreated(trainer, observers) {
      const recs = observers.filter((o): o is RunRecorder => o instanceof RunRecorder);
      if (recs.length > 0) recorders.set(trainer, recs);
    },
    fitStarted(trainer, data, epochs) {
      const p = fitProgress(trainer, data, epochs);
      progressOf.set(trainer, p);
      return p;
    },
    display: displayValue,
    cellSource: () => currentCode,
  };

  /** A display of the running cell: the first call shows the bundle, later calls replace it in place. */
  const displayInPlace = (): ((bundle: Record<string, unknown>) => void) => {
    let displayId: string | null = null;
    return (data) => {
      if (displayId === null) {
        displayId = `nf-${process.pid}-${++displaySeq}`;
        send({ type: "display", id: currentId, displayId, data, metadata: {} });
      } else send({ type: "update", id: currentId, displayId, data, metadata: {} });
    };
  };

  const progressOf = new WeakMap<Trainer, FitProgress>();
  /** The running cell's live health views (trainers with health measures or a lifecycle). */
  const healthViews = new HealthViews(displayInPlace);
  function fitProgress(trainer: Trainer, data: Dataset, epochs: number): FitProgress {
    const started = performance.now();
    const display = displayInPlace();
    let shown = false;
    let lastShown = 0;
    let done = 0;
    let samples = 0;
    let loss = NaN;
    const snapshot = (status: ProgressState["status"]): ProgressState => {
      const elapsed = (performance.now() - started) / 1000;
      const rate = elapsed > 0 ? samples / elapsed : 0;
      const left = epochs - done;
      return { epoch: done, epochs, loss, samplesPerSecond: rate, elapsedSeconds: elapsed, etaSeconds: done > 0 ? (elapsed / done) * left : NaN, status };
    };
    const show = (status: ProgressState["status"]): void => {
      display(progressBundle(snapshot(status)));
      shown = true;
      lastShown = performance.now();
    };
    void data;
    return {
      epoch(_epoch, epochLoss, n) {
        done++;
        samples += n;
        loss = epochLoss;
        const now = performance.now();
        if (now - started >= PROGRESS_AFTER_MS && now - lastShown >= PROGRESS_EVERY_MS) show("running");
      },
      end(result: FitResult | null) {
        const status = result ? result.status : "failed";
        if (shown || performance.now() - started >= PROGRESS_AFTER_MS) show(status);
        healthViews.fitEnded(trainer, status);
        progressOf.delete(trainer);
      },
    };
  }

  let executor: Executor | null = null;
  const getExecutor = (): Executor =>
    (executor ??= new Executor({ root, typesDir: path.join(__dirname, "neuroforge-types"), api: apiModule }));

  /**
   * One cell at a time. The flow is driven by callbacks, not by a chain of kernel promises: a terminated
   * cell (see control.ts) clears V8's microtask queue, so the kernel must never depend on a microtask
   * queued in the same turn as user code. User code starts from its own macrotask (setImmediate) and
   * the interrupt message finishes the cell directly.
   */
  interface Running {
    readonly id: string;
    readonly count: number;
    readonly started: number;
    finished: boolean;
  }
  let running: Running | null = null;
  const requests: { id: string; code: string }[] = [];

  function pump(): void {
    if (running || requests.length === 0) {
      if (!running && shutdownRequested) shutdownNow();
      return;
    }
    const { id, code } = requests.shift()!;
    startCell(id, code);
  }

  function startCell(id: string, code: string): void {
    const count = ++executionCount;
    const cell: Running = { id, count, started: performance.now(), finished: false };
    running = cell;
    currentId = id;
    currentCode = code;
    activeTrainers.clear();
    Atomics.store(state, SLOT.interrupt, 0);
    Atomics.store(state, SLOT.stopped, 0);
    Atomics.store(state, SLOT.phase, PHASE.kernel);
    Atomics.store(state, SLOT.running, count);
    send({ type: "started", id, executionCount: count });
    let compiled: ReturnType<Executor["compile"]>;
    try {
      compiled = getExecutor().compile(code, count);
    } catch (error) {
      send({ type: "error", id, ...describeRuntimeError(error, executor) });
      finishCell(cell, "error");
      return;
    }
    if ("diagnostics" in compiled) {
      const lines = compiled.diagnostics.map((d) => `${d.file ? `${d.file} ` : ""}line ${d.line}, column ${d.column}: error TS${d.code}: ${d.message}`);
      send({ type: "error", id, ename: "TypeError", evalue: lines[0] ?? "type error", traceback: lines, diagnostics: compiled.diagnostics });
      finishCell(cell, "error");
      return;
    }
    if (Atomics.load(state, SLOT.interrupt) !== 0) {
      finishCell(cell, "interrupted");
      return;
    }
    const run = compiled.run;
    setImmediate(() => {
      if (cell.finished) return;
      Atomics.store(state, SLOT.phase, PHASE.user);
      run().then(
        (outcome) => {
          if (cell.finished) return;
          Atomics.store(state, SLOT.phase, PHASE.kernel);
          if (Atomics.load(state, SLOT.interrupt) === count) return finishCell(cell, "interrupted");
          if (outcome.kind === "runtime-error") {
            send({ type: "error", id, ...describeRuntimeError(outcome.error, getExecutor()) });
            return finishCell(cell, "error");
          }
          if (outcome.kind === "ok" && outcome.hasValue && !isQuiet(outcome.value)) {
            try {
              send({ type: "result", id, executionCount: count, data: mimeBundleOf(outcome.value), metadata: {} });
            } catch (error) {
              send({ type: "error", id, ...describeRuntimeError(error, getExecutor()) });
              return finishCell(cell, "error");
            }
          }
          finishCell(cell, "ok");
        },
        (error: unknown) => {
          if (cell.finished) return;
          send({ type: "error", id, ...describeRuntimeError(error, executor) });
          finishCell(cell, "error");
        },
      );
    });
  }

  function interruptCell(seq: number): void {
    if (running && running.count === seq && !running.finished) finishCell(running, "interrupted");
  }

  function finishCell(cell: Running, status: "ok" | "error" | "interrupted"): void {
    if (cell.finished) return;
    cell.finished = true;
    healthViews.cellEnded(status === "ok" ? "completed" : status === "error" ? "failed" : "interrupted");
    Atomics.store(state, SLOT.phase, PHASE.kernel);
    if (status === "interrupted") {
      finishRecordersAfterInterrupt(cell.id);
      send({ type: "error", id: cell.id, ename: "Interrupted", evalue: "the cell was interrupted", traceback: ["Interrupted: the cell was interrupted"] });
    }
    Atomics.store(state, SLOT.phase, PHASE.idle);
    Atomics.store(state, SLOT.running, 0);
    Atomics.store(state, SLOT.interrupt, 0);
    send({ type: "done", id: cell.id, status, executionCount: cell.count, ms: performance.now() - cell.started });
    running = null;
    setImmediate(pump);
  }

  function finishRecordersAfterInterrupt(id: string): void {
    for (const trainer of activeTrainers) {
      for (const rec of recorders.get(trainer) ?? []) {
        try {
          const st = rec.finish("interrupted");
          send({ type: "stream", id, name: "stderr", text: `run recording saved as ${st}: ${rec.path}\n` });
        } catch (error) {
          if (!/called twice/.test(String((error as Error)?.message))) {
            send({ type: "stream", id, name: "stderr", text: `could not save the recording ${rec.path}: ${String(error)}\n` });
          }
        }
      }
    }
    activeTrainers.clear();
  }

  let shutdownRequested = false;
  let shutDown = false;
  function shutdownNow(): void {
    if (shutDown) return;
    shutDown = true;
    try {
      executor?.close();
    } catch {
      // closing the converter is best effort
    }
    send({ type: "shutdown" });
    worker.postMessage({ type: "__exit__" });
  }

  worker.on("message", (message: KernelRequest | { type: "interrupt"; seq: number } | { type: "__closed__" }) => {
    switch (message.type) {
      case "execute":
        if (shutdownRequested) return;
        requests.push({ id: message.id, code: message.code });
        setImmediate(pump);
        break;
      case "interrupt":
        interruptCell((message as { seq: number }).seq);
        break;
      case "shutdown":
        shutdownRequested = true;
        requests.length = 0;
        setImmediate(pump);
        break;
      case "__closed__":
        process.exit(0);
    }
  });
  worker.on("error", (e) => {
    log(`control thread failed: ${String(e)}`);
    process.exit(1);
  });
  process.on("SIGINT", () => {
    // Interrupts come through the protocol (the control thread); a stray Ctrl-C must not kill the kernel.
  });
  process.on("uncaughtException", (error) => {
    send({ type: "stream", id: currentId, name: "stderr", text: `Uncaught ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` });
  });
  process.on("unhandledRejection", (reason) => {
    send({ type: "stream", id: currentId, name: "stderr", text: `Unhandled promise rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n` });
  });

  send({ type: "ready", pid: process.pid, versions: { neuroforge: version, node: process.version, typescript: cellTypeScriptVersion() } });
  // Build the type checker now (it takes a while); the first execute waits for it anyway.
  setImmediate(() => {
    if (!running) getExecutor();
  });
}

/** Display handles (what `display(x)` returns) are not shown again as the cell's result. */
function isQuiet(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[Symbol.for("neuroforge.quietResult")] === true;
}

/** Error message + traceback with cell-relative lines (`cell [3], line 5`). */
export function describeRuntimeError(
  error: unknown,
  executor: Executor | null,
): { ename: string; evalue: string; traceback: string[]; line?: number } {
  const isError = error instanceof Error;
  const ename = isError ? error.name : "Error";
  const evalue = isError ? error.message : `thrown value: ${String(error)}`;
  const traceback = [`${ename}: ${evalue}`];
  let line: number | undefined;
  const stack = isError && typeof error.stack === "string" ? error.stack.split("\n").slice(1) : [];
  for (const frame of stack) {
    const m = /^\s*at (?:(.*?) \()?(neuroforge-cell-\d+\.js):(\d+):(\d+)\)?$/.exec(frame);
    if (m) {
      const where = executor?.cellLine(m[2]!, Number(m[3]), Number(m[4]));
      const fn = m[1] && !/^(eval|async )?$/.test(m[1]) && !m[1].includes("<anonymous>") ? `${m[1]} ` : "";
      if (where) {
        line ??= where.line;
        traceback.push(`    at ${fn}(cell [${where.cell}], line ${where.line})`);
      }
      continue;
    }
    if (/node:internal|neuroforge\/dist\/kernel\.js|dist\/kernel\.js/.test(frame)) continue;
    traceback.push(frame);
  }
  return { ename, evalue, traceback, ...(line !== undefined ? { line } : {}) };
}

startKernel();
