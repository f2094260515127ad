/**
 * The writer thread (a worker_thread, one per process, started by writer-thread.ts): applies each
 * run's commands to its RunWriter in order, hands chunk buffers back for reuse, and reports
 * checkpoints and errors on the reply port, bumping the shared signal so a training thread that
 * blocks (Atomics.wait) or polls sees them without running its event loop.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { NfrunError } from "./errors";
import { ExportBuffer } from "./export-buffer";
import { loadDigest } from "./run-digest";
import { RunWriter } from "./run-writer";
import { loadSqlJs } from "./sqljs";
import type { WriterCommand, WriterReply } from "./writer-protocol";

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
Atomics.store(signal, 1, 1); // the script loaded (writer-thread.ts gives up waiting on a worker that never does)
// Compile sql.js's WebAssembly while nothing is recorded yet (an error surfaces at the first open).
loadSqlJs().catch(() => undefined);
loadDigest().catch(() => undefined);
const writers = new Map<number, RunWriter>();
/** One export buffer for the process's runs (they take turns: commands are applied one at a time). */
const exporter = new ExportBuffer();
/** Runs whose writer failed: their later commands are dropped (the error was reported once). */
const failed = new Set<number>();

function reply(r: WriterReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(r, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

async function handle(c: WriterCommand): Promise<void> {
  const id = c.writer;
  try {
    if (c.kind === "open") {
      const SQL = await loadSqlJs(c.sqlJs);
      await loadDigest();
      writers.set(id, RunWriter.open(SQL, c.path, exporter));
      reply({ kind: "opened", writer: id });
      return;
    }
    // A failed run's commands are dropped: its training thread already has the error (it is sticky there).
    if (failed.has(id)) {
      if (c.kind === "finish") failed.delete(id);
      return;
    }
    const w = writers.get(id);
    if (!w) throw new Error(`writer ${id} is not open`);
    if (c.kind === "checkpoint" || c.kind === "finish") settleDatasets(id, w);
    const info = await w.apply(c);
    if (c.kind === "samples" || c.kind === "commits") reply({ kind: "buffer", writer: id, of: c.kind, buffer: c.buffer }, [c.buffer]);
    else if (c.kind === "checkpoint") reply({ kind: "checkpoint", writer: id, info: info! });
    else if (c.kind === "finish") {
      writers.delete(id);
      reply({ kind: "finished", writer: id, info });
    }
  } catch (e) {
    const w = writers.get(id);
    writers.delete(id);
    if (c.kind !== "finish") failed.add(id);
    try {
      if (w && c.kind !== "finish") await w.finish("interrupted", null);
    } catch {
      /* the database is being dropped after an error already reported */
    }
    reply({ kind: "error", writer: id, errorKind: e instanceof NfrunError ? e.kind : "io", message: (e as Error)?.message ?? String(e) });
  }
}

/** Writes a run's dataset rows (RunWriter.settleDatasets) and hands the dataset copies back to the training thread, for the next run's copy. */
function settleDatasets(id: number, w: RunWriter): void {
  for (const buffer of w.settleDatasets()) reply({ kind: "buffer", writer: id, of: "dataset", buffer }, [buffer]);
}

/** When no command is waiting, the runs' deferred dataset rows are written (errors surface at the next checkpoint). */
function idle(): void {
  if (waiting > 0) return;
  for (const [id, w] of writers) {
    try {
      settleDatasets(id, w);
    } catch {
      /* reported by the run's checkpoint, which settles them again */
    }
  }
}

let queue: Promise<void> = Promise.resolve();
/** Commands received and not yet handled. */
let waiting = 0;
parentPort!.on("message", (commands: WriterCommand[]) => {
  waiting += commands.length;
  for (const c of commands)
    queue = queue.then(async () => {
      waiting--;
      await handle(c);
    });
  queue = queue.then(idle);
});
