import { adadelta } from "./adadelta";
import { adagrad } from "./adagrad";
import { adam } from "./adam";
import { adamax } from "./adamax";
import { adamw } from "./adamw";
import { ConfigError, didYouMean } from "./hyperparameters";
import { magdetox } from "./magdetox";
import { momentum } from "./momentum";
import { nadam } from "./nadam";
import { precondEma } from "./precond-ema";
import { precondFisher } from "./precond-fisher";
import { precondGaussNewton } from "./precond-gn";
import { precondHutchinson } from "./precond-hutchinson";
import { rmsprop } from "./rmsprop";
import { sgd } from "./sgd";
import { simplex } from "./simplex";
import type { Strategy } from "./strategy";

/** Every optimizer by id (the `optimizer:` value in configs). Adding one: one file + one line here. */
export const strategies: Readonly<Record<string, Strategy>> = Object.freeze({
  sgd,
  momentum,
  rmsprop,
  adam,
  adamw,
  nadam,
  adagrad,
  adadelta,
  adamax,
  simplex,
  magdetox,
  precond_ema: precondEma,
  precond_hutchinson: precondHutchinson,
  precond_fisher: precondFisher,
  precond_gn: precondGaussNewton,
});

export const strategyIds: readonly string[] = Object.freeze(Object.keys(strategies));

/** The strategy registered as `id`; a ConfigError on `optimizer` (with a did-you-mean) otherwise. */
export function getStrategy(id: string): Strategy {
  if (Object.hasOwn(strategies, id)) return strategies[id]!;
  const hint = didYouMean(id, strategyIds);
  throw new ConfigError(
    "optimizer",
    `unknown optimizer '${id}'` + (hint ? ` (did you mean '${hint}'?)` : ` (known: ${strategyIds.join(", ")})`),
  );
}
