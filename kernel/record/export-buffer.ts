import type { Database } from "sql.js";

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
    const [count, size] = db.exec("PRAGMA page_count; PRAGMA page_size").map((r) => Number(r.values[0]![0]));
    const expected = count! * size!;
    // Room to grow: a run's next checkpoint is larger; new ArrayBuffer memory is only touched when written.
    if (!this.buffer || this.buffer.byteLength < expected) this.buffer = new ArrayBuffer(Math.ceil((expected * 1.25) / size!) * size!);
    const Real = globalThis.Uint8Array;
    const buffer = this.buffer;
    let served = false;
    const Swapped: Uint8ArrayConstructor = new Proxy(Real, {
      construct(target, args, newTarget) {
        if (!served && args.length === 1 && args[0] === expected) {
          served = true;
          return new Real(buffer, 0, expected);
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
