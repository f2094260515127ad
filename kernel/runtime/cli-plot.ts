/**
 * `neuroforge plot <file.nfrun> --out plot.svg`: a recorded run's signals as panels, rendered headless to
 * SVG (the same Vega-Lite spec the signals renderer draws), or to PNG (`--format png`, or an `--out`
 * ending in .png). Exit 0 written, 2 bad file or usage, 1 the file cannot be written.
 */
import { NfrunError } from "../record/errors";
import { planPanels } from "../record/plot-recipe";
import { panelsSpec } from "../record/plot-spec";
import { NfrunReader } from "../record/reader";
import type { PanelMode, PanelRecipe, SummaryKind } from "../record/signal-types";
import { runSignals, type WeightRef } from "../record/signals";
import { EXIT, type Print } from "./cli-run";
import { writeFileAtomic } from "../record/spare-file";
import { parseWeightList } from "../record/weight-refs";
import { writeTextAtomic } from "./files";
import { svgToPng, vegaLiteToSvg } from "./plot-svg";

export interface PlotOptions {
  readonly out: string;
  readonly run?: string;
  readonly weights?: string;
  readonly panel?: readonly string[];
  readonly summary?: string;
  readonly top?: string;
  readonly log?: string;
  readonly format?: string;
}

/** svg or png: `--format`, else the extension of `--out` (.png), else svg. */
function formatOf(options: PlotOptions): "svg" | "png" {
  const f = options.format ?? (/\.png$/i.test(options.out) ? "png" : "svg");
  if (f !== "svg" && f !== "png") throw new UsageError(`--format: must be svg or png, got '${f}'`);
  return f;
}

class UsageError extends Error {}

const MODES: readonly PanelMode[] = ["components", "summary", "hybrid"];
const SUMMARIES: readonly SummaryKind[] = ["rms", "norm", "mean-abs"];

/** `l:n:w,…` → weight references. */
function parseWeights(text: string): WeightRef[] {
  const parsed = parseWeightList(text);
  if ("error" in parsed) throw new UsageError(`--weights: ${parsed.error}`);
  return parsed;
}

/** `name[,name…][:mode]` → a panel recipe. */
function parsePanel(text: string, options: PlotOptions): PanelRecipe {
  const [names, mode] = text.split(":");
  if (mode !== undefined && !MODES.includes(mode as PanelMode)) throw new UsageError(`--panel '${text}': mode must be one of ${MODES.join(", ")}`);
  return { signals: names!.split(",").map((n) => n.trim()).filter((n) => n), mode: (mode as PanelMode | undefined) ?? "components", ...common(options) };
}

function common(options: PlotOptions): Pick<PanelRecipe, "summary" | "top" | "logY"> {
  const summary = options.summary ?? "rms";
  if (!SUMMARIES.includes(summary as SummaryKind)) throw new UsageError(`--summary: must be one of ${SUMMARIES.join(", ")}, got '${summary}'`);
  const top = options.top === undefined ? 3 : Number(options.top);
  if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top: must be an integer ≥ 0, got '${options.top}'`);
  const log = options.log ?? "auto";
  if (!["auto", "on", "off"].includes(log)) throw new UsageError(`--log: must be auto, on or off, got '${log}'`);
  return { summary: summary as SummaryKind, top, logY: log === "auto" ? "auto" : log === "on" };
}

export async function plotCommand(file: string, options: PlotOptions, out: Print, err: Print): Promise<number> {
  let reader: NfrunReader | null = null;
  let svg: string;
  let format: "svg" | "png";
  try {
    format = formatOf(options);
    const weights = options.weights ? parseWeights(options.weights) : [];
    reader = await NfrunReader.open(file);
    const ids = reader.runIds();
    const runId = options.run ?? (ids.length === 1 ? ids[0]! : null);
    if (runId === null) throw new UsageError(`${file} holds ${ids.length} runs: choose one with --run (${ids.join(", ")})`);
    if (!ids.includes(runId)) throw new UsageError(`--run: no run '${runId}' in ${file}`);
    const signals = runSignals(reader, runId, weights);
    if ("kind" in signals) throw new UsageError(`--weights: ${signals.reason}`);
    const names = new Set(signals.map((s) => s.name));
    const recipes = options.panel && options.panel.length > 0
      ? options.panel.map((p) => parsePanel(p, options))
      : [["loss"], ["lr_scale"], ["grad_norm", "step_norm"], ["update_ratio"], ["weights"], ["test_loss"], ["test_accuracy"], ["dormant"]].filter((p) => names.has(p[0]!)).map((signals) => ({ signals, ...common(options) }));
    const panels = planPanels(signals, recipes, `run ${runId}`);
    svg = await vegaLiteToSvg(panelsSpec(panels));
  } catch (e) {
    if (e instanceof NfrunError || e instanceof UsageError || e instanceof RangeError) {
      err(`neuroforge: ${e.message}`);
      return EXIT.badConfig;
    }
    throw e;
  } finally {
    reader?.close();
  }
  try {
    if (format === "png") writeFileAtomic(options.out, await svgToPng(svg));
    else writeTextAtomic(options.out, svg);
  } catch (e) {
    err(`neuroforge: cannot write ${options.out}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
  out(`plotted to ${options.out}`);
  return EXIT.ok;
}
