/**
 * Child process of hostile-nfrun.test.ts: reads one (doctored) .nfrun the three ways the product
 * does — `neuroforge verify`, the kernel's reader, the editor's queries in the extension host — and
 * prints one JSON line: verify's exit code and output, how the reader ended, and this process's peak
 * RSS. A crash of any kind (not an NfrunError) is reported, never swallowed.
 */
import { NfrunError, NfrunReader } from "../../../kernel/record";
import { verifyCommand } from "../../../kernel/runtime/verify-command";
import { summarize } from "../../../extension/editor/load";
import { answerQuery } from "../../../extension/runs/answer";
import type { RunQuery } from "../../../webviews/shared/queries";

async function readAll(file: string): Promise<string> {
  const reader = await NfrunReader.open(file);
  try {
    for (const runId of reader.runIds()) {
      const info = reader.run(runId);
      summarize(reader, runId);
      reader.events(runId);
      const t = info.commits;
      const epoch = info.recordedEpochs[0] ?? 0;
      const queries: RunQuery[] = [
        { kind: "timeline", runId },
        { kind: "weightsAfter", runId, t },
        { kind: "batch", runId, t: 1 },
        { kind: "weightTrace", runId, layer: 0, neuron: 0, weight: 0, t },
        { kind: "neuronSnapshot", runId, layer: 1, neuron: 0, epoch, sample: 0 },
        { kind: "epochSummary", runId, layer: 0, neuron: 0, weight: 0, epoch },
        ...info.recordedEpochs.map((e): RunQuery => ({ kind: "sample", runId, epoch: e, sample: 1 })),
      ];
      for (const q of queries) answerQuery(reader, q);
    }
    return "read";
  } finally {
    reader.close();
  }
}

async function main(): Promise<void> {
  const file = process.argv[2]!;
  const lines: string[] = [];
  const code = await verifyCommand(file, (l) => lines.push(l), (l) => lines.push(`stderr: ${l}`));
  let reader: string;
  try {
    reader = await readAll(file);
  } catch (e) {
    reader = e instanceof NfrunError ? `NfrunError ${e.kind}: ${e.message}` : `CRASH ${(e as Error).stack}`;
  }
  process.stdout.write(JSON.stringify({ code, lines, reader, maxRssKb: process.resourceUsage().maxRSS }) + "\n");
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ code: -1, lines: [`CRASH ${(e as Error).stack}`], reader: "not reached", maxRssKb: process.resourceUsage().maxRSS }) + "\n");
});
