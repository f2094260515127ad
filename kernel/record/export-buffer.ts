import type { Database } from "sql.js";

/** The real constructor (ExportBuffer swaps the global during an export). */
const Bytes = Uint8Array;

/** Where `ExportBuffer.exportTo` sends the database file's bytes: `bytes` belong at offset `at`. */
export type ExportSink = (bytes: Uint8Array, at: number) => void;

/**
 * sql.js's `export()` into memory reused from one checkpoint to the next. `export()` backs the
 * database up into `new Uint8Array(page_count × page_size)`: fresh memory, whose first touch (page
 * faults) costs more than the copy itself (docs/benchmarks.md, "Recording"). sql.js offers no way to
 * pass a buffer, so for the duration of the call this realm's `Uint8Array` is a Proxy whose
 * constructor returns a view of the retained buffer for exactly that allocation (the first
 * `new Uint8Array(size)` of the call; anything else is constructed normally).
 *
 * Only the writer thread uses it: that worker's realm runs no other code (never a notebook cell's),
 * and the call is synchronous, so nothing else can observe the swapped global. The buffer is kept
 * for the next checkpoint or run of the process (like sql.js's WebAssembly heap, it does not shrink).
 */
export class ExportBuffer {
  private buffer: ArrayBuffer | null = null;

  /** The database file's bytes: a view of the retained buffer, valid until the next call. */
  export(db: Database): Uint8Array {
    return this.backup(db, () => undefined);
  }

  /**
   * The database file's bytes sent to `sink` as SQLite's backup produces them, page by page, instead
   * of copied into the buffer first: sql.js 1.16 stores each page it is given with the served
   * array's `set`, which an own `set` on that array overrides. The first page only is kept in the
   * buffer (sql.js edits its header after the backup) and sent last. Returns the file's length.
   * If the pages sent do not cover the file (a sql.js that stores them another way), the whole file is
   * sent again from the buffer as `export` gives it.
   */
  exportTo(db: Database, sink: ExportSink): number {
    let head = 0;
    let unseen = 0;
    let seen = new Bytes(0);
    const bytes = this.backup(db, (view, pageSize) => {
      const copy = view.set.bind(view);
      // Pages come in no set order (page 1 after the others): one flag per page, to tell every page was seen.
      unseen = view.byteLength / pageSize;
      seen = new Bytes(unseen);
      view.set = (src: ArrayLike<number>, offset = 0) => {
        if (!ArrayBuffer.isView(src)) return copy(src, offset);
        const page = new Bytes(src.buffer, src.byteOffset, src.byteLength);
        if (offset % pageSize === 0 && page.byteLength === pageSize && seen[offset / pageSize] === 0) {
          seen[offset / pageSize] = 1;
          unseen--;
        }
        if (offset !== 0) return sink(page, offset);
        head = page.byteLength;
        copy(page, 0);
      };
    });
    if (head > 0 && unseen === 0 && seen.length * head === bytes.byteLength) sink(bytes.subarray(0, head), 0);
    else sink(this.export(db), 0);
    return bytes.byteLength;
  }

  /** `db.export()` with its file array served from the retained buffer (`serve` sees it first, with the page size). */
  private backup(db: Database, serve: (view: Uint8Array, pageSize: number) => void): Uint8Array {
    const [count, size] = db.exec("PRAGMA page_count; PRAGMA page_size").map((r) => Number(r.values[0]![0]));
    const expected = count! * size!;
    // Room to grow: a run's next checkpoint is larger; new ArrayBuffer memory is only touched when written.
    if (!this.buffer || this.buffer.byteLength < expected) this.buffer = new ArrayBuffer(Math.ceil((expected * 1.25) / size!) * size!);
    const Real = Bytes;
    const buffer = this.buffer;
    let served = false;
    const Swapped: Uint8ArrayConstructor = new Proxy(Real, {
      construct(target, args, newTarget) {
        if (!served && args.length === 1 && args[0] === expected) {
          served = true;
          const view = new Real(buffer, 0, expected);
          serve(view, size!);
          return view;
        }
        return Reflect.construct(target, args, newTarget === Swapped ? target : newTarget);
      },
    });
    globalThis.Uint8Array = Swapped;
    try {
      return db.export();
    } finally {
      globalThis.Uint8Array = Real;
    }
  }
}
