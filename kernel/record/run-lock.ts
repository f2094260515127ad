import * as fs from "node:fs";
import { dirname } from "node:path";
import { NfrunError } from "./errors";
import { removeStaleSpareFiles } from "./spare-file";

/**
 * One writer per .nfrun file: `<file>.lock` holds the recording process's id. It is created with
 * O_EXCL before anything is trained, so a second recorder of the same file (another process, or the
 * same one) is refused at once instead of both runs racing to rename over the file and one being lost.
 * A lock whose process is gone (killed, crashed) is stale and taken over. Creating the lock also proves
 * that the destination folder accepts new files, before the run starts rather than at its first
 * checkpoint. Temporary files left beside the file by dead processes are removed when the lock is taken.
 *
 * Limits: process ids are those of this machine (a lock on a network share written by another machine
 * is judged by a local pid); two processes taking over the same stale lock in the same instant may both
 * believe they won.
 */
export class RunFileLock {
  private static readonly held = new Set<RunFileLock>();
  private static exitHook = false;
  private released = false;

  private constructor(
    readonly file: string,
    readonly lockPath: string,
  ) {}

  /** Takes the lock of `file` or throws an NfrunError ("locked", or "io" naming why the folder is unusable). */
  static acquire(file: string): RunFileLock {
    const lockPath = `${file}.lock`;
    for (let attempt = 0; ; attempt++) {
      try {
        fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: "wx" });
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "EEXIST") throw new NfrunError("io", cannotCreate(dirname(file), code), file);
        const holder = lockHolder(lockPath);
        if (holder !== null || attempt > 0) {
          throw new NfrunError(
            "locked",
            `is being recorded by ${holder === process.pid ? "this process (an unfinished recorder: call finish() on it)" : holder !== null && holder > 0 ? `process ${holder}` : "another process"} ` +
              `(lock ${lockPath}); wait for that run to end or record into another file`,
            file,
          );
        }
        fs.rmSync(lockPath, { force: true }); // stale: its process is gone
      }
    }
    const lock = new RunFileLock(file, lockPath);
    RunFileLock.held.add(lock);
    if (!RunFileLock.exitHook) {
      RunFileLock.exitHook = true;
      // A process that ends without finishing its run (an error, process.exit) still frees its files.
      process.on("exit", () => {
        for (const l of RunFileLock.held) l.release();
      });
    }
    removeStaleSpareFiles(file, isAlive);
    return lock;
  }

  /** Frees the file for the next writer (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    RunFileLock.held.delete(this);
    if (lockHolder(this.lockPath, true) === process.pid) fs.rmSync(this.lockPath, { force: true });
  }
}

/**
 * The live process holding the lock, or null when the lock is stale (its process is gone, or the file
 * is unreadable or empty and older than a few seconds: a writer that died between creating and writing it).
 * `any`: the recorded pid whether or not it lives.
 */
function lockHolder(lockPath: string, any = false): number | null {
  let text: string;
  let age: number;
  try {
    text = fs.readFileSync(lockPath, "utf8");
    age = Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return null;
  }
  const pid = Number.parseInt(text, 10);
  if (!(pid > 0)) return age < 5000 && !any ? -1 : null;
  return any || isAlive(pid) ? pid : null;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function cannotCreate(folder: string, code: string | undefined): string {
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return `cannot be written: the folder ${folder} does not exist`;
    case "EACCES":
    case "EPERM":
      return `cannot be written: no permission to create files in ${folder}`;
    case "EROFS":
      return `cannot be written: ${folder} is on a read-only file system`;
    case "ENOSPC":
      return `cannot be written: no space left on the device of ${folder}`;
    default:
      return `cannot be written: creating a file in ${folder} failed (${code ?? "unknown error"})`;
  }
}
