import type { Database } from "sql.js";
import { NfrunError } from "./errors";
import { APPLICATION_ID, REQUIRED_TABLES, SCHEMA_VERSION } from "./schema";

/** Larger files are refused (sql.js holds the whole database in WebAssembly memory, max 4 GiB). */
export const MAX_FILE_BYTES = 2 ** 31;
const MAGIC = "SQLite format 3\0";

/**
 * Checks the bytes of an untrusted file before SQLite sees them: size, SQLite magic, page size,
 * length against the header's page count, application id and schema version. Throws NfrunError.
 */
export function checkHeader(bytes: Uint8Array, path?: string): void {
  if (bytes.byteLength === 0) throw new NfrunError("empty", "the file is empty (0 bytes), not a NeuroForge run file", path);
  if (bytes.byteLength > MAX_FILE_BYTES) {
    throw new NfrunError("too-large", `the file is ${bytes.byteLength} bytes; at most ${MAX_FILE_BYTES} can be opened`, path);
  }
  const magic = bytes.byteLength >= 100 ? String.fromCharCode(...bytes.subarray(0, 16)) : "";
  if (magic !== MAGIC) throw new NfrunError("not-sqlite", "not a NeuroForge run file (not an SQLite database)", path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw new NfrunError("not-sqlite", `not a valid SQLite database (page size ${rawPageSize})`, path);
  }
  const pageCount = view.getUint32(28);
  const changeCounter = view.getUint32(24);
  const versionValidFor = view.getUint32(92);
  if (bytes.byteLength % pageSize !== 0 || (pageCount > 0 && changeCounter === versionValidFor && bytes.byteLength < pageCount * pageSize)) {
    throw new NfrunError(
      "truncated",
      `the file is truncated: ${bytes.byteLength} bytes, but its header describes ${pageCount} pages of ${pageSize} bytes`,
      path,
    );
  }
  const userVersion = view.getUint32(60);
  const applicationId = view.getUint32(68);
  if (applicationId !== APPLICATION_ID) {
    throw new NfrunError(
      "foreign",
      `an SQLite database, but not a NeuroForge run file (application id 0x${applicationId.toString(16).padStart(8, "0")}, expected 0x${APPLICATION_ID.toString(16)})`,
      path,
    );
  }
  if (userVersion > SCHEMA_VERSION) {
    throw new NfrunError(
      "newer-version",
      `written with .nfrun schema version ${userVersion}; this NeuroForge reads up to version ${SCHEMA_VERSION}. Update NeuroForge to open it`,
      path,
    );
  }
  if (userVersion < 1) throw new NfrunError("corrupt", `schema version ${userVersion} is not a valid .nfrun version`, path);
}

/** After opening: every required table is there and SQLite can read the schema. */
export function checkTables(db: Database, path?: string): void {
  let names: Set<string>;
  try {
    const rows = db.exec("SELECT name FROM sqlite_master WHERE type = 'table'");
    names = new Set((rows[0]?.values ?? []).map((r) => String(r[0])));
  } catch (e) {
    throw new NfrunError("corrupt", `SQLite cannot read the file: ${(e as Error).message}`, path);
  }
  const missing = REQUIRED_TABLES.filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw new NfrunError("missing-table", `the file lacks the table${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`, path);
  }
}
