/**
 * Writes a notebook whose one output is the network of a recorded run as a large run's payload looks:
 * weights and the batch's samples embedded, no traces, neuron snapshots or epoch summaries, and the run
 * file's absolute path. Opening it in VS Code, a popup must get its data from the extension host
 * (renderer messaging → run query service → the .nfrun). Used by test/e2e/run.mjs:
 *   node --import tsx test/e2e/lazy-network-notebook.ts <run.nfrun> <out.ipynb>
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { NfrunReader } from "../../kernel/record";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { networkTrace } from "../../kernel/runtime/display/network";

async function main(): Promise<void> {
  const [file, out] = process.argv.slice(2);
  if (!file || !out) throw new Error("usage: lazy-network-notebook.ts <run.nfrun> <out.ipynb>");
  const reader = await NfrunReader.open(path.resolve(file));
  const runId = reader.runIds()[0]!;
  const bundle = mimeBundleOf(networkTrace(reader, runId));
  reader.close();
  const payload = JSON.parse(JSON.stringify(bundle[MIME.network])) as { recording: { commits: { traces: unknown; neurons: unknown }[]; epochSummaries: unknown; tracesOmitted: string | null } };
  for (const c of payload.recording.commits) {
    c.traces = null;
    c.neurons = null;
  }
  payload.recording.epochSummaries = null;
  payload.recording.tracesOmitted = "stripped to test lazy queries";
  const notebook = {
    cells: [
      {
        cell_type: "code",
        execution_count: 1,
        id: "lazy-network",
        metadata: {},
        source: ["networkTrace(reader, runId)"],
        outputs: [{ output_type: "execute_result", execution_count: 1, metadata: {}, data: { [MIME.network]: payload, "text/plain": [String(bundle["text/plain"])] } }],
      },
    ],
    metadata: { kernelspec: { display_name: "NeuroForge (TypeScript)", language: "typescript", name: "neuroforge" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(out, JSON.stringify(notebook, null, 1) + "\n");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
