import type { SqlValue } from "sql.js";
import type { RunDb } from "./reader-types";
import { digestAlgorithm, LATER_SECTIONS, RunDigest, SECTION_QUERIES, SECTIONS } from "./run-digest";
import { INTEGRITY_VERSION } from "./schema";
import { hasTable } from "./reader-util";

/**
 * What `verify` checks beyond the replay of the rows it finds: that the rows are all there and are
 * those the recorder wrote. File-wide: the header's schema version against nf_meta, nf_index and
 * nf_pow2 complete (the views decode through them), no rows of a run without its `runs` row. Per run:
 * its counters against its rows, its status against its `end` event, its hyperparameters against its
 * (hashed) config, and the whole-run digest (./run-digest) recomputed section by section.
 */
export interface IntegrityProblem {
  readonly runId: string;
  readonly what: string;
  readonly expected: number | string;
  readonly found: number | string;
}

/** A run's whole-run integrity: proven by its digest, or not recordable (a file from before the digest). */
export type IntegrityStatus = "proven" | "not-proven";

/** Tables holding a run's rows (by run_id) besides `runs`. */
const RUN_TABLES = ["layers", "datasets", "recorded_neurons", "recorded_epochs", "sample_chunks", "commits", "adjustment_blocks", "snapshots", "events"];
/** … and those older files may lack. */
const OPTIONAL_RUN_TABLES = ["lookahead_slow", "strategies", "learning_rate_changes", "run_integrity", "test_sets", "test_metrics"];

const scalar = (db: RunDb, sql: string, params: SqlValue[] = []): SqlValue => db.query(sql, params)[0]?.[0] ?? null;

/** File-wide checks; the first problem found, or null. */
export function checkFile(db: RunDb): IntegrityProblem | null {
  const file = (what: string, expected: number | string, found: number | string): IntegrityProblem => ({ runId: "", what, expected, found });
  const userVersion = Number(scalar(db, "PRAGMA user_version"));
  const metaVersion = scalar(db, "SELECT value FROM nf_meta WHERE key = 'schema_version'");
  if (metaVersion !== String(userVersion)) return file("nf_meta schema_version (must equal the header's user_version)", String(userVersion), String(metaVersion));
  const format = scalar(db, "SELECT value FROM nf_meta WHERE key = 'format'");
  if (format !== "neuroforge-run") return file("nf_meta format", "neuroforge-run", String(format));
  const [n, lo, hi] = db.query("SELECT count(*), min(i), max(i) FROM nf_index")[0]!;
  const need = Number(
    scalar(
      db,
      `SELECT max(m) FROM (SELECT max(units) AS m FROM layers UNION ALL SELECT max(inputs) + 1 FROM layers
         UNION ALL SELECT max(count) FROM sample_chunks)`,
    ) ?? 0,
  );
  if (Number(n) < need || (Number(n) > 0 && (lo !== 0 || hi !== Number(n) - 1))) {
    return file("nf_index (rows 0 … N−1 that expand blobs in the views)", `0 … ≥ ${need - 1}`, Number(n) === 0 ? "no rows" : `${n} rows, ${lo} … ${hi}`);
  }
  let pow2 = 0;
  let wrong: string | null = null;
  db.each("SELECT k, v FROM nf_pow2 ORDER BY k", [], ([k, v]) => {
    pow2++;
    if (wrong === null && v !== 2 ** Number(k)) wrong = `2^${k} = ${v}`;
  });
  if (wrong !== null || pow2 !== 2046) return file("nf_pow2 (2^k for k = −1074 … 971, used by the views' decode)", "2046 exact powers of two", wrong ?? `${pow2} rows`);
  const tables = [...RUN_TABLES, ...OPTIONAL_RUN_TABLES.filter((t) => hasTable(db, t))];
  const orphan = scalar(db, `SELECT run_id FROM (${tables.map((t) => `SELECT run_id FROM ${t}`).join(" UNION ")}) WHERE run_id NOT IN (SELECT run_id FROM runs) LIMIT 1`);
  if (orphan !== null) return { runId: String(orphan), what: "runs row (the run's other rows are in the file, its row in runs is not)", expected: "a row in runs", found: "none" };
  return null;
}

/** Per-run checks that name what is wrong: counters against rows, status against the end event, hyperparameters against the config. */
export function checkRunFacts(db: RunDb, runId: string): IntegrityProblem | null {
  const fail = (what: string, expected: number | string, found: number | string) => ({ runId, what, expected, found });
  const [status, commits, hyperJson, configJson] = db.query("SELECT status, commits, hyperparameters, config_json FROM runs WHERE run_id = ?", [runId])[0]!;
  // The commits column counts every commit the run made up to its last checkpoint; the rows must all be there.
  const [rows, first, last] = db.query("SELECT count(*), min(t), max(t) FROM commits WHERE run_id = ?", [runId])[0]!;
  const expectedRows = rows === 0 ? 0 : Number(commits) - Number(first) + 1;
  if (Number(rows) > 0 && last !== commits) return fail("commits (the last commit row against runs.commits)", `t=${commits}`, `t=${last}`);
  if (Number(rows) !== expectedRows) return fail("commits (rows)", expectedRows, Number(rows));
  // Every epoch with recorded samples is a recorded epoch, and every recorded epoch with commits has samples.
  const unlisted = scalar(db, "SELECT epoch FROM sample_chunks WHERE run_id = ? AND epoch NOT IN (SELECT epoch FROM recorded_epochs WHERE run_id = ?) LIMIT 1", [runId, runId]);
  if (unlisted !== null) return fail(`recorded_epochs (epoch ${unlisted} has samples but is not listed)`, `epoch ${unlisted}`, "none");
  const empty = scalar(
    db,
    `SELECT e.epoch FROM recorded_epochs e WHERE e.run_id = ? AND EXISTS (SELECT 1 FROM commits c WHERE c.run_id = e.run_id AND c.epoch = e.epoch)
       AND NOT EXISTS (SELECT 1 FROM sample_chunks s WHERE s.run_id = e.run_id AND s.epoch = e.epoch) LIMIT 1`,
    [runId],
  );
  if (empty !== null) return fail(`sample_chunks (recorded epoch ${empty} has commits but no samples)`, "its samples", "none");
  // The final status is written with the run's `end` event; a run without one stopped before its end.
  const ends = db.query("SELECT data_json FROM events WHERE run_id = ? AND kind = 'end'", [runId]);
  const ended = ends.length === 1 ? endStatus(ends[0]![0]!) : null;
  if (ends.length > 1 || (status === "interrupted" ? ended !== null && ended !== "interrupted" : ended !== status)) {
    return fail("status (against the run's end event)", ended === null ? "interrupted (the run has no end event)" : ended, String(status));
  }
  const hyper = hyperparameterProblem(String(hyperJson), String(configJson));
  return hyper ? fail(hyper.what, hyper.expected, hyper.found) : null;
}

function endStatus(dataJson: SqlValue): string | null {
  try {
    const s = (JSON.parse(String(dataJson)) as { status?: unknown } | null)?.status;
    return typeof s === "string" ? s : null;
  } catch {
    return null;
  }
}

/** Every hyperparameter the run's config states (its `optimizer` section, covered by the config hash) must be the stored one. */
function hyperparameterProblem(hyperJson: string, configJson: string): { what: string; expected: string; found: string } | null {
  let stored: Record<string, unknown>;
  let optimizer: unknown;
  try {
    stored = JSON.parse(hyperJson) as Record<string, unknown>;
    optimizer = (JSON.parse(configJson) as { optimizer?: unknown } | null)?.optimizer;
  } catch {
    return null; // the reader already refused malformed JSON
  }
  if (optimizer === null || typeof optimizer !== "object") return null;
  const stated = optimizer as Record<string, unknown>;
  for (const [k, v] of Object.entries(stored)) {
    if (Object.hasOwn(stated, k) && JSON.stringify(stated[k]) !== JSON.stringify(v)) {
      return { what: `hyperparameter '${k}' (runs.hyperparameters against the hashed config)`, expected: JSON.stringify(stated[k]), found: JSON.stringify(v) };
    }
  }
  return null;
}

/** Recomputes the run's digest from its rows and compares it with run_integrity, section by section. */
export function checkDigest(db: RunDb, runId: string): { problem: IntegrityProblem | null; status: IntegrityStatus } {
  const userVersion = Number(scalar(db, "PRAGMA user_version"));
  const stored = hasTable(db, "run_integrity") ? db.query("SELECT section, rows, digest FROM run_integrity WHERE run_id = ?", [runId]) : [];
  if (stored.length === 0) {
    if (userVersion < INTEGRITY_VERSION || recordedBeforeDigest(db, runId)) return { problem: null, status: "not-proven" };
    return { problem: { runId, what: "run_integrity (the run's digest)", expected: `a digest per section (schema version ${userVersion})`, found: "none" }, status: "not-proven" };
  }
  // Runs recorded before schema version 7 carry SHA-256 digests, later ones XXH64: the stored form tells.
  const algorithm = digestAlgorithm(String(stored[0]![2]));
  const digest = new RunDigest(algorithm);
  for (const section of SECTIONS) {
    if (!RUN_TABLES.includes(section) && section !== "run" && !hasTable(db, section)) continue;
    db.each(SECTION_QUERIES[section], [runId], (row) => digest.add(section, row));
  }
  const byName = new Map(stored.map(([s, r, d]) => [String(s), { rows: Number(r), digest: String(d) }]));
  for (const s of digest.seal()) {
    const want = byName.get(s.section);
    const where = s.section === "run" ? "the runs row" : `table ${s.section}`;
    // A run recorded before a section existed (appended-to older file): no digest of it, and no rows.
    if (!want && LATER_SECTIONS.has(s.section) && s.rows === 0) continue;
    if (!want) return { problem: { runId, what: `run_integrity (no digest of ${where})`, expected: "a digest", found: "none" }, status: "not-proven" };
    if (want.rows !== s.rows) {
      const what = `${where}: ${want.rows > s.rows ? "rows missing" : "rows added"} since they were recorded`;
      return { problem: { runId, what, expected: `${want.rows} rows`, found: `${s.rows} rows` }, status: "not-proven" };
    }
    if (want.digest !== s.digest) {
      const what = `${where}: ${s.section === "run" ? "edited" : "rows edited"} since recorded (its ${algorithm === "xxh64" ? "XXH64" : "SHA-256"} differs)`;
      return { problem: { runId, what, expected: want.digest, found: s.digest }, status: "not-proven" };
    }
  }
  return { problem: null, status: "proven" };
}

/** A run of an older file that a later run was appended to (the recorder listed it when it upgraded the file). */
function recordedBeforeDigest(db: RunDb, runId: string): boolean {
  const listed = scalar(db, "SELECT value FROM nf_meta WHERE key = 'runs_before_digest'");
  try {
    const ids: unknown = JSON.parse(String(listed ?? "[]"));
    return Array.isArray(ids) && ids.includes(runId);
  } catch {
    return false;
  }
}
