/**
 * Text bound for a terminal. Strings from files (CSV headers, experiment and run names, keys quoted in
 * error messages) may hold control characters: an ESC could recolour, move the cursor or retitle the
 * terminal, a bidi override could make a line read differently than it is. Every line the CLI prints
 * goes through `terminalText`; tabs and line breaks stay.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * A line printer on `stream`. A closed pipe (`neuroforge train … | head -1`) silences the printer,
 * not the program: the run goes on, is recorded, and the exit code stays the run's.
 */
export function linePrinter(stream: NodeJS.WritableStream): (line: string) => void {
  let closed = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "EIO" || error.code === "ERR_STREAM_DESTROYED") closed = true;
    else throw error;
  });
  return (line) => {
    if (!closed) stream.write(`${terminalText(line)}\n`);
  };
}
