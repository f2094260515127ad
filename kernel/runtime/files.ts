import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Writes text via a temporary file and a rename, so a reader never sees half a file. Returns the absolute path. */
export function writeTextAtomic(path: string, text: string): string {
  const target = resolve(path);
  makeDirectories(dirname(target));
  const temp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return target;
}

/**
 * mkdir -p, one level at a time (Node 20's `mkdirSync(…, { recursive: true })` can spin forever on
 * some paths, e.g. under /proc, instead of failing).
 */
export function makeDirectories(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirectories(parent);
  mkdirSync(dir);
}
