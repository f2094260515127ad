import { ExperimentConfigError } from "../engine/config/errors";
import { NfrunError } from "../record/errors";
import { EXIT } from "./cli-run";

/**
 * What the CLI says about an error that reached `main()`: one line naming the file, field or path
 * and the cause, and an exit code (README, "Exit codes"). The stack only with NEUROFORGE_DEBUG=1:
 * a person running `neuroforge` needs to know what to fix, not where in our code it was noticed.
 */
export interface ErrorReport {
  readonly line: string;
  readonly code: number;
}

/** Messages of allocation failures (V8, WebAssembly, Emscripten's sql.js heap). */
const OUT_OF_MEMORY = /allocation failed|invalid (typed )?array length|array buffer allocation|could not allocate memory|cannot enlarge memory|out of memory|memory access out of bounds/i;

export function reportError(error: unknown): ErrorReport {
  if (error instanceof ExperimentConfigError) return { line: `invalid experiment: ${error.describeAll()}`, code: EXIT.badConfig };
  if (error instanceof NfrunError) return { line: error.message, code: error.kind === "locked" ? EXIT.badConfig : EXIT.failed };
  if (!(error instanceof Error)) return { line: String(error), code: EXIT.failed };
  const first = error.message.split("\n")[0]!;
  if (OUT_OF_MEMORY.test(error.message)) {
    return {
      line: `out of memory (${first}): train a smaller model or data set, or record less (--record-neurons, --record-layers, --record-epochs)`,
      code: EXIT.failed,
    };
  }
  // System errors (a file that cannot be read or written) carry their path and code in the message.
  if (typeof (error as NodeJS.ErrnoException).code === "string") return { line: first, code: EXIT.failed };
  return { line: `${error.name}: ${first} (NEUROFORGE_DEBUG=1 prints the stack)`, code: EXIT.failed };
}

/** The stack, when NEUROFORGE_DEBUG=1 asks for it. */
export function debugStack(error: unknown): string | null {
  return process.env.NEUROFORGE_DEBUG === "1" && error instanceof Error && error.stack ? error.stack : null;
}
