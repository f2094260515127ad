/**
 * Jupyter's `is_complete_request` for TypeScript: is the code a whole input (run it), an unfinished one
 * (a console asks for another line, indented), or a syntax error no further line can fix (run it, to
 * show the error)? Decided by the TypeScript parser: an input is unfinished when its only syntax errors
 * are at its very end ("'}' expected.", an unterminated template or comment).
 */
import ts from "typescript";
import type { IsComplete } from "./answers";

/** Syntax errors that mean "the text stopped early" when they stand at the end of the input. */
const UNFINISHED = new Set([
  1005, // '{0}' expected.
  1010, // '*/' expected.
  1109, // Expression expected.
  1160, // Unterminated template literal.
  1126, // Unexpected end of text.
]);

/** The indent for the next line: the last line's, one level deeper after an opening bracket. */
function nextIndent(code: string): string {
  const line = code.slice(code.lastIndexOf("\n") + 1);
  const current = /^\s*/.exec(line)![0];
  return /[{([]\s*$/.test(line) ? current + "  " : current;
}

export function isComplete(code: string): IsComplete {
  if (code.trim() === "") return { status: "complete" };
  // Syntax errors come from a transpile of the parsed file (public API; the parser's own list is internal).
  const { diagnostics = [] } = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  const syntax = diagnostics.filter((d) => d.start !== undefined);
  if (syntax.length === 0) return { status: "complete" };
  const atEnd = syntax.every((d) => UNFINISHED.has(d.code) && d.start! >= code.trimEnd().length);
  return atEnd ? { status: "incomplete", indent: nextIndent(code) } : { status: "invalid" };
}
