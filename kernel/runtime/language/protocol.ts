/**
 * Messages between a LanguageClient and the language worker thread (worker.ts): each request carries
 * an id and is answered once, in order. A notebook is named by a key the client chooses (its URI).
 */
import type { Completions, IsComplete, LanguageDiagnostic, QuickInfo } from "./answers";

export interface LanguageCalls {
  /** The notebook's TypeScript cells, in order; `root` is its folder. Sent before the calls that read them. */
  sync: { params: { notebook: string; root: string; cells: readonly string[] }; result: null };
  completions: { params: { notebook: string; cell: number; offset: number }; result: Completions };
  quickInfo: { params: { notebook: string; cell: number; offset: number }; result: QuickInfo | null };
  diagnostics: { params: { notebook: string }; result: LanguageDiagnostic[] };
  isComplete: { params: { code: string }; result: IsComplete };
  close: { params: { notebook: string }; result: null };
}

export type LanguageMethod = keyof LanguageCalls;

export type LanguageRequest = { [M in LanguageMethod]: { readonly id: number; readonly method: M; readonly params: LanguageCalls[M]["params"] } }[LanguageMethod];

export type LanguageResponse = { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: string };

/** What the worker needs to know at start (worker_threads `workerData`). */
export interface LanguageWorkerData {
  readonly typesDir: string;
  readonly fallbackTypeRoots: readonly string[];
}
