import * as fs from "node:fs";
import { basename, dirname, join } from "node:path";
import { NfrunError } from "./errors";

/** Milliseconds spent in each phase of an atomic write. */
export interface WriteTimings {
  writeMs: number;
  fsyncMs: number;
  renameMs: number;
}

/** `<target>.tmp-<pid>`: the pid tells a later writer whether the file's process is gone. */
const TEMP_SUFFIX = ".tmp-";

/** Bytes a checkpoint writes between two background flushes (SpareFile.commitWith). */
const FLUSH_STEP = 16 << 20;

/** Where SpareFile.commitWith gathers consecutive small writes (the writer thread's checkpoints take turns). */
const STAGE = new Uint8Array(1 << 20);

/** Zeros to extend a spare file with (never written to). */
const ZEROS = new Uint8Array(4 << 20);

/**
 * The temporary file beside `target` (`<target>.tmp-<pid>`) that the next atomic write goes to: the
 * bytes written over it, fsync, then renamed over the target, so the target is only ever a complete
 * file. The writer thread extends it with zeros while idle (`grow`), ahead of the write: the first
 * write of a file's pages makes the kernel allocate their page cache, which on this VM costs far more
 * than the copy (docs/benchmarks.md, "Recording"); the checkpoint then overwrites pages that exist.
 * Once grown, the zeros are also flushed to disk in the background, so the file system has allocated
 * the file's blocks before the checkpoint's fsync, which then only writes the data.
 */
export class SpareFile {
  private readonly tmp: string;
  private fd: number | null = null;
  private size = 0;
  /** Bumped by each commit and discard: a background flush concerns the file of its generation only. */
  private generation = 0;
  /** Generation of the file being flushed (−1: none). */
  private flushing = -1;
  private flushed = 0;

  constructor(readonly target: string) {
    this.tmp = `${target}${TEMP_SUFFIX}${process.pid}`;
  }

  /** Extends the file by one step (≤ 4 MiB) toward `bytes`; true while it is shorter and may grow on. */
  grow(bytes: number): boolean {
    // Not while this file's flush runs: writing pages under writeback waits for it.
    if (this.flushing === this.generation) return false;
    if (this.size < bytes) {
      this.fd ??= fs.openSync(this.tmp, "w");
      this.size += fs.writeSync(this.fd, ZEROS, 0, Math.min(ZEROS.byteLength, bytes - this.size), this.size);
    }
    if (this.size < bytes) return true;
    this.flushAhead();
    return false;
  }

  /**
   * fdatasync of the grown file on libuv's thread pool, through its own descriptor (so it never races
   * the writer's: a flush that loses the race to a commit syncs the renamed file, or fails to open).
   * At most one per file at a time; only a head start, so errors are ignored.
   */
  private flushAhead(): void {
    if (this.flushing === this.generation || this.fd === null || this.flushed >= this.size) return;
    const generation = (this.flushing = this.generation);
    const size = this.size;
    const done = () => {
      if (generation !== this.generation) return;
      this.flushing = -1;
      this.flushed = size;
    };
    fs.open(this.tmp, "r", (e, fd) => {
      if (e) return done();
      fs.fdatasync(fd, () => fs.close(fd, done));
    });
  }

  /** Writes `bytes` over the file, cuts it to their length, fsync, renames it over the target. */
  commit(bytes: Uint8Array): WriteTimings {
    return this.commitWith((write) => (write(bytes, 0), bytes.byteLength));
  }

  /**
   * The same with the bytes produced by `fill`: it hands them to `write` at their offsets (in any
   * order, a later write over an earlier one) and returns the file's length. Every FLUSH_STEP bytes
   * written, an fdatasync of what is written so far starts on libuv's pool (`flushBehind`), so the
   * disk writes while `fill` produces the rest and the final fsync finds only the tail not yet on disk.
   * `writeMs` is the time spent in the writes alone.
   */
  commitWith(fill: (write: (bytes: Uint8Array, at: number) => void) => number): WriteTimings & { bytes: number } {
    const t0 = performance.now();
    let writeMs = 0;
    let fsyncMs = 0;
    let t2 = t0;
    let bytes = 0;
    try {
      const fd = this.fd ?? fs.openSync(this.tmp, "w");
      this.reset();
      try {
        let unflushed = 0;
        const put = (b: Uint8Array, at: number) => {
          const w0 = performance.now();
          for (let off = 0; off < b.byteLength; ) off += fs.writeSync(fd, b, off, b.byteLength - off, at + off);
          writeMs += performance.now() - w0;
          unflushed += b.byteLength;
          if (unflushed >= FLUSH_STEP) {
            unflushed = 0;
            this.flushBehind();
          }
        };
        // Consecutive small writes (an export's pages) gather in the stage: one write call per MiB, not per page.
        let stageAt = 0;
        let staged = 0;
        const drain = () => {
          if (staged > 0) put(STAGE.subarray(0, staged), stageAt);
          staged = 0;
        };
        bytes = fill((b, at) => {
          if (staged > 0 && (at !== stageAt + staged || staged + b.byteLength > STAGE.byteLength)) drain();
          if (b.byteLength >= STAGE.byteLength) return put(b, at);
          if (staged === 0) stageAt = at;
          STAGE.set(b, staged);
          staged += b.byteLength;
        });
        drain();
        fs.ftruncateSync(fd, bytes);
        const t1 = performance.now();
        fs.fsyncSync(fd);
        t2 = performance.now();
        fsyncMs = t2 - t1;
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(this.tmp, this.target);
    } catch (e) {
      // A full disk (or any failure) leaves the target as it was and no temporary file behind.
      fs.rmSync(this.tmp, { force: true });
      if (e instanceof NfrunError) throw e;
      throw new NfrunError("io", `cannot be written: ${ioCause(e)} (the file on disk is unchanged)`, this.target);
    }
    return { bytes, writeMs, fsyncMs, renameMs: performance.now() - t2 };
  }

  /** Starts an fdatasync of the file being written (own descriptor, opened now so the pool starts at once); only a head start, errors ignored. */
  private flushBehind(): void {
    let fd: number;
    try {
      fd = fs.openSync(this.tmp, "r");
    } catch {
      return;
    }
    fs.fdatasync(fd, () => fs.close(fd, () => undefined));
  }

  /** Closes and removes the file if it was started (a run that ends without writing it). */
  discard(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.reset();
    fs.rmSync(this.tmp, { force: true });
  }

  private reset(): void {
    this.fd = null;
    this.size = 0;
    this.flushed = 0;
    this.generation++;
  }
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename over the target. */
export function writeFileAtomic(path: string, bytes: Uint8Array): WriteTimings {
  return new SpareFile(path).commit(bytes);
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
