/**
 * Run queries from notebook renderers: a network output of a recorded run names its .nfrun file (the
 * absolute path the kernel opened), and its renderer asks the host for what the output does not embed
 * (webviews/renderers/network/index.ts). One renderer messaging channel serves every output of every
 * notebook, so each query carries its file. Answered by the run query service (./service.ts) the .nfrun
 * editor uses; only absolute paths of .nfrun files, and only in a trusted workspace (outputs are data
 * from the notebook: an untrusted notebook must not make the host read files). The service is keyed by
 * the path (./notebook-messaging.ts gives it Node's file access). No `vscode` import.
 */
import * as path from "node:path";
import { isQueryRequest, type QueryAnswer } from "../../webviews/shared/queries";
import type { RunQueryService } from "./service";

/** The answer to a renderer's query message; `trusted`: whether the workspace is trusted. */
export async function answerNotebookQuery(service: RunQueryService, message: unknown, trusted: boolean): Promise<QueryAnswer> {
  if (!isQueryRequest(message)) return { type: "answer", id: -1, error: { kind: "bad-query", message: "not a query message" } };
  const refuse = (why: string): QueryAnswer => ({ type: "answer", id: message.id, error: { kind: "bad-query", message: why } });
  const file = (message.query as { file?: unknown }).file;
  if (typeof file !== "string" || !path.isAbsolute(file) || path.extname(file) !== ".nfrun") return refuse(`a notebook query names its run file by absolute path to a .nfrun file (got ${JSON.stringify(file ?? null)})`);
  if (!trusted) return refuse("NeuroForge reads run files for notebook outputs only in a trusted workspace");
  return service.answer(file, message);
}
