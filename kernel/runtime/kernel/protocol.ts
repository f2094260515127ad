/**
 * The NeuroForge kernel's message protocol (documented in docs/kernel.md).
 *
 * The kernel is a Node process (dist/kernel.js). Its file descriptor 3 is a duplex pipe carrying one JSON
 * object per line in both directions; stdout/stderr of the process carry only the kernel's own
 * diagnostics (user output is captured and sent as `stream` messages). Requests are answered in order;
 * `interrupt` is handled at once, even while a cell runs a synchronous loop.
 */
import type { MimeBundle } from "../display/mime";

/** Client → kernel. */
export type KernelRequest =
  | { readonly type: "execute"; readonly id: string; readonly code: string }
  | { readonly type: "interrupt" }
  | { readonly type: "shutdown" };

export interface CellDiagnostic {
  /** 1-based, relative to the cell. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly code: number;
  readonly message: string;
  /** Set when the diagnostic is in an imported local file rather than the cell. */
  readonly file?: string;
}

export type ExecuteStatus = "ok" | "error" | "interrupted";

/** Kernel → client. `id` is the execute request's id. */
export type KernelMessage =
  | { readonly type: "ready"; readonly pid: number; readonly versions: Readonly<Record<string, string>> }
  /** The cell starts (before its type check): its execution count, before any output. */
  | { readonly type: "started"; readonly id: string; readonly executionCount: number }
  | { readonly type: "stream"; readonly id: string; readonly name: "stdout" | "stderr"; readonly text: string }
  /** A rich output; with `displayId` it can later be replaced in place by `update`. */
  | { readonly type: "display"; readonly id: string; readonly data: MimeBundle; readonly metadata: Record<string, unknown>; readonly displayId?: string }
  | { readonly type: "update"; readonly id: string; readonly displayId: string; readonly data: MimeBundle; readonly metadata: Record<string, unknown> }
  /** The cell's last expression (when not undefined). */
  | { readonly type: "result"; readonly id: string; readonly executionCount: number; readonly data: MimeBundle; readonly metadata: Record<string, unknown> }
  | {
      readonly type: "error";
      readonly id: string;
      /** "TypeError" (type check failed), "Interrupted", or the thrown error's name. */
      readonly ename: string;
      readonly evalue: string;
      /** Human-readable lines with cell-relative line numbers. */
      readonly traceback: readonly string[];
      readonly diagnostics?: readonly CellDiagnostic[];
      /** Cell-relative 1-based line of a runtime error's innermost frame in this cell, when known. */
      readonly line?: number;
    }
  | { readonly type: "done"; readonly id: string; readonly status: ExecuteStatus; readonly executionCount: number; readonly ms: number }
  | { readonly type: "shutdown" };

/** The file descriptor of the protocol pipe inside the kernel process. */
export const PROTOCOL_FD = 3;
