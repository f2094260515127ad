import type { Database } from "sql.js";

/**
 * A reused destination for `db.export()`, so that only the first checkpoint of a run pays for fresh
 * memory.
 *
 * sql.js's export copies the database (page by page, through an SQLite backup) into a freshly
 * allocated `Uint8Array` of exactly page_count × page_size bytes. On the machines we measured, first
 * touching fresh memory costs 3–5 ms per MB: for a 29 MB file the export took ~110–160 ms, of which
 * ~95 ms were page faults (the same export into reused memory: 10–25 ms). sql.js 1.16 exposes neither
 * its file system (no `FS`, so no MEMFS backing array to write from), nor `sqlite3_serialize`, nor
 * the `sqlite_dbpage` table, nor URI filenames (no `memdb` VFS): the bytes of the file can only be had
 * through `export()`.
 *
 * So the recorder keeps one buffer (twice the file's size at the time; the untouched part costs
 * nothing but address space) and makes `export()` fill
 * it instead of a fresh one: while `export()` runs (synchronously; nothing else runs), the global
 * `Uint8Array` constructor answers the one allocation of exactly the database's size with a view of
 * the kept buffer. If sql.js ever allocates differently, nothing matches and the export uses fresh
 * memory as before (still correct; counted in `misses`).
 *
 * Measured and rejected: touching the buffer's pages ahead of time from a worker thread while
 * training runs. The export then took ~40 ms instead of ~380 ms for a 96 MB file, but the fit slowed
 * down by as much (on a 2-core VM the page faults do not run in parallel with the training thread),
 * and for a 29 MB file the worker could not keep up at all. See docs/benchmarks.md.
 */
export class ExportBuffer {
  private buf: Uint8Array | null = null;
  /** Exports that landed in the kept buffer / that fell back to fresh memory. */
  hits = 0;
  misses = 0;

  /** `db.export()`, landing in the kept buffer when it is large enough. The result is valid until the next call. */
  export(db: Database): Uint8Array {
    const size = Number(db.exec("PRAGMA page_count")[0]!.values[0]![0]) * Number(db.exec("PRAGMA page_size")[0]!.values[0]![0]);
    const kept = this.buf && this.buf.byteLength >= size ? this.buf : null;
    const g = globalThis as { Uint8Array: Uint8ArrayConstructor };
    const Real = g.Uint8Array;
    let hit = false;
    let fresh: Uint8Array | null = null;
    const Swapped: Uint8ArrayConstructor = new Proxy(Real, {
      construct(target, args, newTarget) {
        if (!hit && args.length === 1 && args[0] === size) {
          hit = true;
          if (kept) return kept.subarray(0, size);
          // Not large enough (or the first export): allocate with headroom and keep it for next time.
          // Headroom is free until used: pages nobody touched are never faulted in.
          try {
            fresh = new Real(Math.min(2 ** 31, 2 * size));
          } catch {
            fresh = new Real(size); // no address space for the headroom: exactly what sql.js asked for
          }
          return fresh.subarray(0, size);
        }
        return Reflect.construct(target, args, newTarget === Swapped ? target : newTarget) as object;
      },
    });
    g.Uint8Array = Swapped;
    let bytes: Uint8Array;
    try {
      bytes = db.export();
    } finally {
      g.Uint8Array = Real;
    }
    const home = kept ?? fresh;
    if (hit && home && bytes.buffer === home.buffer) {
      if (kept) this.hits++;
      else this.misses++;
      this.buf = home;
    } else {
      this.misses++;
      this.buf = null;
    }
    return bytes;
  }

  release(): void {
    this.buf = null;
  }
}
