/**
 * Open .nfrun readers, one per file, shared by every query about that file. A reader is re-opened when
 * the file changed (size or modification time differ from when it was opened), e.g. during a recording
 * whose checkpoints rewrite the file. Opening failures are cached the same way, so a bad file is read
 * once per version. No `vscode` import: the extension passes its workspace.fs through FileAccess.
 */
import * as fs from "node:fs";
import { NfrunError, NfrunReader, type SqlJsOptions } from "../../kernel/record";

/** How the cache reads files (Node's fs by default; the extension host uses vscode.workspace.fs). */
export interface FileAccess {
  stat(file: string): Promise<{ readonly mtimeMs: number; readonly size: number }>;
  read(file: string): Promise<Uint8Array>;
  /** The name error messages give the file (default: the key itself). */
  label?(file: string): string;
}

export const nodeFileAccess: FileAccess = {
  stat: (file) => fs.promises.stat(file),
  read: (file) => fs.promises.readFile(file),
};

/** An opened file: its reader and how many bytes it had. */
export interface OpenRunFile {
  readonly reader: NfrunReader;
  readonly bytes: number;
}

interface Entry {
  readonly version: string;
  readonly opened: Promise<OpenRunFile>;
}

export class RunFiles {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly access: FileAccess = nodeFileAccess,
    private readonly sqlJs?: SqlJsOptions,
  ) {}

  /** The reader of the file as it is now (NfrunError when it cannot be read or is not a run file). */
  async open(file: string): Promise<OpenRunFile> {
    let version: string;
    try {
      const st = await this.access.stat(file);
      version = `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      this.forget(file);
      throw this.ioError(file, e);
    }
    const known = this.entries.get(file);
    if (known && known.version === version) return known.opened;
    this.forget(file);
    const opened = this.load(file);
    this.entries.set(file, { version, opened });
    return opened;
  }

  /** Drops the cached reader of a file (closed once queries already given it have run). */
  forget(file: string): void {
    const known = this.entries.get(file);
    if (!known) return;
    this.entries.delete(file);
    // A query that already holds this reader runs synchronously once its promise settles; the
    // close is queued behind it.
    known.opened.then((o) => o.reader.close()).catch(() => undefined);
  }

  dispose(): void {
    for (const file of [...this.entries.keys()]) this.forget(file);
  }

  private async load(file: string): Promise<OpenRunFile> {
    let bytes: Uint8Array;
    try {
      bytes = await this.access.read(file);
    } catch (e) {
      throw this.ioError(file, e);
    }
    const reader = await NfrunReader.fromBytes(bytes, { path: this.label(file), ...(this.sqlJs ? { sqlJs: this.sqlJs } : {}) });
    return { reader, bytes: bytes.byteLength };
  }

  private label(file: string): string {
    return this.access.label ? this.access.label(file) : file;
  }

  private ioError(file: string, e: unknown): NfrunError {
    return new NfrunError("io", `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, this.label(file));
  }
}
