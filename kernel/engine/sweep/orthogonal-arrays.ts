/**
 * Taguchi orthogonal arrays: rows are runs, columns are factors, entries are level indices (0-based).
 * In every pair of columns each pair of levels occurs equally often, so each factor's main effect is
 * estimated from a balanced set of the others.
 *
 * L4 (2³), L8 (2⁷), L16 (2¹⁵), L9 (3⁴), L27 (3¹³) and L25 (5⁶) are the linear arrays over GF(p): row r
 * is a vector u of GF(p)^k, column c is u·v_c for one representative v_c of each 1-dimensional
 * subspace (its first non-zero entry 1). Any two such v are independent, hence the balance. Rows run
 * with the first coordinate slowest, so column 1 reads 0…0 1…1 as in the published tables.
 * L18 (2¹ × 3⁷) is not linear; it is Taguchi's published table.
 */
export const ARRAY_NAMES = ["L4", "L8", "L9", "L16", "L18", "L25", "L27"] as const;
export type ArrayName = (typeof ARRAY_NAMES)[number];

export interface OrthogonalArray {
  readonly name: ArrayName;
  /** Levels of each column. */
  readonly levels: readonly number[];
  /** rows[r][c]: the level index (0-based) of column c in run r. */
  readonly rows: readonly (readonly number[])[];
}

const LINEAR: Readonly<Record<Exclude<ArrayName, "L18">, readonly [p: number, k: number]>> = {
  L4: [2, 2],
  L8: [2, 3],
  L16: [2, 4],
  L9: [3, 2],
  L27: [3, 3],
  L25: [5, 2],
};

/** Every vector of GF(p)^k, the first coordinate varying slowest. */
function vectors(p: number, k: number): number[][] {
  let out: number[][] = [[]];
  for (let d = 0; d < k; d++) out = out.flatMap((v) => Array.from({ length: p }, (_, x) => [...v, x]));
  return out;
}

function linearArray(name: Exclude<ArrayName, "L18">): OrthogonalArray {
  const [p, k] = LINEAR[name];
  const all = vectors(p, k);
  // The unit vectors first (each a base factor at full resolution, as in Taguchi's tables), then the rest.
  const weight = (v: readonly number[]) => v.filter((x) => x !== 0).length;
  const columns = all
    .filter((v) => v.find((x) => x !== 0) === 1)
    .sort((x, y) => weight(x) - weight(y) || y.join().localeCompare(x.join()));
  const rows = all.map((u) => columns.map((v) => u.reduce((sum, x, d) => sum + x * v[d]!, 0) % p));
  return { name, levels: columns.map(() => p), rows };
}

// Taguchi's L18 (levels 1-based as published; column 1 has two levels, columns 2–8 three).
const L18_TABLE = [
  "11111111", "11222222", "11333333", "12112233", "12223311", "12331122", "13121323", "13232131", "13313212",
  "21133221", "21211332", "21322113", "22123132", "22231213", "22312321", "23132312", "23213123", "23321231",
];

/** The named array. */
export function orthogonalArray(name: ArrayName): OrthogonalArray {
  if (name === "L18") {
    return { name, levels: [2, 3, 3, 3, 3, 3, 3, 3], rows: L18_TABLE.map((row) => [...row].map((c) => Number(c) - 1)) };
  }
  return linearArray(name);
}

/**
 * The smallest array that holds `factorLevels` (each factor's number of levels, in order): a factor
 * takes a column with exactly its number of levels. Null when none fits.
 */
export function smallestArrayFor(factorLevels: readonly number[]): OrthogonalArray | null {
  const fits = ARRAY_NAMES.map(orthogonalArray)
    .filter((a) => columnsFor(a, factorLevels) !== null)
    .sort((x, y) => x.rows.length - y.rows.length);
  return fits[0] ?? null;
}

/** Column indices assigning each factor a column with its number of levels (first free, in order), or null. */
export function columnsFor(array: OrthogonalArray, factorLevels: readonly number[]): number[] | null {
  const used = new Set<number>();
  const out: number[] = [];
  for (const levels of factorLevels) {
    const c = array.levels.findIndex((l, k) => l === levels && !used.has(k));
    if (c < 0) return null;
    used.add(c);
    out.push(c);
  }
  return out;
}
