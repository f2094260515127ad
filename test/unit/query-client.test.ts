/**
 * The webview side of run queries: answers settle the query with their id (results resolve, error
 * answers reject with the host's kind), foreign messages are left alone, cancelAll rejects what is pending.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { QueryClient, QueryFailed, runSourceOf } from "../../webviews/shared/query-client";
import type { QueryRequest } from "../../webviews/shared/queries";

test("answers settle their own query; error answers reject with the host's kind; other messages are not consumed", async () => {
  const sent: QueryRequest[] = [];
  const client = new QueryClient((m) => sent.push(m));
  const a = client.ask({ kind: "timeline", runId: "r" });
  const b = client.ask({ kind: "weightsAfter", runId: "r", t: 3 });
  assert.deepEqual(
    sent.map((m) => [m.type, m.query.kind]),
    [
      ["query", "timeline"],
      ["query", "weightsAfter"],
    ],
  );
  assert.notEqual(sent[0]!.id, sent[1]!.id);
  assert.equal(client.receive({ type: "run-file" }), false);
  assert.equal(client.receive({ type: "answer", id: 999, result: {} }), false, "an id nobody asked");
  assert.equal(client.receive({ type: "answer", id: sent[1]!.id, error: { kind: "bad-query", message: "no commit t=3" } }), true);
  assert.equal(client.receive({ type: "answer", id: sent[0]!.id, result: { kind: "timeline" } }), true);
  assert.deepEqual(await a, { kind: "timeline" });
  await assert.rejects(b, (e: unknown) => e instanceof QueryFailed && e.error.kind === "bad-query" && e.message === "no commit t=3");
  assert.equal(client.receive({ type: "answer", id: sent[0]!.id, result: {} }), false, "settled once");
});

test("cancelAll rejects pending queries; runSourceOf tags RunSource queries with their kind", async () => {
  const sent: QueryRequest[] = [];
  const client = new QueryClient((m) => sent.push(m));
  const source = runSourceOf(client);
  const w = source.weightTrace({ runId: "r", layer: 1, neuron: 0, weight: 2, t: 5 });
  const n = source.neuronSnapshot({ runId: "r", layer: 0, neuron: 1, epoch: 0, sample: 7 });
  assert.deepEqual(
    sent.map((m) => m.query),
    [
      { runId: "r", layer: 1, neuron: 0, weight: 2, t: 5, kind: "weightTrace" },
      { runId: "r", layer: 0, neuron: 1, epoch: 0, sample: 7, kind: "neuronSnapshot" },
    ],
  );
  client.cancelAll("the file changed");
  await assert.rejects(w, (e: unknown) => e instanceof QueryFailed && e.error.kind === "cancelled");
  await assert.rejects(n, /the file changed/);
});
