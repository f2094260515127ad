/**
 * What the live health view shows of a training trainer (seed 004's health and lifecycle): it hears the
 * commits' losses and the lifecycle / non-finite notices, and reads the rest from the trainer when a
 * payload is asked for (the latest health measure, fitness, ages and stages), so between two updates of
 * the view it costs a few array writes per commit.
 */
import type { LayerHealth } from "../../engine/health/monitor";
import type { ValueSummary } from "../../engine/health/summary";
import { summarize } from "../../engine/health/summary";
import type { TrainingNotice } from "../../engine/observer";
import type { Trainer } from "../../engine/trainer";
import { MAX_VIEW_EVENTS, type HealthValues, type HealthViewEvent, type HealthViewLayer, type HealthViewLifecycle, type HealthViewPayload, type LifecycleStage } from "./health-view-types";

/** Loss points kept: past this, every other one is dropped and the stride doubles. */
const MAX_LOSS_POINTS = 400;

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** A ValueSummary as JSON carries it (NaN → null). */
export function healthValues(s: ValueSummary): HealthValues {
  return {
    count: s.count,
    zeros: s.zeros,
    nan: s.nan,
    inf: s.inf,
    mean: finiteOrNull(s.mean),
    std: finiteOrNull(s.std),
    percentiles: s.percentiles.map(finiteOrNull),
    histogram: { low: finiteOrNull(s.histogram.low), high: finiteOrNull(s.histogram.high), counts: s.histogram.counts },
  };
}

/** One layer's health measure as the view shows it (a live trainer's, or one read back from a run file). */
export function healthViewLayer(l: LayerHealth, units: number, activation: string): HealthViewLayer {
  return {
    layer: l.layer,
    units,
    activation,
    weights: healthValues(l.weights),
    gradients: healthValues(l.gradients),
    activationMean: finiteOrNull(l.activationMean),
    activationStd: finiteOrNull(l.activationStd),
    dormant: finiteOrNull(l.dormant),
  };
}

export class HealthLive {
  private readonly events: HealthViewEvent[] = [];
  private readonly counts: Record<string, number> = {};
  private lossT: number[] = [];
  private lossV: (number | null)[] = [];
  private stride = 1;

  constructor(readonly trainer: Trainer) {}

  /** Whether a trainer has anything for this view (health measures or a lifecycle). */
  static wanted(trainer: Trainer): boolean {
    return trainer.health !== null || trainer.lifecycle !== null;
  }

  onCommit(t: number, loss: number): void {
    if (t % this.stride !== 0) return;
    this.lossT.push(t);
    this.lossV.push(finiteOrNull(loss));
    if (this.lossT.length <= MAX_LOSS_POINTS) return;
    this.stride *= 2;
    const keep = this.lossT.map((x, i) => (x % this.stride === 0 ? i : -1)).filter((i) => i >= 0);
    this.lossT = keep.map((i) => this.lossT[i]!);
    this.lossV = keep.map((i) => this.lossV[i]!);
  }

  onNotice(n: TrainingNotice): void {
    if (n.kind !== "lifecycle" && n.kind !== "nonfinite") return;
    const e = n.lifecycle;
    const kind = e ? e.kind : n.kind;
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    this.events.push({ t: n.t ?? this.trainer.t, kind, layer: e ? e.layer : null, neuron: e ? e.neuron : null, message: n.message });
    if (this.events.length > MAX_VIEW_EVENTS) this.events.shift();
  }

  payload(status: HealthViewPayload["status"]): HealthViewPayload {
    const trainer = this.trainer;
    const model = trainer.model;
    const latest = trainer.health?.latest ?? [];
    return {
      kind: "health-view",
      t: trainer.t,
      status,
      measuredT: latest.length ? latest[0]!.t : null,
      layers: latest.map((l) => healthViewLayer(l, model.layers[l.layer]!.units, model.layers[l.layer]!.activation.name)),
      lifecycle: this.lifecycle(),
      events: [...this.events],
      eventCounts: { ...this.counts },
      loss: { t: [...this.lossT], loss: [...this.lossV] },
    };
  }

  private lifecycle(): HealthViewLifecycle | null {
    const life = this.trainer.lifecycle;
    if (!life) return null;
    const t = this.trainer.t;
    const every = life.options.every;
    const ages = life.bornAt.map((born) => t - born);
    return {
      evaluatedT: t >= every ? t - (t % every) : null,
      fitness: healthValues(summarize(life.terms.fitness)),
      ages: healthValues(summarize(ages)),
      stages: liveStages(this.trainer)!,
    };
  }
}

/** Per layer, each neuron's stage now (null: the trainer has no lifecycle). */
export function liveStages(trainer: Trainer): LifecycleStage[][] | null {
  const life = trainer.lifecycle;
  return life && trainer.model.layers.map((l) => Array.from({ length: l.units }, (_, j) => life.stage(l.neuronOffset + j, trainer.t)));
}
