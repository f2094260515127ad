import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { ConfigContext } from "./data";
import { ExperimentConfigError } from "./errors";

/** The command-line flag that writes each export to any path the person running it chooses. */
const FLAGS = { weights: "--weights-out", config: "--export-config", audit_log: "--audit-log" } as const;

/**
 * `export.<key>` made absolute against the experiment's folder, refused when it leads outside that
 * folder (`../../x`, an absolute path elsewhere, a symlink to elsewhere): an experiment file comes from anyone
 * (a course, a colleague, a download), and running it must not write, or append to, files elsewhere.
 * A path given on the command line (FLAGS) may go anywhere.
 */
export function resolveExportPath(key: keyof typeof FLAGS, path: string, ctx: ConfigContext): string {
  const folder = realFolder(ctx.baseDir);
  const target = isAbsolute(path) ? path : resolve(ctx.baseDir, path);
  const rel = relative(folder, realTarget(target));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new ExperimentConfigError(
      `export.${key}`,
      `${JSON.stringify(path)} is outside the experiment's folder (${ctx.baseDir}); an experiment file writes only inside its own folder — give the path on the command line (${FLAGS[key]}) to write elsewhere`,
      ctx.file,
    );
  }
  return target;
}

function realFolder(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/** The target with its deepest existing ancestor's symlinks resolved (the rest does not exist yet). */
function realTarget(target: string): string {
  let dir = target;
  const rest: string[] = [];
  while (!existsSync(dir) && dirname(dir) !== dir) {
    rest.unshift(basename(dir));
    dir = dirname(dir);
  }
  return join(realFolder(dir), ...rest);
}
