import { blobF64, blobI32 } from "./blob";
import { checkChunkSamples } from "./chunk-damage";
import type { Chunk, RunContext, RunDb } from "./reader-types";

/** Bytes of decoded epochs kept per reader (least recently used are dropped; the last one is always kept). */
const MAX_BYTES = 64 << 20;

/**
 * The recorded sample chunks of an epoch, decoded once and cached (up to 64 MB of them). The float64 arrays are views of
 * the blobs sql.js returns (no second copy when aligned). `sampleAt` is called per sample in the
 * replay loops, so the last epoch looked up is kept outside the Map.
 */
export class ChunkCache {
  private readonly cache = new Map<string, Chunk[]>();
  private bytes = 0;
  private lastRun = "";
  private lastEpoch = -1;
  private last: Chunk[] = [];

  constructor(
    private readonly db: RunDb,
    private readonly context: (runId: string) => RunContext,
  ) {}

  epochChunks(runId: string, epoch: number): Chunk[] {
    if (runId === this.lastRun && epoch === this.lastEpoch) return this.last;
    const key = `${runId}\u0000${epoch}`;
    let chunks = this.cache.get(key);
    if (chunks) this.cache.delete(key);
    else {
      chunks = this.load(runId, epoch);
      this.bytes += sizeOf(chunks);
    }
    this.cache.set(key, chunks);
    while (this.bytes > MAX_BYTES && this.cache.size > 1) {
      const oldest = this.cache.keys().next().value!;
      this.bytes -= sizeOf(this.cache.get(oldest)!);
      this.cache.delete(oldest);
    }
    this.lastRun = runId;
    this.lastEpoch = epoch;
    this.last = chunks;
    return chunks;
  }

  private load(runId: string, epoch: number): Chunk[] {
    // Positions and blob sizes were checked when the run's context loaded (./run-shape).
    const { dataCount } = this.context(runId);
    return this.db
      .query("SELECT first_position, count, sample, loss, a, blame FROM sample_chunks WHERE run_id = ? AND epoch = ? ORDER BY first_position", [runId, epoch])
      .map((c) => {
        const chunk = { first: Number(c[0]), count: Number(c[1]), sample: blobI32(c[2])!, loss: blobF64(c[3])!, a: blobF64(c[4])!, blame: blobF64(c[5])! };
        checkChunkSamples(this.db, runId, epoch, chunk, dataCount);
        return chunk;
      });
  }

  /** Locates position `position` of `epoch`: its chunk and index in it, or null when not recorded. */
  sampleAt(runId: string, epoch: number, position: number): { chunk: Chunk; i: number } | null {
    const chunks = this.epochChunks(runId, epoch);
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid]!;
      if (position < c.first) hi = mid - 1;
      else if (position >= c.first + c.count) lo = mid + 1;
      else return { chunk: c, i: position - c.first };
    }
    return null;
  }

  positionOfSample(runId: string, epoch: number, sample: number): number | null {
    for (const c of this.epochChunks(runId, epoch)) {
      const i = c.sample.indexOf(sample);
      if (i >= 0) return c.first + i;
    }
    return null;
  }
}

function sizeOf(chunks: readonly Chunk[]): number {
  let n = 0;
  for (const c of chunks) n += c.sample.byteLength + c.loss.byteLength + c.a.byteLength + c.blame.byteLength;
  return n;
}
