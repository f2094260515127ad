import type { Chunk, RunDb } from "./reader-types";

/**
 * A sample chunk's contents a recorder cannot have written: a sample index outside the dataset (each
 * position of an epoch holds one of its samples). Damage inside a blob's bytes (a region of the file
 * overwritten) passes SQLite and the size checks; without this the popups would show "–" for samples
 * that do not exist. Throws the reader's 'corrupt' error naming the chunk.
 */
export function checkChunkSamples(db: RunDb, runId: string, epoch: number, chunk: Chunk, dataCount: number): void {
  for (let i = 0; i < chunk.count; i++) {
    const s = chunk.sample[i]!;
    if (s < 0 || s >= dataCount) {
      throw db.bad(`run ${runId}: sample chunk at epoch ${epoch}, position ${chunk.first + i} names sample ${s}, outside the ${dataCount} samples (the file is damaged)`);
    }
  }
}
