import { NfrunError } from "../record/errors";
import { INTEGRITY_VERSION } from "../record/schema";
import { describeMismatch, verifyFile } from "../record/verify";
import { loadStrategyModule } from "./strategy-module";

/**
 * `neuroforge verify <file.nfrun> [--strategy module.ts]`: replays every recorded run and checks every
 * weight change. A run trained with a user's strategy replays only with that strategy's code: live in
 * the kernel that recorded it, or from the module given with `strategy` (its hash must match the one
 * stored). Returns the process exit code: 0 verified, 1 first mismatch (printed with its location), 2
 * the file cannot be read, the strategy module is missing or bad, or is not the code the run used
 * (typed NfrunError, plain message).
 */
export async function verifyCommand(
  path: string,
  out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  err: (line: string) => void = (l) => process.stderr.write(l + "\n"),
  options: { strategy?: string } = {},
): Promise<number> {
  try {
    if (options.strategy) loadStrategyModule(options.strategy);
    const result = await verifyFile(path);
    for (const r of result.runs) {
      out(
        `run ${r.runId} (${r.status}): ${r.epochsChecked} recorded epochs, ${r.commitsChecked} commits, ` +
          `${r.samplesChecked} samples, ${r.adjustmentsChecked} weight adjustments` +
          (r.testEpochsChecked > 0 ? `, test metrics of ${r.testEpochsChecked} epochs` : "") +
          " verified",
      );
    }
    if (result.mismatch) {
      err(`MISMATCH: ${describeMismatch(result.mismatch)}`);
      return 1;
    }
    const unproven = result.runs.filter((r) => r.integrity === "not-proven").length;
    if (unproven > 0) {
      out(
        `note: ${unproven === result.runs.length ? "this file predates" : `${unproven} run(s) predate`} the whole-run digest (schema version ${INTEGRITY_VERSION}): ` +
          "every row found is verified, but that no row is missing or was edited cannot be proven",
      );
    }
    out(`${path}: verified, every recorded weight change is explained${unproven === 0 ? " and every run is whole, as recorded" : ""}`);
    return 0;
  } catch (e) {
    if (e instanceof NfrunError) {
      err(`error (${e.kind}): ${e.message}`);
      return 2;
    }
    throw e;
  }
}

// Standalone: `npx tsx kernel/runtime/verify-command.ts file.nfrun`
if (typeof require !== "undefined" && require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: verify-command <file.nfrun> [strategy-module.ts]\n");
    process.exit(2);
  }
  verifyCommand(file, undefined, undefined, { strategy: process.argv[3] }).then((code) => process.exit(code));
}
