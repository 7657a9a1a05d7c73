// What a leak looks like: every App token the stand-in minted (raw, base64 at any alignment, base64url,
// URI-encoded, or one part of a stateless token), lines of the App's private key, a JWT. Used to scan
// output, git argv and files after a run.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { StandIn, App } from "github-stand-in";

/**
 * The forms a secret can leak in besides its raw text: base64 at each of the three byte alignments
 * (so it is found inside `base64("x-access-token:" + token)`, the Basic credential git sends, and in
 * any other base64 blob), without the edge characters that depend on the neighbouring bytes.
 */
export function encodedForms(secret: string): string[] {
  const forms = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.from("\0".repeat(shift) + secret, "utf8").toString("base64").replace(/=+$/, "");
    const core = b64.slice(shift === 0 ? 0 : 4, -4);
    if (core.length >= 16) {
      forms.add(core);
      forms.add(core.replace(/\+/g, "-").replace(/\//g, "_")); // base64url
    }
  }
  const uri = encodeURIComponent(secret);
  if (uri !== secret) forms.add(uri);
  return [...forms];
}

/** Names of the secrets of `app` found in a text; `::add-mask::` lines (GitHub Actions masking) are not leaks. */
export function secretFinder({ standIn, app, privateKey }: { standIn: StandIn; app: App; privateKey: string }): (text: string) => string[] {
  const keyBody = privateKey
    .split("\n")
    .filter((l) => l && !l.startsWith("-----"))
    .slice(1, -1);
  // the key given base64-encoded (normalize-private-key accepts that form): a window from its middle
  const keyForms = encodedForms(privateKey).map((form) => form.slice(64, 128));
  return (raw) => {
    // `::add-mask::<token>` is how a value is masked on GitHub Actions: the runner swallows that
    // line and masks the value everywhere after it. Every other occurrence is a leak.
    const text = raw.replace(/^::add-mask::.*$/gm, "");
    const found: string[] = [];
    for (const record of standIn.tokens()) {
      if (record.actor.kind !== "installation" || record.actor.app.id !== app.id) continue;
      const label = `App token ${record.token.slice(0, 6)}…`;
      if (text.includes(record.token)) found.push(label);
      // the Authorization header's value (`basic base64(x-access-token:<token>)`) and other encodings
      else if (encodedForms(record.token).some((form) => text.includes(form))) found.push(`${label} (encoded)`);
      // a stateless token's parts (`ghs_<id>_<header>.<payload>.<signature>`), each of them unique to the token
      else if (/^ghs_\d+_/.test(record.token) && record.token.replace(/^ghs_\d+_/, "").split(".").some((part) => part.length >= 24 && text.includes(part))) found.push(`${label} (a part)`);
    }
    for (const line of keyBody) if (line.length > 20 && text.includes(line)) found.push("private key material");
    if (keyForms.some((form) => text.includes(form))) found.push("private key material (base64)");
    const jwt = text.match(/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/);
    if (jwt) found.push(`JWT ${jwt[0].slice(0, 12)}…`);
    return [...new Set(found)];
  };
}

/** Every file below `dir` worth scanning (git's compressed objects left out: config, hooks, refs, logs and the index are read). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "objects") continue;
      out.push(...(await listFiles(path)));
    } else if (entry.isFile() && (await stat(path)).size < 5_000_000) out.push(path);
  }
  return out;
}

/** `[where, text]` for each file below `dirs`, read as latin1 (binary-safe) */
export async function filesToScan(dirs: string[]): Promise<[string, string][]> {
  const places: [string, string][] = [];
  for (const dir of dirs) for (const file of await listFiles(dir)) places.push([file, await readFile(file, "latin1")]);
  return places;
}
