/** A neuron's stage of life (seed 004): by age, or dying once senescence has marked it. */
export type LifecycleStage = "newborn" | "mature" | "senior" | "dying";

export const lifecycleStages: readonly LifecycleStage[] = ["newborn", "mature", "senior", "dying"];

export function stageOf(age: number, dying: boolean, maturity: number, seniority: number): LifecycleStage {
  if (dying) return "dying";
  if (age < maturity) return "newborn";
  return age < seniority ? "mature" : "senior";
}
