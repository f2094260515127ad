import * as fs from "node:fs";
import { basename, dirname, join } from "node:path";
import { NfrunError } from "./errors";

/** Milliseconds spent in each phase of an atomic write. */
export interface WriteTimings {
  /** Producing the bytes (the export), the writes of what was ready going on meanwhile. */
  fillMs: number;
  /** Waiting for the writes still running once the bytes were all produced. */
  writeMs: number;
  fsyncMs: number;
  renameMs: number;
}

/** `<target>.tmp-<pid>`: the pid tells a later writer whether the file's process is gone. */
const TEMP_SUFFIX = ".tmp-";

/** Bytes written between two background flushes (`writeFileAtomicAsync`). */
const FLUSH_STEP = 16 << 20;

/** One write call's bytes at most (a single huge write stalls on this VM: docs/benchmarks.md). */
const WRITE_STEP = 1 << 20;

/** Hands a byte range on to be written at an offset; the bytes must stay unchanged until the write is done. */
export type FileSink = (bytes: Uint8Array, at: number) => void;

/**
 * Writes a file atomically with its bytes produced by `fill`: to the temporary file beside `target`
 * (`<target>.tmp-<pid>`), fsync, then renamed over the target, so the target is only ever a complete
 * file. Each range `fill` hands to its sink is written at once on libuv's thread pool, on another core
 * than the one producing the rest (a recorded run's final write comes when training is done); every
 * FLUSH_STEP bytes an fdatasync of what is written so far starts too, so the final fsync finds only the
 * tail. `fill` returns the whole file and whether its ranges covered it; if not, it is written again whole
 * once the ranges are done. A failure (a full disk) leaves the target as it was and no temporary file.
 */
export async function writeFileAtomicAsync(target: string, fill: (sink: FileSink) => { bytes: Uint8Array; complete: boolean }): Promise<WriteTimings & { bytes: number }> {
  const tmp = `${target}${TEMP_SUFFIX}${process.pid}`;
  const t0 = performance.now();
  let fd: number | null = null;
  let pending = 0;
  let failure: unknown = null;
  let settled: (() => void) | null = null;
  const done = (e: unknown) => {
    failure ??= e;
    if (--pending === 0) settled?.();
  };
  const allDone = () => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => (settled = resolve)));
  try {
    fd = fs.openSync(tmp, "w");
    const file = fd;
    let unflushed = 0;
    // A short write goes on with the rest (a filling disk then reports ENOSPC).
    const put = (part: Uint8Array, at: number): void =>
      fs.write(file, part, 0, part.byteLength, at, (e, n) => {
        if (!e && n > 0 && n < part.byteLength) put(part.subarray(n), at + n);
        else done(e ?? (n === part.byteLength ? null : new Error(`nothing written at ${at}`)));
      });
    const write = (bytes: Uint8Array, at: number) => {
      for (let off = 0; off < bytes.byteLength; off += WRITE_STEP) {
        pending++;
        put(bytes.subarray(off, Math.min(bytes.byteLength, off + WRITE_STEP)), at + off);
      }
      unflushed += bytes.byteLength;
      if (unflushed >= FLUSH_STEP) {
        unflushed = 0;
        pending++;
        fs.fdatasync(file, () => done(null)); // only a head start: the fsync below reports errors
      }
    };
    let filled: { bytes: Uint8Array; complete: boolean };
    try {
      filled = fill(write);
    } finally {
      await allDone();
    }
    const t1 = performance.now();
    if (failure) throw failure;
    if (!filled.complete) writeAll(file, filled.bytes);
    fs.ftruncateSync(file, filled.bytes.byteLength);
    const t2 = performance.now();
    fs.fsyncSync(file);
    const t3 = performance.now();
    fs.closeSync(file);
    fd = null;
    fs.renameSync(tmp, target);
    return { bytes: filled.bytes.byteLength, fillMs: t1 - t0, writeMs: t2 - t1, fsyncMs: t3 - t2, renameMs: performance.now() - t3 };
  } catch (e) {
    throw writeFailure(e, fd, tmp, target);
  }
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename over the target. */
export function writeFileAtomic(target: string, bytes: Uint8Array): void {
  const tmp = `${target}${TEMP_SUFFIX}${process.pid}`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, "w");
    writeAll(fd, bytes);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, target);
  } catch (e) {
    throw writeFailure(e, fd, tmp, target);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.byteLength; ) off += fs.writeSync(fd, bytes, off, Math.min(WRITE_STEP, bytes.byteLength - off), off);
}

/** The temporary file closed and removed; the error in words, naming the target. */
function writeFailure(e: unknown, fd: number | null, tmp: string, target: string): NfrunError {
  try {
    if (fd !== null) fs.closeSync(fd);
  } catch {
    /* already failing */
  }
  fs.rmSync(tmp, { force: true });
  return new NfrunError("io", `cannot be written: ${ioCause(e)} (the file on disk is unchanged)`, target);
}

/** "no space left on the device (ENOSPC)": the cause of a failed write, in words, with its code. */
function ioCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EROFS: "read-only file system",
    EACCES: "permission denied",
    EPERM: "permission denied",
    ENOENT: "its folder no longer exists",
    EIO: "input/output error",
  };
  return code ? `${words[code] ?? "write failed"} (${code})` : String((e as Error)?.message ?? e);
}

/**
 * Removes `<target>.tmp-<pid>` files beside `target` whose process is gone (a killed writer's
 * unfinished checkpoint). Called by the next writer of `target` once it holds the file's lock.
 */
export function removeStaleSpareFiles(target: string, isAlive: (pid: number) => boolean): void {
  const prefix = `${basename(target)}${TEMP_SUFFIX}`;
  let names: string[];
  try {
    names = fs.readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) fs.rmSync(join(dirname(target), name), { force: true });
  }
}
