// `exportToken: true`: the App token in GH_TOKEN and GITHUB_TOKEN of process.env, from the end of
// this plugin's prepare step until the process ends, for the plugins that run after that point
// (@semantic-release/github reads `GH_TOKEN || GITHUB_TOKEN` in every step, docs/semantic-release.md
// §7.2; each step's context.env is a fresh copy of process.env, §2). Off by default: every later
// step and child process then holds a bypass-capable token (docs/security.md).
const EXPORTED = ["GH_TOKEN", "GITHUB_TOKEN"] as const;

export class TokenExport {
  /** the variables as they were before the export; undefined while nothing is exported */
  #before: Map<string, string | undefined> | undefined;

  get active(): boolean {
    return this.#before !== undefined;
  }

  /** Put `token` into the variables (saving what they held the first time). */
  start(token: string): void {
    this.#before ??= new Map(EXPORTED.map((name) => [name, process.env[name]]));
    for (const name of EXPORTED) process.env[name] = token;
  }

  /** A re-minted token replaces an exported one. */
  update(token: string): void {
    if (this.active) this.start(token);
  }

  /** Put back what the variables held before (deleting those that did not exist). */
  restore(): void {
    if (!this.#before) return;
    for (const [name, value] of this.#before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.#before = undefined;
  }
}
