import { readFileSync } from "node:fs";
import type { Database, SqlValue } from "sql.js";
import { NfrunError } from "./errors";
import { NfrunReader } from "./reader";
import { SCHEMA_VERSION } from "./schema";
import { loadSqlJs } from "./sqljs";
import { writeFileAtomic } from "./spare-file";
import { verifyReader, describeMismatch } from "./verify";
import { checkDigest, checkFile, checkRunFacts } from "./verify-integrity";

/**
 * Combining run files (`neuroforge merge`, and the parallel sweep gathering its members): each input is
 * verified (its rows are those the recorder wrote, by the whole-run digest, and with `replay` every
 * weight change is replayed), no run may appear twice (by run id, or by config hash: the same
 * deterministic run made twice, as when a shard is run again), and every row of every run is copied,
 * parameterized, into one file written atomically. Inputs must have the current schema (a file of an
 * older version is upgraded when a run is appended to it; merge does not convert).
 */
export interface MergeOptions {
  /** Replay every weight change of every input (`verify`), not only the digests. */
  readonly replay?: boolean;
  /** Add to this existing file (its runs count for duplicates) instead of writing a new one. */
  readonly appendTo?: boolean;
}

export interface MergedRun {
  readonly runId: string;
  readonly from: string;
}

/** An input opened and verified, with the bytes it was read from (the merged file starts from one's). */
interface Verified {
  readonly reader: NfrunReader;
  readonly bytes: Uint8Array;
  readonly path: string;
}

/** A table or column name read from a file, quoted as an SQL identifier (a hostile file's names stay names). */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Tables holding a run's rows (a run_id column), `runs` first: found in the file, so later schema tables come along. */
function runTables(db: Database): string[] {
  const names = (db.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")[0]?.values ?? []).map((r) => String(r[0]));
  const withRunId = names.filter((t) => columns(db, t).includes("run_id"));
  return ["runs", ...withRunId.filter((t) => t !== "runs")];
}

async function openVerified(path: string, replay: boolean): Promise<Verified> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new NfrunError("io", `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  const reader = await NfrunReader.fromBytes(bytes, { path });
  try {
    const version = Number(reader.query("PRAGMA user_version")[0]?.[0]);
    if (version !== SCHEMA_VERSION) {
      throw new NfrunError("older-version", `schema version ${version}; merge takes version ${SCHEMA_VERSION} files (append a run to upgrade it)`, path);
    }
    const fail = (what: string): never => {
      throw new NfrunError("corrupt", `does not verify: ${what}`, path);
    };
    if (replay) {
      const result = verifyReader(reader);
      if (!result.ok && result.mismatch) fail(describeMismatch(result.mismatch));
    } else {
      const file = checkFile(reader);
      if (file) fail(file.what);
      for (const runId of reader.runIds()) {
        const problem = checkRunFacts(reader, runId) ?? checkDigest(reader, runId).problem;
        if (problem) fail(`run ${runId}: ${problem.what}`);
      }
    }
    return { reader, bytes, path };
  } catch (e) {
    reader.close();
    throw e;
  }
}

const hasTable = (db: Database, name: string): boolean => db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).length > 0;
/** Column names of `table` (a name read from sqlite_master, quoted as an identifier). */
const columns = (db: Database, table: string): string[] => (db.exec(`PRAGMA table_info(${ident(table)})`)[0]?.values ?? []).map((row) => String(row[1]));

/** Copies every row of `runId` from `source` into `target` (tables and columns both have). */
function copyRun(source: Database, target: Database, runId: string): void {
  for (const table of runTables(target)) {
    if (!hasTable(source, table)) continue;
    const wanted = new Set(columns(target, table));
    const shared = columns(source, table).filter((c) => wanted.has(c));
    const list = shared.map(ident).join(", ");
    const select = source.prepare(`SELECT ${list} FROM ${ident(table)} WHERE run_id = ?`);
    const insert = target.prepare(`INSERT INTO ${ident(table)} (${list}) VALUES (${shared.map(() => "?").join(", ")})`);
    try {
      select.bind([runId]);
      while (select.step()) insert.run(select.get() as SqlValue[]);
    } finally {
      select.free();
      insert.free();
    }
  }
}

/** The runs listed in nf_meta `runs_before_digest` (runs appended to from before the digest existed). */
function beforeDigest(db: Database): string[] {
  const value = db.exec("SELECT value FROM nf_meta WHERE key = 'runs_before_digest'")[0]?.values[0]?.[0];
  return typeof value === "string" ? (JSON.parse(value) as string[]) : [];
}

/**
 * Merges `inputs` into `output` (a new file, or with `appendTo` the existing one). Throws an
 * NfrunError naming the file on the first input that fails, or on a duplicate; nothing is written then.
 */
export async function mergeRunFiles(inputs: readonly string[], output: string, options: MergeOptions = {}): Promise<MergedRun[]> {
  if (inputs.length === 0) throw new NfrunError("bad-argument", "no input files to merge");
  const readers: NfrunReader[] = [];
  try {
    const base = options.appendTo ? await openVerified(output, false) : null;
    if (base) readers.push(base.reader);
    const seenId = new Map<string, string>();
    const seenConfig = new Map<string, string>();
    const note = (reader: NfrunReader, path: string) => {
      for (const info of reader.runs()) {
        const twice = seenId.get(info.runId);
        if (twice !== undefined) throw new NfrunError("bad-argument", `run ${info.runId} is also in ${twice}; a run is merged once`, path);
        const same = seenConfig.get(info.configHash);
        if (same !== undefined) {
          throw new NfrunError("bad-argument", `run ${info.runId} has the config (sha256 ${info.configHash.slice(0, 12)}…) of a run in ${same}: the same run twice (a shard run again?)`, path);
        }
        seenId.set(info.runId, path);
        seenConfig.set(info.configHash, path);
      }
    };
    if (base) note(base.reader, output);
    const sources: Verified[] = [];
    for (const path of inputs) {
      const source = await openVerified(path, options.replay ?? false);
      readers.push(source.reader);
      note(source.reader, path);
      sources.push(source);
    }
    // The output starts as the existing file, or the first input (its header, meta and views), then gains the others' runs.
    const SQL = await loadSqlJs();
    const target = new SQL.Database((base ?? sources[0]!).bytes);
    try {
      const merged: MergedRun[] = base || !sources[0] ? [] : sources[0].reader.runIds().map((runId) => ({ runId, from: sources[0]!.path }));
      const listed = new Set(beforeDigest(target));
      target.exec("BEGIN");
      for (const { reader, path } of base ? sources : sources.slice(1)) {
        for (const runId of reader.runIds()) {
          copyRun(reader.db, target, runId);
          merged.push({ runId, from: path });
        }
        for (const id of beforeDigest(reader.db)) listed.add(id);
      }
      if (listed.size > 0) target.run("INSERT OR REPLACE INTO nf_meta (key, value) VALUES ('runs_before_digest', ?)", [JSON.stringify([...listed])]);
      target.exec("COMMIT");
      writeFileAtomic(output, target.export());
      return merged;
    } finally {
      target.close();
    }
  } finally {
    for (const r of readers) r.close();
  }
}
