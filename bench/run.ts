/**
 * Benchmark runner: `npm run bench` runs every registered benchmark; `npm run bench -- engine` runs one
 * (names are matched exactly); `--key=value` arguments are passed to the benchmarks as options
 * (e.g. `npm run bench -- engine --rounds=5`). To add a benchmark, write a sibling file exporting a
 * `Benchmark` and list it below.
 */
import { engineBenchmark } from "./engine";
import { recordBenchmark } from "./record";
import { kernelBenchmark } from "./kernel";
import { editorBenchmark } from "./editor";
import { popupBenchmark } from "./popup";
import { preconditionBenchmark } from "./precondition";
import { traceBenchmark } from "./trace";
import { languageBenchmark } from "./language";
import { wideBenchmark } from "./wide";
import { lifecycleBenchmark } from "./lifecycle";
import { courseBenchmark } from "./course";
import { sweepBenchmark } from "./sweep";
import { machineLine, type Benchmark } from "./lib/harness";

const registry: readonly Benchmark[] = [
  engineBenchmark,
  recordBenchmark,
  kernelBenchmark,
  editorBenchmark,
  popupBenchmark,
  preconditionBenchmark,
  traceBenchmark,
  languageBenchmark,
  wideBenchmark,
  lifecycleBenchmark,
  courseBenchmark,
  sweepBenchmark,
];

async function main(argv: readonly string[]): Promise<number> {
  const names: string[] = [];
  const options: Record<string, string> = {};
  for (const arg of argv) {
    if (arg === "--help" || arg === "-h") {
      console.log("usage: npm run bench [-- NAME … --key=value …]\n\nbenchmarks:");
      for (const b of registry) console.log(`  ${b.name.padEnd(12)} ${b.description}`);
      return 0;
    }
    const option = /^--([^=]+)=(.*)$/.exec(arg);
    if (option) options[option[1]!] = option[2]!;
    else names.push(arg);
  }
  const unknown = names.filter((n) => !registry.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${registry.map((b) => b.name).join(", ")}`);
    return 2;
  }
  const selected = names.length === 0 ? registry : registry.filter((b) => names.includes(b.name));
  console.log(machineLine());
  for (const b of selected) {
    console.log(`\n=== ${b.name}: ${b.description}`);
    const start = performance.now();
    await b.run(options);
    console.log(`(${b.name} took ${((performance.now() - start) / 1000).toFixed(0)} s)`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // One line, as the CLI's errors: a benchmark that cannot run says why (a missing tool, a failed notebook).
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
