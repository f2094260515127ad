import type { SqlValue } from "sql.js";
import { NfrunError } from "./errors";
import type { NotRecorded, RunContext, RunDb } from "./reader-types";

/** Whether the file has a table (tables of later schema versions are optional for readers). */
export function hasTable(db: RunDb, name: string): boolean {
  return db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).length > 0;
}

export function findCommit(ctx: RunContext, epoch: number, batch: number): number | null {
  const tr = ctx.trace;
  for (let i = 0; i < tr.t.length; i++) if (tr.epoch[i] === epoch && tr.batch[i] === batch) return tr.t[i]!;
  return null;
}

export function notRecorded(reason: string): NotRecorded {
  return { kind: "not-recorded", reason };
}

export function num(v: SqlValue): number {
  return v === null ? NaN : Number(v);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new NfrunError("corrupt", `a JSON column of the file is not valid JSON: ${text.slice(0, 60)}`);
  }
}

/** A JSON object (not null, not an array): what a data_json payload's fields are read from. */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
