import { z } from "zod";
import { initializerNames } from "../initializers";

/** An initializer by name (kernel/engine/initializers.ts) with its optional value: `model.init`, `lifecycle.init`. */
export const initSchema = z.strictObject({
  name: z.enum(initializerNames as [string, ...string[]]),
  value: z.number().optional(),
});
