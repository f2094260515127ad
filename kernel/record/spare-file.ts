import * as fs from "node:fs";

/** Milliseconds spent in each phase of an atomic write. */
export interface WriteTimings {
  writeMs: number;
  fsyncMs: number;
  renameMs: number;
}

/** Zeros to extend a spare file with (never written to). */
const ZEROS = new Uint8Array(4 << 20);

/**
 * The temporary file beside `target` (`<target>.tmp-<pid>`) that the next atomic write goes to: the
 * bytes written over it, fsync, then renamed over the target, so the target is only ever a complete
 * file. The writer thread extends it with zeros while idle (`grow`), ahead of the write: the first
 * write of a file's pages makes the kernel allocate their page cache, which on this VM costs far more
 * than the copy (docs/benchmarks.md, "Recording"); the checkpoint then overwrites pages that exist.
 */
export class SpareFile {
  private readonly tmp: string;
  private fd: number | null = null;
  private size = 0;

  constructor(readonly target: string) {
    this.tmp = `${target}.tmp-${process.pid}`;
  }

  /** Extends the file by one step (≤ 4 MiB) toward `bytes`; true while it is still shorter. */
  grow(bytes: number): boolean {
    if (this.size >= bytes) return false;
    this.fd ??= fs.openSync(this.tmp, "w");
    this.size += fs.writeSync(this.fd, ZEROS, 0, Math.min(ZEROS.byteLength, bytes - this.size), this.size);
    return this.size < bytes;
  }

  /** Writes `bytes` over the file, cuts it to their length, fsync, renames it over the target. */
  commit(bytes: Uint8Array): WriteTimings {
    const t0 = performance.now();
    let t1 = t0;
    let t2 = t0;
    const fd = this.fd ?? fs.openSync(this.tmp, "w");
    this.fd = null;
    this.size = 0;
    try {
      let off = 0;
      while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off, off);
      fs.ftruncateSync(fd, bytes.byteLength);
      t1 = performance.now();
      fs.fsyncSync(fd);
      t2 = performance.now();
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(this.tmp, this.target);
    return { writeMs: t1 - t0, fsyncMs: t2 - t1, renameMs: performance.now() - t2 };
  }

  /** Closes and removes the file if it was started (a run that ends without writing it). */
  discard(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    this.size = 0;
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename over the target. */
export function writeFileAtomic(path: string, bytes: Uint8Array): WriteTimings {
  return new SpareFile(path).commit(bytes);
}
