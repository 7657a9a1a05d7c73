// Output for people: aligned tables and colour that honours the decision taken once in the CliIO
// (`io.color`: a TTY, unless NO_COLOR; FORCE_COLOR forces it, https://no-color.org).
import type { CliIO } from "./command.js";

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof CODES;

/** Wrap `text` in the ANSI codes of `style` when colour is on, else return it as is. */
export function paint(io: Pick<CliIO, "color">, style: Style, text: string): string {
  if (!io.color) return text;
  const [open, close] = CODES[style];
  return `\u001B[${open}m${text}\u001B[${close}m`;
}

/** The colour helpers bound to one io: `c.red("…")`. */
export function colors(io: Pick<CliIO, "color">): Record<Style, (text: string) => string> {
  const entries = Object.keys(CODES).map((style) => [style, (text: string) => paint(io, style as Style, text)]);
  return Object.fromEntries(entries) as Record<Style, (text: string) => string>;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*m/g;

/** The width a terminal shows for `text` (ANSI codes take no room). */
export function visibleWidth(text: string): number {
  return text.replace(ANSI, "").length;
}

/**
 * Rows as aligned columns (two spaces between columns, the last column not padded); a header row
 * when given. Cells may carry colour: widths ignore the ANSI codes.
 */
export function table(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleWidth(cell))))
      .join("  ")
      .trimEnd();
  return all.map(line).join("\n");
}

/** Write one line (a newline added) to a stream of the io. */
export function writeLine(stream: CliIO["stdout"], text = ""): void {
  stream.write(`${text}\n`);
}
