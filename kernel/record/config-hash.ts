import { createHash } from "node:crypto";

/**
 * Canonical JSON: object keys sorted (recursively), no whitespace, `undefined` members dropped.
 * Two configs that mean the same produce the same text, whatever order their keys were written in.
 * Non-finite numbers are rejected (JSON cannot represent them, and a config must round-trip).
 */
export function canonicalJson(value: unknown): string {
  return write(value, "$");
}

function write(value: unknown, at: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new RangeError(`${at}: ${value} cannot be written as JSON`);
      return JSON.stringify(value);
    case "boolean":
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v, i) => (v === undefined ? "null" : write(v, `${at}[${i}]`))).join(",")}]`;
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(o[k], `${at}.${k}`)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`${at}: a ${typeof value} cannot be written as JSON`);
  }
}

/** sha256 (hex) of the canonical JSON of a resolved config: the run's stable config hash. */
export function configHash(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config), "utf8").digest("hex");
}
