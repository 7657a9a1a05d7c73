// The GitHub server and API URLs: what form they must have, when plain http is allowed, the API URL
// derived from the server, and whether an API URL belongs to the server. Pure functions, no I/O.

/** github.com → https://api.github.com; GHE.com → api.<host>; GHES and other hosts → <githubUrl>/api/v3 (docs/github.md §12). */
export function deriveApiUrl(githubUrl: string): string {
  let url: URL;
  try {
    url = new URL(githubUrl);
  } catch {
    return `${githubUrl}/api/v3`;
  }
  const host = url.hostname.toLowerCase();
  if (host === "github.com" || host === "www.github.com") return "https://api.github.com";
  if (host.endsWith(".ghe.com") && !host.startsWith("api.")) return `${url.protocol}//api.${url.host}`;
  return `${githubUrl}/api/v3`;
}

/** Why `value` is not a usable server or API URL (wrong type, not absolute, scheme, credentials, query); undefined when it is. */
export function urlProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `it is ${Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`}, not a string`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "it is not an absolute URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the scheme is \`${url.protocol.slice(0, -1)}\`, not http or https`;
  if (url.username !== "" || url.password !== "") return "it contains credentials; tokens come from the environment, never from a URL";
  if (url.search !== "" || url.hash !== "") return "it has a query or fragment";
  return undefined;
}

/**
 * A loopback host: 127.0.0.0/8, ::1 or `localhost` (what a local stand-in or a tunnel listens on).
 * `hostname` as `new URL()` gives it (IPv4 normalised, IPv6 in brackets).
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether a valid server or API URL sends the token in clear: `http:` to a host other than loopback. */
export function isInsecure(value: string): boolean {
  const url = new URL(value.trim());
  return url.protocol === "http:" && !isLoopback(url.hostname);
}

/**
 * Whether the API URL is the server's own: `api.<host>` (github.com, GHE.com), `<server>/api/…` on
 * the same origin (GitHub Enterprise Server, `/api/v3`), or both on loopback hosts (a local stand-in).
 */
export function apiBelongsToServer(githubUrl: string, githubApiUrl: string): boolean {
  let server: URL;
  let api: URL;
  try {
    server = new URL(githubUrl);
    api = new URL(githubApiUrl);
  } catch {
    return true; // a URL that does not parse is refused on its own (EINVALIDGITHUBURL / EINVALIDGITHUBAPIURL)
  }
  if (isLoopback(server.hostname) && isLoopback(api.hostname)) return true;
  const serverHost = server.host.toLowerCase().replace(/^www\.github\.com$/, "github.com");
  if (api.host.toLowerCase() === `api.${serverHost}`) return true;
  return api.origin === server.origin && /^\/api(\/|$)/.test(api.pathname);
}
