/**
 * The language worker thread (dist/language-worker.js): one NotebookLanguageService per notebook, all
 * sharing one document registry (the lib .d.ts files are parsed once). A language service call may take
 * a second on first use, so it never runs on the thread that asked (the VS Code extension host, the
 * Jupyter adapter's message loop).
 */
import { parentPort, workerData } from "node:worker_threads";
import ts from "typescript";
import { isComplete } from "./is-complete";
import type { LanguageCalls, LanguageMethod, LanguageRequest, LanguageResponse, LanguageWorkerData } from "./protocol";
import { NotebookLanguageService } from "./service";

const data = workerData as LanguageWorkerData;
const registry = ts.createDocumentRegistry();
const services = new Map<string, NotebookLanguageService>();

function serviceOf(notebook: string): NotebookLanguageService {
  const service = services.get(notebook);
  if (!service) throw new Error(`notebook ${notebook} was not synced`);
  return service;
}

const handlers: { [M in LanguageMethod]: (p: LanguageCalls[M]["params"]) => LanguageCalls[M]["result"] } = {
  sync: ({ notebook, root, cells }) => {
    let service = services.get(notebook);
    if (service?.settings.root !== root) {
      service?.dispose();
      service = new NotebookLanguageService({ root, typesDir: data.typesDir, fallbackTypeRoots: data.fallbackTypeRoots, registry });
      services.set(notebook, service);
    }
    service.setCells(cells);
    return null;
  },
  completions: ({ notebook, cell, offset }) => serviceOf(notebook).completions(cell, offset),
  quickInfo: ({ notebook, cell, offset }) => serviceOf(notebook).quickInfo(cell, offset),
  diagnostics: ({ notebook }) => serviceOf(notebook).diagnostics(),
  isComplete: ({ code }) => isComplete(code),
  close: ({ notebook }) => {
    services.get(notebook)?.dispose();
    services.delete(notebook);
    return null;
  },
};

parentPort!.on("message", (request: LanguageRequest) => {
  let response: LanguageResponse;
  try {
    const handler = handlers[request.method] as (p: unknown) => unknown;
    response = { id: request.id, result: handler(request.params) };
  } catch (error) {
    response = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(response);
});
