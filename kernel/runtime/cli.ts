import { relative } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { version } from "../../package.json";
import { ExperimentConfigError } from "../engine/config/errors";
import { NfrunError } from "../record/errors";
import { RunFileLock } from "../record/run-lock";
import type { RunPlan } from "./cli-config";
import { runDemo } from "./cli-demo";
import { EXIT, type Print } from "./cli-run";
import { auditRun, outputProblem, planRuns, planWarnings, writeRunOutputs, type PreparedRun, type RunOptions } from "./experiment-runs";
import { progressModeFor } from "./progress";
import { trainMember, type MemberView } from "./train-member";
import { debugStack, reportError } from "./cli-errors";
import { StopSignals } from "./stop-signals";
import { sweepHash, withHistory } from "./sweep-plan";
import { formatMainEffects } from "./sweep-report";
import { mainEffects } from "../engine/sweep/main-effects";
import { ARRAY_NAMES } from "../engine/sweep/orthogonal-arrays";
import type { FitResult } from "../engine/trainer";
import { linePrinter, terminalText } from "./terminal";
import { PolicyFlagError, recordingPolicy, type RecordPolicyFlags } from "./cli-record-policy";
import type { RecordingPolicy } from "../record/policy";
import { verifyCommand } from "./verify-command";
import { exportCommand, type ExportOptions } from "./cli-export";
import { plotCommand, type PlotOptions } from "./cli-plot";
import { mergeCommand } from "./cli-merge";
import { trainInParallel } from "./cli-parallel";
import { defaultJobs } from "./sweep-pool";
import type { BuiltExperiment } from "../engine/config/build";
import { addKernelCommands } from "./kernel/kernelspec";

/**
 * The `neuroforge` command line:
 *   neuroforge train <config.yaml|.json> [overrides…] [-m] [--config-dir D] [--record out.nfrun]
 *                    [--record-epochs first=N,every=K,last] [--record-layers L,…] [--record-neurons L:N,…]
 *                    [--export-config out.json] [--audit-log log.md] [--weights-out path] [--quiet]
 *   neuroforge verify <file.nfrun> [--strategy module.ts]
 *   neuroforge export <file.nfrun> --to DIR [--max-theta-mb N]
 *   neuroforge plot <file.nfrun> --out plot.svg [--run ID] [--weights l:n:w,…] [--panel signals[:mode]]…
 *   neuroforge merge a.nfrun b.nfrun … -o all.nfrun
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

export interface TrainOptions extends RunOptions, RecordPolicyFlags {
  readonly quiet?: boolean;
  /** Worker threads for a sweep's runs (default: the number of cores; 1: one after the other). */
  readonly jobs?: number;
}

function parseJobs(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError(`expected a whole number from 1 to 1024, got '${text}'`);
  return n;
}

/**
 * `neuroforge train`: compose and resolve every run first (nothing runs and nothing is written if
 * one fails), then build, train, record and write each.
 */
export async function trainCommand(path: string, options: TrainOptions, io: CliIo = defaultIo): Promise<number> {
  const bad = (message: string): number => badUsage(io, message);
  let plans: RunPlan[];
  try {
    options = await withHistory(path, options);
    plans = planRuns(path, options);
  } catch (error) {
    if (error instanceof ExperimentConfigError) return bad(`invalid experiment: ${error.describeAll()}`);
    throw error;
  }
  if (plans.length === 0) {
    io.out(`search budget spent: ${options.history?.length ?? 0} runs in ${options.historyFrom ?? options.record}`);
    return EXIT.ok;
  }
  const problem = outputProblem(plans, options);
  if (problem) return bad(problem);
  for (const warning of planWarnings(plans)) io.err(`neuroforge: warning: ${warning}`);
  let policy: RecordingPolicy;
  try {
    policy = recordingPolicy(options);
  } catch (error) {
    if (error instanceof PolicyFlagError) return bad(error.message);
    throw error;
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
    return await trainPlans(path, plans, { ...options, lock, policy }, stop, io);
  } finally {
    stop.dispose();
    lock?.release();
  }
}

/** Trains, records and writes each planned run (their files already checked and the record file locked). */
async function trainPlans(
  path: string,
  plans: readonly RunPlan[],
  options: TrainOptions & { lock: RunFileLock | null; policy: RecordingPolicy },
  stop: StopSignals,
  io: CliIo,
): Promise<number> {
  const quiet = options.quiet ?? false;
  const multi = plans.length > 1;
  const out: Print = quiet ? () => {} : io.out;
  out(`NeuroForge ${version}`);
  const sweep = plans[0]!.sweep;
  if (sweep) out(`sweep: ${sweep.design}, ${plans.length} members, factors ${sweep.factors.map((f) => f.name).join(", ")}; sweep sha256 ${sweepHash(sweep)}`);
  else if (multi) out(`multirun: ${plans.length} runs`);
  const jobs = options.jobs ?? defaultJobs();
  const parallel = multi && jobs > 1;
  const view = (k: number): MemberView => ({
    ...(multi ? { header: `[run ${k + 1}/${plans.length}] ${plans[k]!.label}` } : {}),
    source: displayPath(path),
    ...(options.record ? { recordShown: displayPath(options.record) } : {}),
    quiet,
    // A worker thread prints lines: a progress bar cannot be drawn from it.
    progress: progressModeFor(quiet, parallel ? { isTTY: false } : process.stderr),
  });
  let results: readonly FitResult[];
  let trained: readonly { readonly plan: RunPlan; readonly built?: BuiltExperiment }[];
  if (parallel) {
    const outcome = await trainInParallel(path, plans, { ...options, jobs }, view, stop, io.out, io.err);
    if (outcome.code !== EXIT.ok) return outcome.code;
    results = outcome.results;
    trained = plans.map((plan) => ({ plan }));
  } else {
    const serial = await trainSerially(plans, options, view, stop, io);
    if (typeof serial === "number") return serial;
    ({ results, trained } = serial);
  }
  if (sweep && (ARRAY_NAMES as readonly string[]).includes(sweep.design) && options.shard === undefined) {
    const byMember = new Map(plans.map((plan, k) => [plan.member?.index, results[k]]));
    const losses = sweep.members.map((m) => (byMember.get(m.index)?.status === "completed" ? byMember.get(m.index)!.loss : NaN));
    // The sweep's result, as the final loss is a run's: printed even with --quiet.
    io.out("");
    for (const line of formatMainEffects(mainEffects(sweep, losses))) io.out(line);
  }
  const written = writeRunOutputs(plans, trained, options);
  for (const config of written.configs) io.out(`resolved config written to ${displayPath(config)}`);
  if (written.sweep) io.out(`resolved sweep written to ${displayPath(written.sweep)}`);
  if (written.weights) io.out(`weights written to ${displayPath(written.weights)}`);
  return EXIT.ok;
}

/** One run after the other in this thread; an exit code when one does not complete. */
async function trainSerially(
  plans: readonly RunPlan[],
  options: TrainOptions & { lock: RunFileLock | null; policy: RecordingPolicy },
  view: (k: number) => MemberView,
  stop: StopSignals,
  io: CliIo,
): Promise<{ results: FitResult[]; trained: PreparedRun[] } | number> {
  const trained: PreparedRun[] = [];
  const results: FitResult[] = [];
  for (const [k, plan] of plans.entries()) {
    if (stop.received) return stop.exitCode(EXIT.interrupted);
    const member = await trainMember(plan, options, { lock: options.lock, policy: options.policy }, stop, io, view(k));
    if (!member.run || !member.result) return member.code;
    auditRun(plan, member.run.hash, member.result, options, member.run.recorder?.runId);
    trained.push(member.run);
    results.push(member.result);
    if (member.code !== EXIT.ok) return member.code;
  }
  return { results, trained };
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
    .option("--record-epochs <spec>", "epochs to record: all (default), or any of first=N, every=K, last (comma-separated)")
    .option("--record-layers <list>", "record only these layers' neurons (comma-separated indices; the layer below is kept as their inputs)")
    .option("--record-neurons <list>", "record only these neurons, as layer:neuron pairs (1:0,0:3)")
    .option("--export-config <file.json>", "write the resolved config as JSON (an array for a multirun)")
    .option("--export-sweep <file.json>", "write the resolved sweep (design, factors, every member's overrides) as JSON")
    .option("--audit-log <file.md>", "append a markdown block per run: time, config hash, optimizer, schedule")
    .option("-o, --weights-out <path>", "write the trained weights JSON here (overrides export.weights)")
    .option("-j, --jobs <n>", "runs of a sweep trained at once, each on a worker thread (default: the number of cores)", parseJobs)
    .option("--history-from <file.nfrun>", "an adaptive search (bandit, evolution) proposes its next round from the runs in this file (default: --record)")
    .option("--shard <i/n>", "run only shard i (0-based) of n of the sweep's runs, a contiguous block; merge the shards' files with `neuroforge merge`")
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
  program
    .command("plot")
    .description("plot a recorded run's signals (loss, lr scale, norms, update ratios, chosen weights, test metrics) to SVG or PNG; see docs/signals.md")
    .argument("<file>", "run file (.nfrun)")
    .requiredOption("--out <file>", "the SVG (or PNG) to write")
    .option("--format <svg|png>", "image format (default: png when --out ends in .png, else svg)")
    .option("--run <id>", "which run (needed when the file holds several)")
    .option("--weights <l:n:w,…>", "weights whose θ[t] to plot (the signal 'weights'); weight = inputs is the bias")
    .option("--panel <signals[:mode]>", "a panel: signal names (comma-separated), mode components|summary|hybrid; repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .option("--summary <kind>", "summary of vector signals: rms, norm or mean-abs (default rms)")
    .option("--top <n>", "hybrid panels: how many components beside the summary (default 3)")
    .option("--log <auto|on|off>", "log y axis (default auto: positive values spanning decades)")
    .action(async (file: string, opts: PlotOptions) => {
      done(await plotCommand(file, opts, io.out, io.err));
    });
  program
    .command("merge")
    .description("combine run files (a sweep's shards) into one: each input verified, nothing lost, duplicates refused")
    .argument("<files...>", "run files (.nfrun) to merge, in order")
    .requiredOption("-o, --out <file.nfrun>", "the merged file to write (must not exist)")
    .action(async (files: string[], opts: { out: string }) => {
      done(await mergeCommand(files, opts, io.out, io.err));
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
