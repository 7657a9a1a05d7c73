// Masks a value minted at run time in the GitHub Actions log. semantic-release's own masking is
// computed once at start-up from env names (docs/semantic-release.md §5), so a token minted in
// verifyConditions would be printed in clear; `::add-mask::` (what core.setSecret writes, and what
// actions/create-github-app-token does right after minting, docs/github.md §11) makes the runner
// replace it with *** in every later line of the job log.

export interface MaskSecretOptions {
  env?: Record<string, string | undefined>;
  stdout?: { write: (chunk: string) => unknown };
}

/** @actions/core's escapeData: workflow command data escapes %, CR and LF. */
function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/**
 * On GitHub Actions (`GITHUB_ACTIONS=true`), write `::add-mask::<value>` to stdout, before anything
 * else can print the value. Elsewhere it writes nothing. Returns whether a mask was written.
 */
export function maskSecret(value: string | undefined, { env = process.env, stdout = process.stdout }: MaskSecretOptions = {}): boolean {
  if (!value || env.GITHUB_ACTIONS !== "true") return false;
  stdout.write(`::add-mask::${escapeData(value)}\n`);
  return true;
}
