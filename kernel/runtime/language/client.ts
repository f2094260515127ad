/**
 * Talks to the language worker thread (worker.ts, bundled as dist/language-worker.js) from the VS Code
 * extension host or the Jupyter adapter. The worker starts on the first call; if it dies, pending
 * calls fail and the next call starts a new one, replaying each notebook's last `sync`.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { LanguageCalls, LanguageMethod, LanguageResponse, LanguageWorkerData } from "./protocol";

export interface LanguageClientOptions {
  /** dist/language-worker.js */
  readonly workerPath: string;
  readonly data: LanguageWorkerData;
}

/** The worker, the `neuroforge` declarations and @types/node as laid out beside the bundles in `dist/`. */
export function bundledLanguageOptions(distDir: string): LanguageClientOptions {
  const packageRoot = path.dirname(distDir);
  return {
    workerPath: path.join(distDir, "language-worker.js"),
    data: {
      typesDir: path.join(distDir, "neuroforge-types"),
      fallbackTypeRoots: [path.join(packageRoot, "node_modules", "@types"), path.join(packageRoot, "node_modules", "tslab", "node_modules", "@types")],
    },
  };
}

export class LanguageClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly synced = new Map<string, LanguageCalls["sync"]["params"]>();

  constructor(private readonly options: LanguageClientOptions) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerPath, { workerData: this.options.data });
    worker.unref();
    worker.on("message", (m: LanguageResponse) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ("error" in m) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    const fail = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the language worker exited (code ${code})`)));
    this.worker = worker;
    // A failed replay fails the calls behind it too; they report it.
    for (const params of this.synced.values()) this.post("sync", params).catch(() => undefined);
    return worker;
  }

  private post<M extends LanguageMethod>(method: M, params: LanguageCalls[M]["params"]): Promise<LanguageCalls[M]["result"]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, method, params });
    });
  }

  call<M extends LanguageMethod>(method: M, params: LanguageCalls[M]["params"]): Promise<LanguageCalls[M]["result"]> {
    if (method === "sync") this.synced.set((params as LanguageCalls["sync"]["params"]).notebook, params as LanguageCalls["sync"]["params"]);
    if (method === "close") this.synced.delete((params as LanguageCalls["close"]["params"]).notebook);
    return this.post(method, params);
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.synced.clear();
    if (worker) await worker.terminate();
  }
}
