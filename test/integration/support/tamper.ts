import * as fs from "node:fs";
import * as path from "node:path";
import type { Database } from "sql.js";
import { loadSqlJs } from "../../../kernel/record/sqljs";

/** A copy of the .nfrun `src` as `dir/name`, edited in SQL by `edit` (a tampered or older file for verify's tests). */
export async function tamperedCopy(src: string, dir: string, name: string, edit: (db: Database) => void): Promise<string> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(src));
  edit(db);
  const dst = path.join(dir, name);
  fs.writeFileSync(dst, db.export());
  db.close();
  return dst;
}
