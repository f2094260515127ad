import type { Database, SqlJsStatic, Statement } from "sql.js";
import { NfrunError } from "./errors";

/**
 * The recorder's working database: an SQLite in-memory database (`:memory:`) inside sql.js.
 *
 * Why not sql.js's default: `new SQL.Database()` keeps the database in an Emscripten in-memory file
 * (MEMFS) that grows in 12.5 % steps, allocating a new buffer and copying the whole file each time;
 * on a machine where first-touching fresh memory is slow that growth cost more than the recording.
 * An SQLite `:memory:` database keeps its pages in the WebAssembly heap, which never shrinks, so a
 * process that records several runs reuses the same memory. sql.js has no public way to open one,
 * so we open it through the exported C functions and hand the handle to a `Database` object (its
 * `db` field is part of sql.js's non-minified API surface). If anything about that looks wrong the
 * recorder falls back to the plain MEMFS database (correct, only slower).
 *
 * Durability does not come from SQLite here: the file on disk is only ever replaced by a complete
 * export (temporary file, fsync, rename; see `writeFileAtomic`). SQLite's rollback journal would be
 * pure overhead, so the working database runs with journal_mode=OFF, synchronous=OFF,
 * locking_mode=EXCLUSIVE and temp_store=MEMORY.
 */
export interface WorkingDb {
  readonly db: Database;
  /** True when it is an SQLite `:memory:` database (false: the MEMFS fallback). */
  readonly inMemory: boolean;
}

interface SqlJsInternals {
  _malloc(n: number): number;
  _free(p: number): void;
  _sqlite3_open(name: number, out: number): number;
  _sqlite3_close_v2(db: number): number;
  _sqlite3_bind_blob(stmt: number, i: number, p: number, n: number, destructor: number): number;
  _sqlite3_sql(stmt: number): number;
  _sqlite3_backup_init(dest: number, destName: number, src: number, srcName: number): number;
  _sqlite3_backup_step(b: number, pages: number): number;
  _sqlite3_backup_finish(b: number): number;
  stringToNewUTF8(s: string): number;
  UTF8ToString(p: number): string;
}

const SQLITE_TRANSIENT = -1;
const SQLITE_DONE = 101;

export const WORKING_PRAGMAS = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; PRAGMA temp_store = MEMORY;";

/** sql.js's C handle of a prepared statement (the property name is minified; found by its SQL text). */
function statementHandle(api: SqlJsInternals, stmt: Statement, sql: string): number {
  for (const v of Object.values(stmt as unknown as Record<string, unknown>)) {
    if (typeof v === "number" && v > 0 && Number.isInteger(v) && api.UTF8ToString(api._sqlite3_sql(v)) === sql) return v;
  }
  throw new Error("sql.js statement handle not found");
}

/** Reads the 32-bit little-endian integer at wasm address `p` (via a blob bound from that address). */
function readI32(api: SqlJsInternals, probe: Database, p: number): number {
  const sql = "SELECT ?";
  const stmt = probe.prepare(sql);
  try {
    if (api._sqlite3_bind_blob(statementHandle(api, stmt, sql), 1, p, 4, SQLITE_TRANSIENT) !== 0) throw new Error("bind failed");
    stmt.step();
    const b = stmt.get()[0];
    if (!(b instanceof Uint8Array) || b.byteLength !== 4) throw new Error("probe read failed");
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  } finally {
    stmt.free();
  }
}

function openInMemory(SQL: SqlJsStatic): Database {
  const api = SQL as unknown as SqlJsInternals;
  const db = new SQL.Database();
  const handle = db as unknown as { db: number };
  if (typeof handle.db !== "number") throw new Error("sql.js Database has no numeric `db` handle");
  const out = api._malloc(8);
  const name = api.stringToNewUTF8(":memory:");
  try {
    if (api._sqlite3_open(name, out) !== 0) throw new Error("sqlite3_open(:memory:) failed");
    const mem = readI32(api, db, out);
    if (!(mem > 0)) throw new Error("no handle");
    api._sqlite3_close_v2(handle.db);
    handle.db = mem;
  } finally {
    api._free(name);
    api._free(out);
  }
  const list = db.exec("PRAGMA database_list");
  const main = list[0]?.values.find((r) => r[1] === "main");
  if (!main || main[2] !== "") {
    db.close();
    throw new Error("the swapped handle is not an in-memory database");
  }
  return db;
}

/** A new, empty working database with the recorder's pragmas (page size left at SQLite's default). */
export function createWorkingDb(SQL: SqlJsStatic): WorkingDb {
  let db: Database;
  let inMemory = true;
  try {
    db = openInMemory(SQL);
  } catch {
    db = new SQL.Database();
    inMemory = false;
  }
  db.run(WORKING_PRAGMAS);
  return { db, inMemory };
}

/** A working database holding a copy of `file` (an existing, already checked .nfrun). */
export function loadWorkingDb(SQL: SqlJsStatic, bytes: Uint8Array, path: string): WorkingDb {
  let src: Database;
  try {
    src = new SQL.Database(bytes);
  } catch (e) {
    throw new NfrunError("corrupt", `SQLite cannot read the file: ${(e as Error).message}`, path);
  }
  const work = createWorkingDb(SQL);
  if (!work.inMemory) {
    work.db.close();
    src.run(WORKING_PRAGMAS);
    return { db: src, inMemory: false };
  }
  try {
    const pageSize = Number(src.exec("PRAGMA page_size")[0]!.values[0]![0]);
    work.db.run(`PRAGMA page_size = ${pageSize}`);
    const api = SQL as unknown as SqlJsInternals;
    const main = api.stringToNewUTF8("main");
    try {
      const b = api._sqlite3_backup_init((work.db as unknown as { db: number }).db, main, (src as unknown as { db: number }).db, main);
      if (!b) throw new Error("backup_init failed");
      const rc = api._sqlite3_backup_step(b, -1);
      api._sqlite3_backup_finish(b);
      if (rc !== SQLITE_DONE) throw new Error(`backup failed (${rc})`);
    } finally {
      api._free(main);
    }
  } catch (e) {
    work.db.close();
    src.run(WORKING_PRAGMAS);
    if (e instanceof NfrunError) throw e;
    return { db: src, inMemory: false };
  }
  src.close();
  work.db.run(WORKING_PRAGMAS);
  return work;
}
