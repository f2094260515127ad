import * as fs from "node:fs";

/**
 * CPU time of this process's threads, from Linux's /proc/self/task/<tid>/schedstat (its first field: ns
 * on a CPU; exact, unlike the 10 ms ticks of /proc/…/stat). Empty where /proc is missing.
 */
export function threadCpuNs(): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(Number(tid), Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/**
 * Milliseconds of CPU of the busiest thread but the main one between two readings: while a run records,
 * the .nfrun writer thread (NaN without /proc).
 */
export function busiestOtherThreadMs(before: Map<number, number>, after: Map<number, number>): number {
  let most = NaN;
  for (const [tid, ns] of after) {
    if (tid === process.pid) continue;
    const ms = (ns - (before.get(tid) ?? 0)) / 1e6;
    if (!(ms <= most)) most = ms;
  }
  return most;
}

/** Milliseconds of CPU of the main thread between two readings (NaN without /proc). */
export function mainThreadMs(before: Map<number, number>, after: Map<number, number>): number {
  const b = before.get(process.pid);
  const a = after.get(process.pid);
  return a === undefined || b === undefined ? NaN : (a - b) / 1e6;
}
