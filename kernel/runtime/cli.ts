import { existsSync, statSync } from "node:fs";
import { relative } from "node:path";
import { Command, CommanderError } from "commander";
import { version } from "../../package.json";
import { buildExperiment, type BuiltExperiment } from "../engine/config/build";
import { ExperimentConfigError } from "../engine/config/errors";
import { loadExperiment } from "../engine/config/experiment";
import { runDemo } from "./cli-demo";
import { describeExperiment, EXIT, reportResult, trainInterruptibly, writeWeightsFile, type Print } from "./cli-run";
import { progressModeFor, ProgressReporter } from "./progress";
import { verifyCommand } from "./verify-command";
import { addKernelCommands } from "./kernel/kernelspec";

/**
 * The `neuroforge` command line:
 *   neuroforge train <experiment.yaml|.json> [--weights-out path] [--quiet]
 *   neuroforge demo [--quiet]
 *   neuroforge --version
 * Exit codes: 0 ok, 1 training failed (diverged, I/O), 2 bad config or usage, 130 interrupted (Ctrl-C).
 */

export interface CliIo {
  readonly out: Print;
  readonly err: Print;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface TrainOptions {
  readonly weightsOut?: string;
  readonly quiet?: boolean;
}

/** `neuroforge train`: resolve (nothing is written if that fails), build, train, write the weights. */
export async function trainCommand(path: string, options: TrainOptions, io: CliIo = defaultIo): Promise<number> {
  const quiet = options.quiet ?? false;
  const reporter = new ProgressReporter({ mode: progressModeFor(quiet), epochs: 1, print: io.out });
  let built: BuiltExperiment;
  try {
    const resolution = loadExperiment(path);
    reporter.epochs = resolution.experiment.training.epochs;
    built = buildExperiment(resolution, { observers: [reporter] });
  } catch (error) {
    if (error instanceof ExperimentConfigError) {
      io.err(`neuroforge: invalid experiment: ${error.describeAll()}`);
      return EXIT.badConfig;
    }
    throw error;
  }
  const weightsPath = options.weightsOut ?? built.experiment.export?.weights;
  if (weightsPath && existsSync(weightsPath) && statSync(weightsPath).isDirectory()) {
    io.err(`neuroforge: ${options.weightsOut ? "--weights-out" : "export.weights"}: ${weightsPath} is a directory; give a file path`);
    return EXIT.badConfig;
  }
  const out: Print = quiet ? () => {} : io.out;
  out(`NeuroForge ${version}`);
  describeExperiment(built, out, displayPath(path));
  out("");
  const epochs = built.experiment.training.epochs;
  reporter.start();
  const result = await trainInterruptibly(built, epochs);
  const code = reportResult(built, result, reporter, io.out, io.err);
  if (code !== EXIT.ok) return code;
  if (weightsPath) {
    const written = writeWeightsFile(built, weightsPath);
    io.out(`weights written to ${displayPath(written)}`);
  }
  return EXIT.ok;
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
    .description("train an experiment file (YAML or JSON) and optionally write the weights JSON")
    .argument("<experiment>", "experiment file (.yaml, .yml or .json)")
    .option("-o, --weights-out <path>", "write the trained weights JSON here (overrides export.weights)")
    .option("-q, --quiet", "print only the final result")
    .action(async (experiment: string, opts: { weightsOut?: string; quiet?: boolean }) => {
      done(await trainCommand(experiment, opts, io));
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
    .action(async (file: string) => {
      done(await verifyCommand(file, io.out, io.err));
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
    // System errors (a file that cannot be written, …) are the user's to fix: the message is enough.
    const systemError = error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";
    io.err(`neuroforge: ${error instanceof Error ? (systemError ? error.message : (error.stack ?? error.message)) : String(error)}`);
    return EXIT.failed;
  }
}

/** Entry point of dist/cli.js (bin/neuroforge.cjs) and of `npx tsx kernel/runtime/cli.ts`. */
export function run(): void {
  // `neuroforge … | head`: a closed pipe ends the program quietly instead of with an EPIPE stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  void main().then((code) => {
    process.exitCode = code;
  });
}

if (typeof require !== "undefined" && require.main === module) run();
