// Small helpers of the benchmark: medians, formatting, the result table.

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Row {
  measure: string;
  target: string;
  measured: string;
  /** true: pass, false: fail, undefined: no target (information only) */
  pass: boolean | undefined;
}

export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? "info" : pass ? "pass" : "FAIL";
}

/** A markdown table, columns padded so it also reads well in a terminal. */
export function renderTable(rows: Row[]): string {
  const header = ["measure", "target", "measured", "pass/fail"];
  const cells = rows.map((r) => [r.measure, r.target, r.measured, verdict(r.pass)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

export const ms = (value: number) => `${Math.round(value)} ms`;
export const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
export const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MB`;
