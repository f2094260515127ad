import type { Database } from "sql.js";

/** The real constructor (ExportBuffer swaps the global during an export). */
const Bytes = Uint8Array;

/** Consecutive pages are handed on in regions of at least this many bytes (one write call each). */
const REGION = 1 << 20;

/** Where `ExportBuffer.exportTo` hands the file's bytes as they are ready: `bytes` belong at offset `at`. */
export type ExportSink = (bytes: Uint8Array, at: number) => void;

/** What an export produced: the file's bytes, and whether the regions handed on covered each page once. */
export interface Exported {
  /** A view of the retained buffer: unchanged until the next export. */
  readonly bytes: Uint8Array;
  /** False if a page came twice or not at all (a sql.js that backs up another way): write `bytes` whole. */
  readonly complete: boolean;
}

/**
 * sql.js's `export()` into memory reused from one checkpoint to the next, handing the file's bytes on
 * as SQLite's backup produces them. `export()` backs the database up into
 * `new Uint8Array(page_count × page_size)`: fresh memory, whose first touch (page faults) costs more
 * than the copy itself (docs/benchmarks.md, "Recording"). sql.js offers no way to pass a buffer, so
 * for the duration of the call this realm's `Uint8Array` is a Proxy whose constructor returns a view of
 * the retained buffer for exactly that allocation (the first `new Uint8Array(size)` of the call;
 * anything else is constructed normally). sql.js 1.16 stores each page it is given with that array's
 * `set`, which an own `set` on the view observes: each run of consecutive pages goes to the sink once
 * it reaches REGION bytes, so the file's writes start while the backup goes on. Page 1 goes last:
 * sql.js edits the header after the backup.
 *
 * Only the writer thread uses it: that worker's realm runs no other code (never a notebook cell's),
 * and the call is synchronous, so nothing else can observe the swapped global. The buffer is kept
 * for the next checkpoint or run of the process (like sql.js's WebAssembly heap, it does not shrink).
 */
export class ExportBuffer {
  private buffer: ArrayBuffer | null = null;

  exportTo(db: Database, sink: ExportSink): Exported {
    const [count, size] = db.exec("PRAGMA page_count; PRAGMA page_size").map((r) => Number(r.values[0]![0]));
    const pageSize = size!;
    const expected = count! * pageSize;
    // Room to grow: a run's next checkpoint is larger; new ArrayBuffer memory is only touched when written.
    if (!this.buffer || this.buffer.byteLength < expected) this.buffer = new ArrayBuffer(Math.ceil((expected * 1.25) / pageSize) * pageSize);
    const buffer = this.buffer;
    const seen = new Bytes(count!);
    let twice = false;
    // The run of consecutive pages not yet handed on: [from, to).
    let from = pageSize;
    let to = pageSize;
    const handOn = () => {
      if (to > from) sink(new Bytes(buffer, from, to - from), from);
      from = to;
    };
    let served = false;
    const Swapped: Uint8ArrayConstructor = new Proxy(Bytes, {
      construct(target, args, newTarget) {
        if (served || args.length !== 1 || args[0] !== expected) return Reflect.construct(target, args, newTarget === Swapped ? target : newTarget);
        served = true;
        const view = new Bytes(buffer, 0, expected);
        const copy = view.set.bind(view);
        view.set = (src: ArrayLike<number>, offset = 0): void => {
          copy(src, offset);
          const page = offset / pageSize;
          if (!ArrayBuffer.isView(src) || src.byteLength !== pageSize || !Number.isInteger(page) || seen[page]) twice = true;
          else seen[page] = 1;
          if (twice || page === 0) return;
          if (offset !== to) {
            handOn();
            from = offset;
          }
          to = offset + pageSize;
          if (to - from >= REGION) handOn();
        };
        return view;
      },
    });
    globalThis.Uint8Array = Swapped;
    let bytes: Uint8Array;
    try {
      bytes = db.export();
    } finally {
      globalThis.Uint8Array = Bytes;
    }
    handOn();
    sink(bytes.subarray(0, pageSize), 0);
    return { bytes, complete: !twice && bytes.byteLength === expected && seen.every((s) => s === 1) };
  }
}
