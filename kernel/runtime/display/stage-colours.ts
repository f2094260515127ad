import type { LifecycleStage } from "../../engine/lifecycle/stages";

/** Lifecycle stages' colours in SVG fallbacks: the renderers' fallback colours (webviews/shared/stages.ts), readable on light and dark pages. */
export const STAGE_COLOUR: Readonly<Record<LifecycleStage, string>> = { newborn: "#388a34", mature: "#1a85ff", senior: "#652d90", dying: "#e51400" };
