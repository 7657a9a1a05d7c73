// The CliIO of the real process (./command.ts): its streams, environment and working directory, and
// the decisions taken once: colour (a TTY, unless NO_COLOR is set; FORCE_COLOR forces it on or, as
// "0"/"false", off: https://no-color.org, https://force-color.org), progress lines (on a TTY only) and
// whether a question may be asked (stdin and stdout both TTYs).
import { createInterface } from "node:readline";
import type { CliIO } from "./command.js";
import { paint } from "./output.js";

export interface ProcessLike {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd(): string;
}

/** Colour on or off, from the TTY and the two variables people set for it. */
export function decideColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return !["0", "false"].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY;
}

/** The CliIO of `proc` (the real `process` by default). */
export function createCliIO(proc: ProcessLike = process): CliIO {
  const isTTY = proc.stdout.isTTY === true;
  const color = decideColor(proc.env, isTTY);
  const interactive = isTTY && proc.stdin.isTTY === true;
  const io: CliIO = {
    stdout: proc.stdout,
    stderr: proc.stderr,
    stdin: proc.stdin,
    env: proc.env,
    cwd: proc.cwd(),
    isTTY,
    color,
    progress(step) {
      if (!isTTY) return () => {};
      const started = Date.now();
      proc.stderr.write(`${paint(io, "dim", `… ${step}`)}\n`);
      return (outcome) => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        proc.stderr.write(`${paint(io, "green", "✔")} ${step}${outcome ? `: ${outcome}` : ""} ${paint(io, "dim", `(${seconds} s)`)}\n`);
      };
    },
    async confirm(question) {
      if (!interactive) return false;
      const rl = createInterface({ input: proc.stdin, output: proc.stderr });
      try {
        const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
  return io;
}
