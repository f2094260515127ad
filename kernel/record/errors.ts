/** Why a .nfrun file could not be used. Every reader failure is one of these, with a plain message. */
export type NfrunErrorKind =
  | "io" // the file could not be read or written
  | "locked" // another writer is recording into the file (run-lock.ts)
  | "empty" // zero bytes
  | "not-sqlite" // not an SQLite database at all
  | "truncated" // shorter than its header says
  | "too-large" // larger than this reader accepts
  | "foreign" // an SQLite database, but not a NeuroForge run file (other application id)
  | "newer-version" // written by a newer NeuroForge with a schema this reader does not know
  | "older-version" // an older schema: readable, but the recorder does not append runs to it
  | "missing-table" // a required table is missing
  | "corrupt" // SQLite refused to read it (damaged pages, bad values)
  | "no-such-run" // the run id is not in the file
  | "bad-argument" // a layer/neuron/weight/epoch that does not exist in the run
  | "needs-strategy" // verify: the run's strategy is a user's, and no module supplying it was given
  | "strategy-mismatch"; // verify: the strategy supplied is not the code the run was recorded with

export class NfrunError extends Error {
  constructor(
    readonly kind: NfrunErrorKind,
    message: string,
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = "NfrunError";
  }
}
