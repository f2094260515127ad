/**
 * Minimal source-map line mapping (version 3 "mappings", base64 VLQ): enough to turn a generated line
 * into an original line. Used to report runtime errors at cell-relative lines.
 */
const B64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

/** Per generated line (0-based): [generatedColumn, originalLine] pairs, sorted by column. */
export type LineMap = (readonly [number, number])[][];

export function decodeMappings(mappings: string): LineMap {
  const lines: LineMap = [];
  let srcLine = 0;
  for (const lineText of mappings.split(";")) {
    const segs: [number, number][] = [];
    let col = 0;
    for (const seg of lineText.split(",")) {
      if (seg === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.get(ch);
        if (d === undefined) break;
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += fields[0] ?? 0;
      if (fields.length >= 4) {
        srcLine += fields[2]!;
        segs.push([col, srcLine]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** Original line (0-based) of generated (line, column) (0-based), or null. */
export function originalLine(map: LineMap, line: number, column: number): number | null {
  const segs = map[line];
  if (!segs || segs.length === 0) return null;
  let best = segs[0]![1];
  for (const [c, l] of segs) {
    if (c <= column) best = l;
    else break;
  }
  return best;
}

export function parseSourceMap(json: string): LineMap {
  return decodeMappings((JSON.parse(json) as { mappings: string }).mappings);
}
