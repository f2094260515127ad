import { SingleBar } from "cli-progress";
import type { EpochEvent, TrainingObserver } from "../engine/observer";

/**
 * Training progress for the terminal. Three modes:
 * - `bar`:   a cli-progress bar on a TTY (epoch, loss, samples/s, ETA), then the loss summary;
 * - `lines`: plain lines, one per ~10% of the epochs (for logs, pipes, CI);
 * - `quiet`: nothing.
 * Either way the loss at the same checkpoints (first epoch, every ~10%, last) is kept in `summary`.
 */
export type ProgressMode = "bar" | "lines" | "quiet";

export interface ProgressOptions {
  readonly mode: ProgressMode;
  /** Epochs the run will train (for percentages and ETA); may be set later, before `start`. */
  epochs: number;
  /** Plain-line sink (default: stdout). */
  readonly print?: (line: string) => void;
  /** Where the bar is drawn (default: stderr). */
  readonly stream?: NodeJS.WritableStream;
}

export interface Checkpoint {
  /** 1-based epoch number. */
  readonly epoch: number;
  readonly loss: number;
  /** Wall-clock seconds since the run started. */
  readonly elapsed: number;
  readonly samplesPerSecond: number;
}

/** The mode for this process: quiet if asked, a bar when stderr is a terminal, lines otherwise. */
export function progressModeFor(quiet: boolean, stream: { isTTY?: boolean } = process.stderr): ProgressMode {
  if (quiet) return "quiet";
  return stream.isTTY ? "bar" : "lines";
}

export class ProgressReporter implements TrainingObserver {
  readonly summary: Checkpoint[] = [];
  private readonly print: (line: string) => void;
  private started = performance.now();
  private samples = 0;
  private trainingSeconds = 0;
  private bar: SingleBar | null = null;
  private readonly options: ProgressOptions;

  constructor(options: ProgressOptions) {
    this.options = { ...options };
    this.print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get epochs(): number {
    return this.options.epochs;
  }
  set epochs(n: number) {
    this.options.epochs = n;
  }

  /** Starts the clock (and the bar). Call right before training. */
  start(): void {
    this.started = performance.now();
    const options = this.options;
    if (options.mode === "bar") {
      this.bar = new SingleBar({
        format: "epoch {value}/{total} [{bar}] {percentage}% | loss {loss} | {rate} samples/s | ETA {eta_formatted}",
        barsize: 24,
        hideCursor: true,
        gracefulExit: false,
        clearOnComplete: false,
        stream: options.stream ?? process.stderr,
        etaBuffer: 50,
      });
      this.bar.start(options.epochs, 0, { loss: "…", rate: "…" });
    }
  }

  onEpoch(e: EpochEvent): void {
    this.samples += e.samples;
    this.trainingSeconds += e.seconds;
    const epoch = e.epoch + 1;
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = this.trainingSeconds > 0 ? this.samples / this.trainingSeconds : 0;
    this.bar?.update(epoch, { loss: formatLoss(e.loss), rate: formatCount(rate) });
    if (isCheckpoint(epoch, this.options.epochs)) {
      const point = { epoch, loss: e.loss, elapsed, samplesPerSecond: rate };
      this.summary.push(point);
      if (this.options.mode === "lines") this.print(this.line(point));
    }
  }

  /** Stops the bar; in bar mode prints the loss summary the plain mode printed along the way. */
  finish(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
      if (this.summary.length > 0) {
        this.print("loss by epoch:");
        for (const point of this.summary) this.print(`  ${this.line(point, true)}`);
      }
    }
  }

  /** `epoch  50/500  loss 0.123456  12.3k samples/s  ETA 1.2s` (afterwards: `at 0.4s` instead of the ETA). */
  line(point: Checkpoint, afterwards = false): string {
    const total = this.options.epochs;
    const width = String(total).length;
    const remaining = total - point.epoch;
    const eta = point.epoch > 0 ? (point.elapsed / point.epoch) * remaining : 0;
    return (
      `epoch ${String(point.epoch).padStart(width)}/${total}  loss ${formatLoss(point.loss)}  ` +
      `${formatCount(point.samplesPerSecond)} samples/s  ` +
      (afterwards ? `at ${formatSeconds(point.elapsed)}` : remaining > 0 ? `ETA ${formatSeconds(eta)}` : `done in ${formatSeconds(point.elapsed)}`)
    );
  }
}

/** Epoch 1, every epoch that crosses a 10% mark, and the last. */
export function isCheckpoint(epoch: number, epochs: number): boolean {
  if (epoch === 1 || epoch === epochs) return true;
  return Math.floor((epoch * 10) / epochs) > Math.floor(((epoch - 1) * 10) / epochs);
}

export function formatLoss(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e5 ? x.toFixed(6) : x.toExponential(4);
}

export function formatCount(x: number): string {
  if (!Number.isFinite(x) || x <= 0) return "0";
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(0)}k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

export function formatSeconds(s: number): string {
  if (s < 1) return `${(s * 1000).toFixed(0)}ms`;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
}
