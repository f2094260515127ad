/**
 * What a cell shows when the kernel process dies under it (or is found dead when a cell is sent): how it
 * died (exit code or signal), the last lines it wrote to stderr (V8's "heap out of memory" report, a
 * native crash), and how to go on, which the front end words (VS Code and Jupyter restart differently).
 */
import type { KernelMessage } from "./protocol";

/** The `ename` of the error a cell gets when the kernel process dies under it. */
export const KERNEL_DIED = "KernelDied";

export interface KernelExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Why a signal usually arrives, for the signals a person cannot guess the cause of. */
const LIKELY_CAUSE: Partial<Record<NodeJS.Signals, string>> = {
  // Linux's OOM killer sends SIGKILL; so does `kill -9`.
  SIGKILL: "out of memory?",
  // V8 aborts when the heap limit is reached; native crashes abort too.
  SIGABRT: "out of memory or a crash: see its last output",
  SIGSEGV: "a crash in native code",
};

/** "the kernel process was killed by SIGKILL (out of memory?)" / "the kernel process exited with code 3". */
export function describeKernelExit(exit: KernelExit): string {
  if (exit.signal) {
    const cause = LIKELY_CAUSE[exit.signal];
    return `the kernel process was killed by ${exit.signal}${cause ? ` (${cause})` : ""}`;
  }
  return `the kernel process exited with code ${exit.code ?? "unknown"}`;
}

/** Keeps the last bytes a process wrote to stderr, for the death message. */
export class OutputTail {
  private text = "";

  constructor(private readonly limit = 2000) {}

  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }

  /** The last `n` non-empty lines. */
  lines(n = 6): string[] {
    return this.text
      .split("\n")
      .map((l) => l.trimEnd())
      .filter((l) => l.length > 0)
      .slice(-n);
  }
}

/** The `KernelDied` error of cell `id`: what happened, the kernel's last words, then `restartHint`. */
export function kernelDiedError(id: string, exit: KernelExit, lastWords: readonly string[], restartHint: string): Extract<KernelMessage, { type: "error" }> {
  const what = describeKernelExit(exit);
  const evalue = `${what[0]!.toUpperCase()}${what.slice(1)}. ${restartHint}`;
  const said = lastWords.length > 0 ? ["Its last output on stderr:", ...lastWords.map((l) => `  ${l}`)] : [];
  return { type: "error", id, ename: KERNEL_DIED, evalue, traceback: [`${KERNEL_DIED}: ${what}.`, ...said, restartHint] };
}
