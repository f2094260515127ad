import * as os from "node:os";

/**
 * A benchmark registered in bench/run.ts. `npm run bench` runs all of them; `npm run bench -- NAME …`
 * runs those whose name is given; `--key=value` arguments reach every benchmark as options.
 */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions): Promise<void>;
}

export type BenchOptions = Readonly<Record<string, string>>;

/** Integer option `--key=n`, or `fallback`. */
export function intOption(options: BenchOptions, key: string, fallback: number, min = 1): number {
  const raw = options[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${key}: expected an integer ≥ ${min}, got '${raw}'`);
  return n;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile (0 … 1) of `values`: the element at ⌊q·n⌋ of the sorted values (the largest for q = 1). */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Wall-clock seconds of `fn` (awaited). */
export async function seconds(fn: () => unknown): Promise<number> {
  return (await timed(fn)).wall;
}

/**
 * Wall-clock and process CPU seconds of `fn` (awaited). cpu / wall well below 1 means the process was
 * waiting for a core (a busy machine); above 1 means other threads of the process worked too (e.g. V8's
 * parallel garbage collector).
 */
export async function timed(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** `rotate([a,b,c], 1)` = [b,c,a]: alternates which implementation runs first in each round. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export interface Target {
  readonly label: string;
  readonly ratio: number;
  readonly atLeast: number;
}

export function targetLine(t: Target): string {
  const met = t.ratio >= t.atLeast;
  return `${t.label.padEnd(40)} ${fmtRatio(t.ratio).padStart(8)}   target ≥ ${fmtRatio(t.atLeast).padEnd(6)} ${met ? "met" : "NOT MET"}`;
}

export function fmtRatio(r: number): string {
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

export function fmtRate(r: number): string {
  return Math.round(r).toLocaleString("en-US");
}

/** Plain-text table; the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => rows.reduce((m, r) => Math.max(m, (r[c] ?? "").length), h.length));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** What the numbers were measured on. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  return (
    `node ${process.version} (${process.platform}/${process.arch}, V8 ${process.versions.v8}), ` +
    `${os.availableParallelism()} CPUs: ${cpus[0]?.model.trim() ?? "unknown"}, load average ${load}`
  );
}
