import { existsSync, statSync } from "node:fs";
import { relative } from "node:path";
import { Command, CommanderError } from "commander";
import { version } from "../../package.json";
import { buildExperiment, type BuiltExperiment } from "../engine/config/build";
import { ExperimentConfigError } from "../engine/config/errors";
import { expandSweep } from "../engine/config/sweep";
import type { TrainingObserver } from "../engine/observer";
import { DatasetScaler } from "../engine/scalers";
import { configHash } from "../record/config-hash";
import { NfrunError } from "../record/errors";
import { RunRecorder } from "../record/recorder";
import { RunFileLock } from "../record/run-lock";
import { appendAuditLog, auditBlock, planRun, type RunPlan } from "./cli-config";
import { writeTextAtomic } from "./files";
import { runDemo } from "./cli-demo";
import { describeExperiment, EXIT, reportResult, trainInterruptibly, writeWeightsFile, type Print } from "./cli-run";
import { progressModeFor, ProgressReporter } from "./progress";
import { debugStack, reportError } from "./cli-errors";
import { StopSignals } from "./stop-signals";
import { linePrinter, terminalText } from "./terminal";
import { verifyCommand } from "./verify-command";
import { exportCommand, type ExportOptions } from "./cli-export";
import { addKernelCommands } from "./kernel/kernelspec";

/**
 * The `neuroforge` command line:
 *   neuroforge train <config.yaml|.json> [overrides…] [-m] [--config-dir D] [--record out.nfrun]
 *                    [--export-config out.json] [--audit-log log.md] [--weights-out path] [--quiet]
 *   neuroforge verify <file.nfrun> [--strategy module.ts]
 *   neuroforge export <file.nfrun> --to DIR [--max-theta-mb N]
 *   neuroforge demo [--quiet]
 *   neuroforge --version
 * Exit codes: 0 ok, 1 training failed (diverged, I/O during the run, out of memory), 2 bad config or
 * usage (a destination that cannot be written, a file another run is recording into), 130 / 143 / 129
 * interrupted by SIGINT (Ctrl-C) / SIGTERM / SIGHUP.
 */

export interface CliIo {
  readonly out: Print;
  readonly err: Print;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${terminalText(line)}\n`),
  err: (line) => process.stderr.write(`${terminalText(line)}\n`),
};

export interface TrainOptions {
  readonly weightsOut?: string;
  readonly quiet?: boolean;
  /** `key=value` overrides (and `group=option` selections), as on the command line. */
  readonly overrides?: readonly string[];
  /** Multirun: comma lists in overrides are sweep axes; every combination is a run. */
  readonly multirun?: boolean;
  readonly configDir?: string;
  /** Record the run(s) into this .nfrun file (appended to its runs when it exists). */
  readonly record?: string;
  /** Write the resolved config JSON here (a JSON array of them for a multirun). */
  readonly exportConfig?: string;
  /** Append a markdown block per run (time, config hash, optimizer, schedule) to this file. */
  readonly auditLog?: string;
}

/**
 * `neuroforge train`: compose and resolve every run first (nothing runs and nothing is written if
 * one fails), then build, train, record and write each.
 */
export async function trainCommand(path: string, options: TrainOptions, io: CliIo = defaultIo): Promise<number> {
  const bad = (message: string): number => badUsage(io, message);
  let plans: RunPlan[];
  try {
    const runs = options.multirun ? expandSweep(options.overrides ?? []) : [[...(options.overrides ?? [])]];
    plans = runs.map((overrides) => planRun(path, overrides, runs, options.configDir));
  } catch (error) {
    if (error instanceof ExperimentConfigError) return bad(`invalid experiment: ${error.describeAll()}`);
    throw error;
  }
  const multi = plans.length > 1;
  if (multi && options.weightsOut) return bad("--weights-out: a multirun has several runs; record them (--record) instead of one weights file");
  if (multi && plans.some((p) => p.resolution.experiment.export?.weights)) {
    return bad("export.weights: every run of a multirun would write the same weights file; remove it or use --record");
  }
  const weightsPath = options.weightsOut ?? plans[0]!.resolution.experiment.export?.weights;
  if (weightsPath && existsSync(weightsPath) && statSync(weightsPath).isDirectory()) {
    return bad(`${options.weightsOut ? "--weights-out" : "export.weights"}: ${weightsPath} is a directory; give a file path`);
  }
  for (const [flag, target] of [
    ["--record", options.record],
    ["--export-config", options.exportConfig ?? plans[0]!.resolution.experiment.export?.config],
    ["--audit-log", options.auditLog ?? plans[0]!.resolution.experiment.export?.audit_log],
  ] as const) {
    if (target && existsSync(target) && statSync(target).isDirectory()) return bad(`${flag}: ${target} is a directory; give a file path`);
  }

  // One writer per file, and a destination that cannot be written is found now, before any training.
  let lock: RunFileLock | null = null;
  if (options.record) {
    try {
      lock = RunFileLock.acquire(options.record);
    } catch (error) {
      if (error instanceof NfrunError) return bad(`--record: ${error.message}`);
      throw error;
    }
  }
  const stop = new StopSignals();
  try {
    return await trainPlans(path, plans, { ...options, lock }, stop, io);
  } finally {
    stop.dispose();
    lock?.release();
  }
}

/** Trains, records and writes each planned run (their files already checked and the record file locked). */
async function trainPlans(
  path: string,
  plans: readonly RunPlan[],
  options: TrainOptions & { lock: RunFileLock | null },
  stop: StopSignals,
  io: CliIo,
): Promise<number> {
  const quiet = options.quiet ?? false;
  const multi = plans.length > 1;
  const weightsPath = options.weightsOut ?? plans[0]!.resolution.experiment.export?.weights;
  const bad = (message: string): number => badUsage(io, message);
  const out: Print = quiet ? () => {} : io.out;
  out(`NeuroForge ${version}`);
  if (multi) out(`multirun: ${plans.length} runs`);
  const exported: unknown[] = [];
  let lastBuilt: BuiltExperiment | null = null;
  for (const [k, plan] of plans.entries()) {
    const { resolution } = plan;
    const experiment = resolution.experiment;
    const hash = configHash(experiment);
    if (stop.received) return stop.exitCode(EXIT.interrupted);
    if (multi) out(`\n[run ${k + 1}/${plans.length}] ${plan.label}`);
    const reporter = new ProgressReporter({ mode: progressModeFor(quiet), epochs: experiment.training.epochs, print: io.out });
    let recorder: RunRecorder | null = null;
    let built: BuiltExperiment;
    try {
      const observers: TrainingObserver[] = [reporter];
      if (options.record) {
        // The data the run trains on: scaled exactly as buildExperiment scales it.
        const raw = resolution.dataset;
        recorder = await RunRecorder.create(options.record, {
          data: DatasetScaler.fit(raw, experiment.scale, "scale").transform(raw),
          config: experiment,
          seed: experiment.seed,
          epochs: experiment.training.epochs,
          ...(options.lock ? { lock: options.lock } : {}),
        });
        observers.push(recorder);
      }
      built = buildExperiment(resolution, { observers });
    } catch (error) {
      if (error instanceof ExperimentConfigError) return bad(`invalid experiment: ${error.describeAll()}`);
      if (error instanceof NfrunError) return bad(`--record: ${error.message}`);
      throw error;
    }
    lastBuilt = built;
    describeExperiment(built, out, displayPath(path));
    out(`  config     sha256 ${hash}${plan.overrides.length ? `   overrides: ${plan.overrides.join(" ")}` : ""}`);
    out("");
    reporter.start();
    const result = await trainInterruptibly(built, experiment.training.epochs, stop);
    const code = reportResult(built, result, reporter, io.out, io.err, stop);
    if (recorder) {
      const status = recorder.finish(result);
      io.out(`run ${recorder.runId} recorded to ${displayPath(options.record!)} (${status})`);
    }
    exported.push(experiment);
    const auditLog = options.auditLog ?? experiment.export?.audit_log;
    if (auditLog) appendAuditLog(auditLog, auditBlock(experiment, hash, plan.overrides, result.status, result.loss, recorder?.runId));
    if (code !== EXIT.ok) return code;
  }
  const exportPath = options.exportConfig ?? plans[0]!.resolution.experiment.export?.config;
  if (exportPath) {
    const written = writeTextAtomic(exportPath, `${JSON.stringify(multi ? exported : exported[0], null, 2)}\n`);
    io.out(`resolved config written to ${displayPath(written)}`);
  }
  if (weightsPath) {
    const written = writeWeightsFile(lastBuilt!, weightsPath);
    io.out(`weights written to ${displayPath(written)}`);
  }
  return EXIT.ok;
}

/** A bad config or usage: one line, exit 2. */
function badUsage(io: CliIo, message: string): number {
  io.err(`neuroforge: ${message}`);
  return EXIT.badConfig;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") ? path : rel;
}

export function createProgram(io: CliIo = defaultIo, done: (code: number) => void = () => {}): Command {
  const program = new Command();
  program
    .name("neuroforge")
    .description("NeuroForge: train small neural networks where every weight change is explainable.")
    .version(version, "-V, --version", "print the version")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command("train")
    .description("train an experiment (YAML or JSON, composed with its defaults list and the overrides); see docs/configs.md")
    .argument("<experiment>", "experiment file (.yaml, .yml or .json)")
    .argument("[overrides...]", "key=value overrides, group=option selections, +key=value additions, ~key deletions")
    .option("-m, --multirun", "sweep: comma lists in overrides (optimizer=adam,sgd optimizer.lr=1e-3,1e-2) run every combination")
    .option("--config-dir <dir>", "folder holding the config groups (default: the experiment file's folder)")
    .option("--record <file.nfrun>", "record the run(s) into a .nfrun file (appended when it exists)")
    .option("--export-config <file.json>", "write the resolved config as JSON (an array for a multirun)")
    .option("--audit-log <file.md>", "append a markdown block per run: time, config hash, optimizer, schedule")
    .option("-o, --weights-out <path>", "write the trained weights JSON here (overrides export.weights)")
    .option("-q, --quiet", "print only the final result")
    .action(async (experiment: string, overrides: string[], opts: Omit<TrainOptions, "overrides">) => {
      done(await trainCommand(experiment, { ...opts, overrides }, io));
    });

  program
    .command("demo")
    .description("a headless training demo on built-in data (XOR): architecture, optimizer, loss per epoch")
    .option("-q, --quiet", "print only the final result")
    .action(async (opts: { quiet?: boolean }) => {
      done(await runDemo({ quiet: opts.quiet ?? false }, io));
    });

  program
    .command("verify")
    .description("replay a recorded run (.nfrun) and check every weight change; exits non-zero at the first mismatch")
    .argument("<file>", "run file (.nfrun)")
    .option("--strategy <module.ts>", "a module exporting the strategy a run was trained with, when it is not built in (its hash must match the stored one)")
    .action(async (file: string, opts: { strategy?: string }) => {
      done(await verifyCommand(file, io.out, io.err, opts));
    });
  program
    .command("export")
    .description("write a recorded run as trace.npz (numpy), meta.json and summary.json; a sweep as manifest.json, runs/<id>/, summary.csv")
    .argument("<file>", "run file (.nfrun)")
    .requiredOption("--to <dir>", "destination folder (created)")
    .option("--max-theta-mb <n>", "leave θ[t] out of trace.npz above this size (default 512)")
    .action(async (file: string, opts: ExportOptions) => {
      done(await exportCommand(file, opts, io.out, io.err));
    });
  addKernelCommands(program, io.out, io.err, done);
  return program;
}

/** Runs the CLI on `argv` (as process.argv) and returns the exit code. */
export async function main(argv: readonly string[] = process.argv, io: CliIo = defaultIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; usage errors get the bad-config/usage code.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badConfig;
    }
    return printError(error, io.err);
  }
}

/** One line (and the stack with NEUROFORGE_DEBUG=1) for an error; returns its exit code. */
function printError(error: unknown, err: Print): number {
  const report = reportError(error);
  err(`neuroforge: ${report.line}`);
  const stack = debugStack(error);
  if (stack) err(stack);
  return report.code;
}

/** Entry point of dist/cli.js (bin/neuroforge.cjs) and of `npx tsx kernel/runtime/cli.ts`. */
export function run(): void {
  // `neuroforge … | head`: a closed pipe silences that stream, the run goes on (terminal.ts).
  const io: CliIo = { out: linePrinter(process.stdout), err: linePrinter(process.stderr) };
  // Errors outside main's promise (an event handler, a worker's message) are reported the same way.
  const fatal = (error: unknown): void => process.exit(printError(error, io.err));
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  void main(process.argv, io).then((code) => {
    process.exitCode = code;
  });
}

if (typeof require !== "undefined" && require.main === module) run();
