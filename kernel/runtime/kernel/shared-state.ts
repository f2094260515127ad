/**
 * Int32 slots shared between the kernel's main thread (runs cells) and its control thread (reads the
 * protocol pipe, so it sees `interrupt` while the main thread is busy).
 */
export const SLOT = {
  /** Execution count of the running cell, 0 when idle. */
  running: 0,
  /** Execution count of the cell being interrupted (0: none). Trainers poll this. */
  interrupt: 1,
  /** What the main thread is doing: PHASE.* */
  phase: 2,
  /** Execution count whose trainer honoured the interrupt (stopped at a sample boundary). */
  stopped: 3,
} as const;

export const PHASE = { idle: 0, kernel: 1, user: 2 } as const;

export const STATE_SLOTS = 4;
