import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { didYouMean } from "../optimizers/hyperparameters";
import { datasetArray, type Dataset } from "./dataset";

/**
 * CSV → Dataset. The first non-blank line is the header; input and target columns are chosen by name.
 * Fields follow RFC 4180: separated by `delimiter` (default ","), optionally quoted with "…", a quote
 * inside a quoted field written "", quoted fields may span lines. CRLF, LF and a UTF-8 byte-order mark
 * are accepted; blank (empty or whitespace-only) lines are ignored; unquoted fields are trimmed.
 * Every selected cell must be a finite decimal number (e.g. `-1.5`, `.5`, `2e-3`): anything else is a
 * RangeError naming the line number and the column.
 */
export interface CsvOptions {
  /** Input columns, in order. Default: every column that is not a target. */
  readonly inputs?: readonly string[];
  /** Target columns, in order. Default: the last column. */
  readonly targets?: readonly string[];
  /** Dataset name used in messages (default "csv"; `loadCsvFile` uses the file name). */
  readonly name?: string;
  /** Field separator, one character other than a quote or a line break (default ","). */
  readonly delimiter?: string;
}

/** One parsed record and the 1-based line where it starts. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** Splits CSV text into records (blank lines dropped); errors name the source and line. */
export function parseCsvRecords(text: string, delimiter = ",", source = "csv"): CsvRecord[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new RangeError(`${source}: delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quotedAny = false;
    // One record: fields until an unquoted line break or the end of the text.
    for (;;) {
      let field = "";
      // Skip leading blanks before a possible opening quote.
      let j = i;
      while (j < n && (text[j] === " " || text[j] === "\t") && text[j] !== delimiter) j++;
      if (text[j] === '"') {
        quotedAny = true;
        const quoteLine = line;
        i = j + 1;
        for (;;) {
          if (i >= n) throw new RangeError(`${source} line ${quoteLine}: unterminated quoted field`);
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n") line++;
          field += ch;
          i++;
        }
        // Only blanks may follow the closing quote.
        while (i < n && (text[i] === " " || text[i] === "\t") && text[i] !== delimiter) i++;
        if (i < n && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") {
          throw new RangeError(`${source} line ${line}: unexpected ${JSON.stringify(text[i])} after a closing quote`);
        }
      } else {
        while (i < n && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
        if (field.includes('"')) throw new RangeError(`${source} line ${line}: a quote inside an unquoted field (quote the whole field)`);
        field = field.trim();
      }
      fields.push(field);
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    // End of record: consume one line break (CRLF, LF or CR).
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    // A blank line is one empty unquoted field; a line of delimiters is a row of empty cells.
    const blank = !quotedAny && fields.length === 1 && fields[0] === "";
    if (!blank) records.push({ line: start, fields });
    line++;
  }
  return records;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses CSV text into a Dataset with the chosen input and target columns. */
export function parseCsv(text: string, options: CsvOptions = {}): Dataset {
  const name = options.name ?? "csv";
  const records = parseCsvRecords(text, options.delimiter ?? ",", name);
  if (records.length === 0) throw new RangeError(`${name}: empty file (expected a header row)`);
  const header = records[0]!;
  const columns = header.fields;
  columns.forEach((c, k) => {
    if (c === "") throw new RangeError(`${name} line ${header.line}: column ${k + 1} has an empty name`);
  });

  const pick = (wanted: readonly string[], option: "inputs" | "targets"): number[] =>
    wanted.map((col) => {
      const first = columns.indexOf(col);
      if (first < 0) {
        const hint = didYouMean(col, columns);
        throw new RangeError(
          `data.${option}: no column '${col}' in ${name}` + (hint ? ` (did you mean '${hint}'?)` : ` (columns: ${columns.join(", ")})`),
        );
      }
      if (columns.indexOf(col, first + 1) >= 0) throw new RangeError(`data.${option}: column '${col}' appears twice in the header of ${name}`);
      return first;
    });

  const targetNames = options.targets ?? [columns[columns.length - 1]!];
  if (targetNames.length === 0) throw new RangeError("data.targets: choose at least one target column");
  const targetIdx = pick(targetNames, "targets");
  const inputNames = options.inputs ?? columns.filter((c) => !targetNames.includes(c));
  if (inputNames.length === 0) throw new RangeError("data.inputs: choose at least one input column");
  const inputIdx = pick(inputNames, "inputs");
  for (const col of inputNames) {
    if (targetNames.includes(col)) throw new RangeError(`data.inputs: column '${col}' is also a target`);
  }
  for (const [option, list] of [["inputs", inputNames], ["targets", targetNames]] as const) {
    const seen = new Set<string>();
    for (const col of list) {
      if (seen.has(col)) throw new RangeError(`data.${option}: column '${col}' is listed twice`);
      seen.add(col);
    }
  }

  const rows = records.slice(1);
  if (rows.length === 0) throw new RangeError(`${name}: no data rows after the header`);
  const inputSize = inputIdx.length;
  const targetSize = targetIdx.length;
  const inputs = datasetArray(rows.length * inputSize);
  const targets = datasetArray(rows.length * targetSize);
  const cell = (row: CsvRecord, k: number): number => {
    const raw = row.fields[k]!.trim();
    if (!DECIMAL.test(raw)) {
      const what = raw === "" ? "an empty cell" : `${JSON.stringify(raw)}`;
      throw new RangeError(`${name} line ${row.line}, column '${columns[k]}': ${what} is not a number`);
    }
    const v = Number(raw);
    if (!Number.isFinite(v)) throw new RangeError(`${name} line ${row.line}, column '${columns[k]}': ${raw} overflows a float64`);
    return v;
  };
  rows.forEach((row, r) => {
    if (row.fields.length !== columns.length) {
      throw new RangeError(`${name} line ${row.line}: ${row.fields.length} fields but the header has ${columns.length}`);
    }
    for (let k = 0; k < inputSize; k++) inputs[r * inputSize + k] = cell(row, inputIdx[k]!);
    for (let k = 0; k < targetSize; k++) targets[r * targetSize + k] = cell(row, targetIdx[k]!);
  });
  return { name, count: rows.length, inputSize, targetSize, inputs, targets, inputNames: [...inputNames], targetNames: [...targetNames] };
}

/** Reads a UTF-8 CSV file and parses it (`parseCsv`); the dataset is named after the file. */
export function loadCsvFile(path: string, options: CsvOptions = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new RangeError(`data.csv: cannot read '${path}': ${(e as Error).message}`);
  }
  return parseCsv(text, { ...options, name: options.name ?? basename(path) });
}
