/**
 * Signals that stop a run the way Ctrl-C does: SIGINT (Ctrl-C), SIGTERM (kill, service managers,
 * timeouts) and SIGHUP (the terminal closed). The first one asks the run to stop at the next sample,
 * so the recording is finished and marked interrupted; a second one exits at once. The exit code is
 * the shell's for that signal, 128 + its number.
 */
export const STOP_SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

export class StopSignals {
  /** The first stop signal received (null: none yet). */
  received: StopSignal | null = null;
  private onStop: () => void = () => {};
  private readonly handlers = new Map<StopSignal, () => void>();

  /**
   * Listens until `dispose`: from now on these signals no longer end the process by themselves.
   * With `listen` false it only hears what `receive` is told (a sweep's worker thread, told by its pool).
   */
  constructor(listen = true) {
    if (!listen) return;
    for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) {
      const handler = (): void => {
        if (this.received) process.exit(STOP_SIGNALS[signal]);
        this.receive(signal);
      };
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** A stop signal arrived: the run stops at its next sample. */
  receive(signal: StopSignal): void {
    this.received ??= signal;
    this.onStop();
  }

  /** Calls `stop` on the first signal (at once if one already came). */
  whenStopped(stop: () => void): void {
    this.onStop = stop;
    if (this.received) stop();
  }

  /** The exit code of the signal received (the run's code when none came). */
  exitCode(otherwise: number): number {
    return this.received ? STOP_SIGNALS[this.received] : otherwise;
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }
}
