/**
 * Jupyter's `history_request` (messaging spec 5.3, as IPython answers it) over the cells this kernel
 * session has run. Only the current session exists (the kernel keeps no history database): it is
 * session 0 in requests, as in IPython, and entries carry session 0.
 */

export interface HistoryEntry {
  readonly line: number;
  readonly input: string;
}

export interface HistoryRequest {
  readonly output?: boolean;
  readonly hist_access_type?: "range" | "tail" | "search" | string;
  readonly session?: number;
  readonly start?: number;
  readonly stop?: number | null;
  readonly n?: number | null;
  readonly pattern?: string;
  readonly unique?: boolean;
}

/** `[session, line, input]`, or `[session, line, [input, output]]` when `output` is asked (output: null, not kept). */
export type HistoryItem = readonly [number, number, string | readonly [string, null]];

/** IPython's glob: `*` any run of characters, `?` one character, the rest literal; the whole input matches. */
function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

export function historyReply(entries: readonly HistoryEntry[], req: HistoryRequest): { status: "ok"; history: HistoryItem[] } {
  let picked: HistoryEntry[];
  switch (req.hist_access_type) {
    case "tail":
      picked = req.n && req.n > 0 ? entries.slice(-req.n) : [...entries];
      break;
    case "search": {
      const re = globRegExp(req.pattern ?? "*");
      let found = entries.filter((e) => re.test(e.input));
      if (req.unique) {
        // The latest occurrence of each input, in order.
        const last = new Map(found.map((e) => [e.input, e]));
        found = found.filter((e) => last.get(e.input) === e);
      }
      picked = req.n && req.n > 0 ? found.slice(-req.n) : found;
      break;
    }
    default: {
      // "range": lines start ≤ line < stop of the current session (session 0 or absent).
      if (req.session !== undefined && req.session !== 0) {
        picked = [];
        break;
      }
      const start = req.start ?? 0;
      const stop = req.stop ?? Infinity;
      picked = entries.filter((e) => e.line >= start && e.line < stop);
    }
  }
  return { status: "ok", history: picked.map((e) => [0, e.line, req.output ? [e.input, null] : e.input] as const) };
}
