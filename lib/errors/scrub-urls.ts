// The one scrubber of URL credentials. Every error builder that shows a URL, a user's value or text
// from outside (git's output, GitHub's messages, a network error) passes it through here first, so a
// token written into a URL (`https://x-access-token:<token>@host/…`) is never printed.

/**
 * `scheme://userinfo@` for any scheme, and `scheme:userinfo@` with any number of `/` or `\` for the
 * WHATWG "special" schemes, which `new URL()` reads as an authority all the same
 * (https://url.spec.whatwg.org/#special-authority-ignore-slashes-state). As in that parser, the
 * userinfo runs to the last `@` before the end of the authority (`/ ? #`, and `\` for special
 * schemes), spaces included (`new URL()` percent-encodes them); only a line break ends it early, so
 * that one line of git's output cannot eat the next. Unanchored: the URL may follow whitespace, a
 * quote or other text.
 */
const USERINFO = /((?:https?|wss?|ftp):[\\/]*)[^\\/?#\r\n]*@|([a-z][a-z0-9+.-]*:\/\/)[^/?#\r\n]*@/gi;

/** Remove `user[:password]@` from every URL in `text`; `mark` (e.g. `***@`) takes its place. */
export function scrubUrls(text: string, mark = ""): string {
  return text.replace(USERINFO, (_match, special: string | undefined, other: string | undefined) => `${special ?? other}${mark}`);
}

/**
 * A single value as it may be shown: `scrubUrls`, and when the whole value (trimmed) is still a URL
 * with credentials by the WHATWG parser (which deletes tabs and line breaks inside a URL first), that
 * URL without them.
 */
export function scrubValue(value: string, mark = ""): string {
  const scrubbed = scrubUrls(value, mark);
  let url: URL;
  try {
    url = new URL(scrubbed.trim());
  } catch {
    return scrubbed;
  }
  const markUser = mark.replace(/@$/, "");
  if ((url.username === "" || url.username === markUser) && url.password === "") return scrubbed;
  url.password = "";
  url.username = markUser;
  return url.href;
}

/** Every string in `value` (keys too; in arrays and plain objects, `depth` levels down) through scrubValue. */
export function scrubDeep(value: unknown, mark = "", depth = 4): unknown {
  if (typeof value === "string") return scrubValue(value, mark);
  if (depth === 0 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, mark, depth - 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [scrubValue(key, mark), scrubDeep(item, mark, depth - 1)]));
}
