// How the demo writes: numbered chapters, each opened by one plain sentence; prose wrapped at
// 100 columns; quoted output (semantic-release's log, git's stderr, files) indented and otherwise
// left as the program printed it. Everything written is also kept in `story.lines`, so the demo
// can check its own output for secrets and name its chapters in the result file.

const WIDTH = 100;
const ANSI = /\x1b\[[0-9;]*m/g;

/** `text` wrapped at spaces within 100 columns, every line starting with `indent`. */
export function wrap(text: string, indent = ""): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

/** The lines of a log that match `pattern`, unchanged, in their order. */
export function pick(log: string, pattern: RegExp): string {
  return log
    .replace(ANSI, "")
    .split("\n")
    .filter((line) => pattern.test(line))
    .join("\n");
}

/**
 * The errors semantic-release printed on stderr, one block each: the `✘  CODE message` line and the
 * details under it, up to the next `✘` line or the stack dump (`AggregateError:`) that follows them.
 */
export function errorBlocks(stderr: string): { code: string; text: string }[] {
  const blocks: { code: string; text: string }[] = [];
  let current: string[] | undefined;
  for (const line of stderr.replace(ANSI, "").split("\n")) {
    if (/^(AggregateError|SemanticReleaseError|Error)\b/.test(line)) break;
    const head = line.match(/› ✘ {2}(E[A-Z0-9]+) /);
    if (head) {
      current = [line];
      blocks.push({ code: head[1]!, text: "" });
    } else if (/› ✘ /.test(line)) current = undefined;
    else current?.push(line);
    if (current) blocks[blocks.length - 1]!.text = current.join("\n").trimEnd();
  }
  return blocks;
}

export class Story {
  /** chapter titles, in order, without their numbers */
  readonly chapters: string[] = [];
  /** every line written, as written */
  readonly lines: string[] = [];
  /** bold chapter titles on a terminal that wants colour */
  private readonly bold = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

  write(text = ""): void {
    for (const line of text.split("\n")) {
      this.lines.push(line);
      console.log(line);
    }
  }

  /** Prose of the demo, wrapped and indented by two spaces. */
  say(text: string): void {
    this.write(wrap(text, "  "));
  }

  /** A numbered chapter: its title, underlined, then the one sentence that says what it shows. */
  chapter(title: string, sentence: string): void {
    this.chapters.push(title);
    const heading = `${this.chapters.length}. ${title}`;
    this.write();
    this.write(this.bold ? `\x1b[1m${heading}\x1b[22m` : heading);
    this.write("-".repeat(heading.length));
    this.write(wrap(sentence));
    this.write();
  }

  /** Another program's output, indented by four spaces, colour codes dropped, otherwise unchanged. */
  quote(text: string): void {
    const lines = text.replace(ANSI, "").replace(/\n+$/, "").split("\n");
    // git pads its `remote:` lines with spaces when stderr is not a terminal: trailing spaces go
    this.write(lines.map((line) => (line.trim() ? `    ${line.trimEnd()}` : "")).join("\n"));
  }

  /** A plain-text table: a header row (left out when blank) and rows, columns padded to their widest cell. */
  table(header: string[], rows: string[][]): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) => `    ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")}`;
    const head = header.some((h) => h) ? [line(header)] : [];
    this.write([...head, ...rows.map(line)].join("\n"));
  }
}
