// context.options.repositoryUrl → { owner, repo } (README.md "Environment variables": https, http, ssh
// or scp form, any host). Same forms as
// https://github.com/semantic-release/github/blob/master/lib/parse-github-url.js, but credentials in
// the URL are dropped before anything else is looked at, and only owner and repo come back.

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
// scp-like syntax of git (`[user@]host:path`); git treats it so only when no slash precedes the colon.
const SCP = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/;
// GitHub logins: letters, digits, hyphens (and `_` for managed users); repository names add `.`.
const OWNER = /^[A-Za-z0-9_.-]+$/;
const REPO = /^[A-Za-z0-9_.-]+$/;

export function parseGitHubUrl(repositoryUrl: string): { owner: string; repo: string } | undefined {
  const path = pathOf(repositoryUrl.trim());
  if (path === undefined) return undefined;
  const segments = path.split("/").filter((segment) => segment !== "");
  if (segments.length !== 2) return undefined;
  let owner: string;
  let repo: string;
  try {
    owner = decodeURIComponent(segments[0]!);
    repo = decodeURIComponent(segments[1]!.replace(/\.git$/, ""));
  } catch {
    return undefined;
  }
  if (!OWNER.test(owner) || !REPO.test(repo) || /^\.+$/.test(owner) || /^\.+$/.test(repo)) return undefined;
  return { owner, repo };
}

/** The path part of a URL or scp-form address; undefined when there is no host. */
function pathOf(url: string): string | undefined {
  if (SCHEME.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (parsed.hostname === "" || parsed.protocol === "file:") return undefined;
    return parsed.pathname;
  }
  const scp = SCP.exec(url);
  return scp ? scp[2] : undefined;
}
