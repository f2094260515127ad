import type { SenescenceOptions } from "./options";

/** What one evaluation did to a neuron's senescence. */
export type SenescenceChange = "none" | "senescent" | "recovered" | "kill";

/**
 * The senescence daemon of seed 004, per neuron: the relative fitness slope |Δf| / (|f| + 1e-8) between
 * evaluations is flat below `flat`, moving above `flat × exit`, and in between (the hysteresis band) it
 * changes nothing. `steps` commits of flat → senescent (escalate); `grace` more flat commits → kill. A
 * moving slope clears both counts (recovered, if it was senescent). `forget` starts a new life (retry).
 */
export class Senescence {
  /** Commits the fitness has been flat (reset by a moving slope). */
  readonly flatFor: Float64Array;
  readonly senescent: Uint8Array;
  private readonly last: Float64Array;

  constructor(
    private readonly o: Required<SenescenceOptions>,
    neurons: number,
  ) {
    this.flatFor = new Float64Array(neurons);
    this.senescent = new Uint8Array(neurons);
    this.last = new Float64Array(neurons).fill(NaN);
  }

  /** Neuron i's fitness at an evaluation `commits` commits after the previous one. */
  update(i: number, fitness: number, commits: number): SenescenceChange {
    const last = this.last[i]!;
    this.last[i] = fitness;
    if (Number.isNaN(last)) return "none";
    const slope = Math.abs(fitness - last) / (Math.abs(fitness) + 1e-8);
    const { flat, exit, steps, grace } = this.o;
    if (slope > flat * exit) {
      this.flatFor[i] = 0;
      if (!this.senescent[i]) return "none";
      this.senescent[i] = 0;
      return "recovered";
    }
    if (slope >= flat) return "none";
    this.flatFor[i] += commits;
    if (!this.senescent[i]) {
      if (this.flatFor[i]! < steps) return "none";
      this.senescent[i] = 1;
      return "senescent";
    }
    return this.flatFor[i]! >= steps + grace ? "kill" : "none";
  }

  forget(i: number): void {
    this.flatFor[i] = 0;
    this.senescent[i] = 0;
    this.last[i] = NaN;
  }
}
