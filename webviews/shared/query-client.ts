/**
 * The webview side of run queries (./queries.ts): `ask` posts a query with a fresh id and resolves with
 * the host's answer for that id (rejects with a QueryFailed for an error answer). Transport-neutral: the
 * editor passes vscode.postMessage, a notebook renderer its context.postMessage; both feed incoming
 * messages to `receive`.
 */
import { isQueryAnswer, type QueryError, type QueryRequest, type QueryResults, type RunQuery } from "./queries";
import type { RunSource } from "./run-source";

export class QueryFailed extends Error {
  constructor(readonly error: QueryError) {
    super(error.message);
    this.name = "QueryFailed";
  }
}

export class QueryClient {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: QueryFailed): void }>();

  /** `onFailure` sees every error answer too (the .nfrun editor says when one means the file is damaged). */
  constructor(
    private readonly post: (m: QueryRequest) => void,
    private readonly onFailure?: (error: QueryError) => void,
  ) {}

  ask<Q extends RunQuery>(query: Q): Promise<QueryResults[Q["kind"]]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ type: "query", id, query });
    });
  }

  /** Settles the query an answer belongs to; false when the message is not an answer to a pending query. */
  receive(message: unknown): boolean {
    if (!isQueryAnswer(message)) return false;
    const p = this.pending.get(message.id);
    if (!p) return false;
    this.pending.delete(message.id);
    if ("error" in message) {
      this.onFailure?.(message.error);
      p.reject(new QueryFailed(message.error));
    }
    else p.resolve(message.result);
    return true;
  }

  /** Rejects every pending query (the file changed or the view is going away). */
  cancelAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new QueryFailed({ kind: "cancelled", message: reason }));
    this.pending.clear();
  }
}

/**
 * A RunSource (what views such as the network popup ask for) answered through a QueryClient. `file`:
 * the run file each query names (notebook renderers: one messaging channel serves every output).
 */
export function runSourceOf(client: QueryClient, file?: string): RunSource {
  const where = file === undefined ? {} : { file };
  return {
    weightTrace: (q) => client.ask({ ...q, ...where, kind: "weightTrace" }),
    neuronSnapshot: (q) => client.ask({ ...q, ...where, kind: "neuronSnapshot" }),
    epochSummary: (q) => client.ask({ ...q, ...where, kind: "epochSummary" }),
  };
}
