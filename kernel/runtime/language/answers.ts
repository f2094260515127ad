/**
 * What the notebook language service answers (plain data: it crosses a worker boundary). Offsets are
 * UTF-16 offsets into the cell's text, as in a VS Code document and a JavaScript string.
 */

export interface CompletionEntry {
  readonly name: string;
  /** TypeScript's ScriptElementKind (`method`, `property`, `class`, `keyword`, …). */
  readonly kind: string;
  readonly sortText: string;
  /** Text to insert when it differs from the name (e.g. `["a b"]`). */
  readonly insertText?: string;
}

export interface Completions {
  /** The text the entries replace: the identifier (part) before the cursor. */
  readonly start: number;
  readonly end: number;
  readonly entries: readonly CompletionEntry[];
}

export interface QuickInfo {
  readonly start: number;
  readonly end: number;
  /** TypeScript's display text (`const x: number`, `class Trainer`), plus constructor signatures of a class. */
  readonly signature: string;
  /** The JSDoc text and tags, as plain text; empty when there is none. */
  readonly documentation: string;
}

export interface LanguageDiagnostic {
  /** Index of the cell in the list given to the service. */
  readonly cell: number;
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly code: number;
  readonly severity: "error" | "warning" | "suggestion";
}

export type IsComplete = { readonly status: "complete" } | { readonly status: "invalid" } | { readonly status: "incomplete"; readonly indent: string };
