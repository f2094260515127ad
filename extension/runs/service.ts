/**
 * The run query service of the extension host: answers webview queries (webviews/shared/queries.ts)
 * about a .nfrun file from a cached reader (./run-files.ts). Every failure becomes a typed error answer
 * (the reader's NfrunError kind, `bad-query`, or `unexpected`); nothing a webview sends can throw here.
 */
import { NfrunError } from "../../kernel/record";
import { isQueryRequest, type QueryAnswer, type QueryError } from "../../webviews/shared/queries";
import { answerQuery, BadQuery, checkQuery } from "./answer";
import type { RunFiles } from "./run-files";

export function queryError(e: unknown): QueryError {
  if (e instanceof NfrunError) return { kind: e.kind, message: e.message };
  if (e instanceof BadQuery) return { kind: "bad-query", message: e.message };
  return { kind: "unexpected", message: e instanceof Error ? e.message : String(e) };
}

export class RunQueryService {
  constructor(readonly files: RunFiles) {}

  /** The answer to a query message about `file` (a message that is not a query gets id −1). */
  async answer(file: string, message: unknown): Promise<QueryAnswer> {
    if (!isQueryRequest(message)) return { type: "answer", id: -1, error: { kind: "bad-query", message: "not a query message" } };
    const id = message.id;
    try {
      const query = checkQuery(message.query);
      const { reader } = await this.files.open(file);
      return { type: "answer", id, result: answerQuery(reader, query) };
    } catch (e) {
      return { type: "answer", id, error: queryError(e) };
    }
  }
}
