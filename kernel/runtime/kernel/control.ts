/**
 * The kernel's control thread (a worker thread in the kernel process). It owns the protocol pipe
 * (fd 3): requests go to the main thread, messages from the main thread go out — even while the main
 * thread runs a synchronous loop (so progress displays update live). `interrupt` is handled here:
 *   1. the shared interrupt slot is set: a NeuroForge Trainer stops at the next sample boundary;
 *   2. the main thread is told (a cell awaiting something is abandoned at once);
 *   3. if the cell is still running user code after a grace period (250 ms, or 5 s once a trainer has
 *      stopped, so code after `fit` such as `recorder.finish` can complete), its JavaScript execution is
 *      terminated through the inspector protocol (Runtime.terminateExecution).
 */
import * as inspector from "node:inspector";
import * as net from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { PROTOCOL_FD, type KernelRequest } from "./protocol";
import { PHASE, SLOT } from "./shared-state";

const GRACE_MS = 250;
const GRACE_AFTER_STOP_MS = 5000;

const state = (workerData as { state: Int32Array }).state;
const port = parentPort!;
const pipe = new net.Socket({ fd: PROTOCOL_FD, readable: true, writable: true });
/** A fresh inspector session per termination (a reused one does not deliver a second command to a busy thread). */
function terminateMainThread(): void {
  const session = new inspector.Session();
  session.connectToMainThread();
  session.post("Runtime.terminateExecution", () => session.disconnect());
}

function interrupt(): void {
  const seq = Atomics.load(state, SLOT.running);
  if (seq === 0) return;
  Atomics.store(state, SLOT.interrupt, seq);
  port.postMessage({ type: "interrupt", seq });
  const started = Date.now();
  const check = (): void => {
    if (Atomics.load(state, SLOT.running) !== seq) return;
    const wait = Atomics.load(state, SLOT.stopped) === seq ? GRACE_AFTER_STOP_MS : GRACE_MS;
    if (Date.now() - started >= wait) {
      if (Atomics.load(state, SLOT.phase) === PHASE.user) terminateMainThread();
      return;
    }
    setTimeout(check, 25);
  };
  setTimeout(check, 25);
}

let exitTimer: NodeJS.Timeout | null = null;
function shutdown(): void {
  if (Atomics.load(state, SLOT.running) !== 0) interrupt();
  port.postMessage({ type: "shutdown" });
  // If the main thread cannot end the process (stuck), end it from here.
  exitTimer ??= setTimeout(() => process.kill(process.pid, "SIGKILL"), 3000);
  exitTimer.unref();
}

let buffer = "";
pipe.setEncoding("utf8");
pipe.on("data", (chunk: string) => {
  buffer += chunk;
  let nl: number;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl).trim();
    buffer = buffer.slice(nl + 1);
    if (!line) continue;
    let request: KernelRequest;
    try {
      request = JSON.parse(line) as KernelRequest;
    } catch {
      process.stderr.write(`neuroforge kernel: ignoring a line that is not JSON: ${line.slice(0, 200)}\n`);
      continue;
    }
    if (request.type === "interrupt") interrupt();
    else if (request.type === "shutdown") shutdown();
    else port.postMessage(request);
  }
});
// The client went away: end the kernel.
pipe.on("end", shutdown);
pipe.on("error", shutdown);

port.on("message", (message: unknown) => {
  if ((message as { type?: string }).type === "__exit__") {
    pipe.end(() => port.postMessage({ type: "__closed__" }));
    return;
  }
  pipe.write(`${JSON.stringify(message)}\n`);
});
