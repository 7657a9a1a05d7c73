// Routes every later git HTTP request to the server through the App token, through the
// environment only (DESIGN.md "How git authenticates"; semantic-release-internals §8.2, STYLE.md §6):
// GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n set `http.<origin>/.extraheader` first to
// "" (which empties the list, dropping the header actions/checkout persisted in .git/config (v4) or
// in an includeIf file (v6), github-facts §10), then to our Authorization header. Nothing is written
// to disk and the token never appears in argv. Needs git >= 2.31 (GIT_CONFIG_COUNT).

export interface GitConfigEntry {
  key: string;
  value: string;
}

/**
 * The config key actions/checkout writes: `http.${new URL(serverUrl).origin}/.extraheader`
 * (scheme://host[:port] + "/", github-facts §10). semantic-release-internals §8.2 b2: a plain
 * `http.extraheader` would be ignored next to that url-specific key, so we must use the same key.
 */
export function extraHeaderKey(serverUrl: string): string {
  return `http.${new URL(serverUrl).origin}/.extraheader`;
}

/** The two entries: reset, then `AUTHORIZATION: basic base64("x-access-token:" + token)` (as actions/checkout). */
export function gitAuthEntries(serverUrl: string, token: string): [GitConfigEntry, GitConfigEntry] {
  const key = extraHeaderKey(serverUrl);
  const basic = Buffer.from(`x-access-token:${token}`, "utf8").toString("base64");
  return [
    { key, value: "" },
    { key, value: `AUTHORIZATION: basic ${basic}` },
  ];
}

type Env = NodeJS.ProcessEnv | Record<string, string | undefined>;

interface Applied {
  key: string;
  /** index of our reset entry; the header is at index + 1 */
  index: number;
  /** variables as they were before the first apply (undefined = absent) */
  previous: Map<string, string | undefined>;
  restored: boolean;
}

// One record per env object and server key, so that a re-mint replaces the header in place.
const applied = new WeakMap<object, Map<string, Applied>>();

function readCount(env: Env): number {
  const raw = env.GIT_CONFIG_COUNT;
  if (raw === undefined || raw.trim() === "") return 0;
  const count = Number(raw);
  // git refuses a bogus count ("bogus count in GIT_CONFIG_COUNT"); treating it as 0 makes git usable again
  return Number.isInteger(count) && count >= 0 ? count : 0;
}

function set(env: Env, name: string, value: string | undefined): void {
  if (value === undefined) delete env[name];
  else env[name] = value;
}

/**
 * Appends our two entries to `env` (never touching entries already there) and returns a function
 * that puts back exactly the previous values (absent ones deleted). Applying again for the same env
 * and server (a re-minted token) replaces our header value in place, at the same index; every
 * returned restore function then restores the state from before the first apply, once.
 */
export function applyGitAuth(env: Env, serverUrl: string, token: string): () => void {
  const [reset, header] = gitAuthEntries(serverUrl, token);
  let forEnv = applied.get(env);
  if (!forEnv) applied.set(env, (forEnv = new Map()));
  let record = forEnv.get(reset.key);

  if (!record || record.restored || env[`GIT_CONFIG_KEY_${record.index + 1}`] !== header.key) {
    const index = readCount(env);
    const names = ["GIT_CONFIG_COUNT", ...[index, index + 1].flatMap((n) => [`GIT_CONFIG_KEY_${n}`, `GIT_CONFIG_VALUE_${n}`])];
    record = { key: reset.key, index, previous: new Map(names.map((name) => [name, env[name]])), restored: false };
    forEnv.set(reset.key, record);
    env[`GIT_CONFIG_KEY_${index}`] = reset.key;
    env[`GIT_CONFIG_VALUE_${index}`] = reset.value;
    env[`GIT_CONFIG_KEY_${index + 1}`] = header.key;
    env.GIT_CONFIG_COUNT = String(index + 2);
  }
  env[`GIT_CONFIG_VALUE_${record.index + 1}`] = header.value;

  const current = record;
  return () => {
    if (current.restored) return;
    current.restored = true;
    for (const [name, value] of current.previous) set(env, name, value);
  };
}
