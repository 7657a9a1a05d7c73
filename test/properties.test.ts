// Property tests (fast-check) that complete those of test/fnmatch-property.test.ts and the property
// block of test/parse-push-rejection.test.ts. Those already cover: fnmatch never throws and
// stays fast on arbitrary patterns and paths, literals match themselves, ~ALL/~DEFAULT_BRANCH; and
// parsePushRejection keeps every GH013/GH006 rule line under `remote:` noise, padding, CRLF and ANSI
// codes, and no parser throws on arbitrary (ASCII) strings. Added here: the parsers on non-strings,
// full Unicode and binary input; their running time on long lines; the bypass notice and git's own
// status lines under the same noise; the ref-name check against `git check-ref-format` itself; the
// private key normalizer and the URL parser on arbitrary input (only their own error, never the input).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { parseApiRejection, parseBypassNotice, parsePushRejection, parseRefStatuses } from "../lib/push/parse-push-rejection.js";
import { refNameProblem } from "../lib/config/verify-ref-names.js";
import { normalizePrivateKey } from "../lib/token/private-key.js";
import { parseGitHubUrl } from "../lib/config/parse-github-url.js";
import { loadConfig } from "../lib/config/index.js";
import { getError } from "../lib/errors/get-error.js";
import { scrubUrls } from "../lib/errors/scrub-urls.js";

const PARSERS = { parsePushRejection, parseBypassNotice, parseRefStatuses, parseApiRejection } as const;
const PAD = " ".repeat(8); // the sideband's "dumb suffix" (docs/semantic-release.md §8.4)
const ANSI = ["\x1b[K", "\x1b[0m", "\x1b[31m", "\x1b[1;33m", "\x1b[2K", "\x1b[m"];

// fragments of git's and GitHub's texts, shuffled: inputs close to the real thing, not just noise
const fragment = fc.constantFrom(
  "remote:",
  "remote: ",
  "error: GH013: Repository rule violations found for ",
  "GH006: Protected branch update failed for ",
  "Bypassed rule violations for ",
  "refs/heads/main",
  "refs/tags/v1.0.0",
  "- ",
  "  Found 1 violation:",
  " ! [remote rejected] ",
  " ! [rejected] ",
  "HEAD -> main",
  " (pre-receive hook declined)",
  "(",
  ")",
  ".",
  ":",
  "\n",
  "\r\n",
  "\r",
  PAD,
  ...ANSI,
  "\x1b[",
  "\x9b",
  "Review all repository rules at https://github.com/o/r/rules?ref=refs%2Fheads%2Fmain",
  "Repository rule violations found\n\n",
);
const gitLike = fc.array(fc.oneof(fragment, fc.string({ maxLength: 8 })), { maxLength: 60 }).map((parts) => parts.join(""));

describe("push-rejection parsers on any input", () => {
  it("never throw on non-strings", () => {
    for (const value of [undefined, null, 0, 1n, true, {}, [], ["remote: GH013"], Symbol("x"), () => "x", new String("remote: x")]) {
      for (const parse of Object.values(PARSERS)) assert.doesNotThrow(() => (parse as (v: unknown) => unknown)(value));
    }
  });

  it("never throw on full Unicode, binary and git-like strings, and always return their documented shape", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 200 }), gitLike), (text) => {
        const rejections = parsePushRejection(text);
        assert.ok(Array.isArray(rejections));
        for (const r of rejections) {
          assert.ok(r.code === "GH013" || r.code === "GH006");
          assert.equal(typeof r.ref, "string");
          assert.ok(r.rules.every((rule) => typeof rule === "string" && rule === rule.trim() && !rule.includes("\x1b")));
        }
        assert.ok(Array.isArray(parseBypassNotice(text)));
        assert.ok(parseRefStatuses(text).every((s) => ["rejected", "remote rejected", "remote failure"].includes(s.status)));
        const api = parseApiRejection(text);
        assert.ok(api === undefined || api.code === "GH013" || api.code === "GH006");
      }),
      { numRuns: 1500 },
    );
  });

  // A GitHub hook (or a proxy) can print long padded lines; `.replace(/\s+$/, "")` backtracks
  // quadratically on a long whitespace run that does not reach the end of the line (50,000 spaces
  // then `x`: about 2 s per parser call on this machine).
  it(
    "stay fast on long lines of whitespace (linear time)",
    () => {
      for (const text of [" ".repeat(50_000) + "x", `remote:${" ".repeat(50_000)}x`, `remote: - ${"\t".repeat(50_000)}rule\n`.repeat(2)]) {
        for (const [name, parse] of Object.entries(PARSERS)) {
          const started = performance.now();
          parse(text);
          const elapsed = performance.now() - started;
          assert.ok(elapsed < 250, `${name} took ${elapsed.toFixed(0)} ms on ${text.length} characters`);
        }
      }
    },
  );

  it("stay fast on long texts of ordinary lines", () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `remote: - rule ${i}${PAD}` : `remote: Resolving deltas: ${i}%${PAD}`));
    const text = `remote: error: GH013: Repository rule violations found for refs/heads/main.${PAD}\n${lines.join("\n")}`;
    for (const [name, parse] of Object.entries(PARSERS)) {
      const started = performance.now();
      parse(text);
      assert.ok(performance.now() - started < 1500, `${name} on ${text.length} characters`);
    }
  });
});

const ruleText = fc
  .string({ minLength: 1, maxLength: 50, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;'()/_#".split("")) })
  .map((s) => s.trim())
  .filter((s) => s !== "" && !/GH0\d\d|Bypassed|Review all/i.test(s));
const refName = fc.constantFrom("refs/heads/main", "refs/heads/release/1.x", "refs/tags/v1.2.3", "refs/tags/v10.0.0-beta.1");
const noise = fc.constantFrom("Resolving deltas: 100% (3/3), done.", "Counting objects: 5, done.", "", "Processing changes: refs: 1, done");

describe("parseBypassNotice (property)", () => {
  it("keeps every bypassed rule under remote: noise, padding, CRLF and ANSI codes", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ ref: refName, rules: fc.array(ruleText, { minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 3, selector: (b) => b.ref }),
        fc.constantFrom("\n", "\r\n"),
        fc.constantFrom("", PAD, "\x1b[K"),
        fc.array(fc.constantFrom(...ANSI), { minLength: 1, maxLength: 4 }),
        fc.infiniteStream(fc.nat(9)),
        fc.array(noise, { minLength: 1, maxLength: 4 }),
        (blocks, eol, pad, ansi, dice, noiseLines) => {
          const roll = () => dice.next().value as number;
          const line = (text: string) => {
            const code = ansi[roll() % ansi.length]!;
            return `remote: ${roll() < 3 ? code + text : roll() < 6 ? text + code : text}${pad}`;
          };
          const out: string[] = [line(noiseLines[roll() % noiseLines.length]!)];
          for (const b of blocks) {
            out.push(line(`Bypassed rule violations for ${b.ref}:`));
            if (roll() < 5) out.push("remote:");
            for (const rule of b.rules) out.push(line(`- ${rule}`));
            if (roll() < 5) out.push("remote:");
          }
          out.push("To https://github.com/o/r.git", "   bc4a507..912f338  HEAD -> main");
          assert.deepEqual(
            parseBypassNotice(out.join(eol)),
            blocks.map(({ ref, rules }) => ({ ref, rules: [...rules] })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseRefStatuses (property)", () => {
  it("reads git's own status lines whatever the padding, line ends and colours, and never a remote: line", () => {
    const shortRef = fc.constantFrom("HEAD", "main", "v1.0.0", "release/1.x", "refs/tags/v2.0.0-rc.1");
    const status = fc.record({
      status: fc.constantFrom("rejected" as const, "remote rejected" as const, "remote failure" as const),
      source: shortRef,
      destination: shortRef,
      reason: fc.constantFrom("fetch first", "non-fast-forward", "atomic push failure", "pre-receive hook declined", "push declined due to repository rule violations"),
    });
    fc.assert(
      fc.property(fc.array(status, { minLength: 1, maxLength: 4 }), fc.constantFrom("\n", "\r\n"), fc.nat(12), fc.boolean(), (statuses, eol, width, colour) => {
        const lines = ["To https://github.com/o/r.git", `remote: ${" ! [rejected] fake -> fake (noise)"}`];
        for (const s of statuses) {
          const left = ` ! [${s.status}]`;
          const body = `${left}${" ".repeat(Math.max(1, 20 - left.length + (width % 3)))}${s.source} -> ${s.destination} (${s.reason})`;
          lines.push(colour ? `\x1b[31m${body}\x1b[m` : body);
        }
        lines.push("error: failed to push some refs to 'https://github.com/o/r.git'");
        assert.deepEqual(parseRefStatuses(lines.join(eol)), statuses.map((s) => ({ ...s })));
      }),
      { numRuns: 300 },
    );
  });
});

describe("refNameProblem (property)", () => {
  // git's own verdict, one process for a batch: `git check-ref-format` exits 0 for a valid name.
  function gitAccepts(names: string[]): boolean[] {
    const script = 'for n in "$@"; do if git check-ref-format "refs/tags/$n"; then echo 1; else echo 0; fi; done';
    const out = spawnSync("sh", ["-c", script, "sh", ...names], { encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } });
    return out.stdout.trim().split("\n").map((line) => line === "1");
  }

  it("agrees with `git check-ref-format refs/tags/<name>` (apart from its stricter `-` and `@` rules)", () => {
    const unit = fc.constantFrom(..."aZ09.-_/ ~^:?*[\\@{}\x01\x7fé".split(""), ".lock", "..", "//", "@{");
    const names = fc.sample(
      fc.array(unit, { minLength: 1, maxLength: 12 }).map((parts) => parts.join("")),
      { numRuns: 400, seed: 42 },
    ).filter((name) => !name.startsWith("-") && name !== "@" && !name.includes("\0"));
    const verdicts = gitAccepts(names);
    assert.equal(verdicts.length, names.length);
    const disagreements = names.filter((name, i) => (refNameProblem(name) === undefined) !== verdicts[i]).map((name) => JSON.stringify(name));
    assert.deepEqual(disagreements, []);
    assert.ok(verdicts.some(Boolean) && verdicts.some((v) => !v), "the sample has valid and invalid names");
  });

  it("never throws and refuses names git would read as an option", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const problem = refNameProblem(value);
        assert.ok(problem === undefined || typeof problem === "string");
      }),
    );
    fc.assert(fc.property(fc.string(), (s) => assert.notEqual(refNameProblem(`-${s}`), undefined)));
  });
});

describe("normalizePrivateKey (property)", () => {
  it("returns a PEM or throws only EINVALIDPRIVATEKEY, whose texts never quote the value", () => {
    const secretish = fc.oneof(
      fc.string({ minLength: 24, maxLength: 200, unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".split("")) }),
      fc.string({ minLength: 24, maxLength: 200, unit: "binary" }),
      fc.tuple(fc.constantFrom("RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "CERTIFICATE", "PUBLIC KEY", "EC PRIVATE KEY"), fc.base64String({ minLength: 40, maxLength: 400 }), fc.boolean()).map(
        ([label, body, end]) => `-----BEGIN ${label}-----\n${body.replace(/.{1,64}/g, "$&\n")}${end ? `-----END ${label}-----\n` : ""}`,
      ),
    );
    fc.assert(
      fc.property(secretish, (value) => {
        let error: { code?: string; semanticRelease?: boolean; message: string; details?: string; stack?: string } | undefined;
        try {
          normalizePrivateKey(value);
        } catch (e) {
          error = e as typeof error;
        }
        if (!error) return;
        assert.equal(error.code, "EINVALIDPRIVATEKEY");
        assert.equal(error.semanticRelease, true);
        assert.doesNotMatch(error.stack ?? "", /\n\s+at /);
        const text = `${error.message}\n${error.details}`;
        const body = value.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
        for (let i = 0; i + 12 <= body.length; i += 4) assert.ok(!text.includes(body.slice(i, i + 12)), "the value is never quoted");
      }),
      { numRuns: 400 },
    );
  });
});

describe("parseGitHubUrl (property)", () => {
  const login = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/);
  const repoName = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/).filter((r) => !/^\.+$/.test(r) && !r.endsWith(".git"));
  const host = fc.constantFrom("github.com", "github.example.com", "127.0.0.1:8080", "ghe.internal");

  it("reads owner and repo from every URL form, with or without credentials, .git and a trailing slash", () => {
    fc.assert(
      fc.property(login, repoName, host, fc.constantFrom("https", "http", "ssh", "git+https", "scp"), fc.boolean(), fc.boolean(), fc.option(fc.constantFrom("x-access-token:ghs_abcdefghijklmnopqrstuvwxyz0123456789@", "git@", "user:p%40ss@")), (owner, repo, h, scheme, dotGit, slash, credentials) => {
        const path = `${owner}/${repo}${dotGit ? ".git" : ""}${slash && scheme !== "scp" ? "/" : ""}`;
        const url = scheme === "scp" ? `git@${h.replace(/:\d+$/, "")}:${path}` : `${scheme}://${credentials ?? ""}${h}/${path}`;
        assert.deepEqual(parseGitHubUrl(url), { owner, repo });
      }),
      { numRuns: 500 },
    );
  });

  it("never throws, and whatever it returns is a bare owner and repo (no credentials, no separators)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ unit: "binary" })), (text) => {
        const result = parseGitHubUrl(text);
        if (result) for (const part of [result.owner, result.repo]) assert.match(part, /^[A-Za-z0-9_.-]+$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("URL credentials never reach an error (property)", () => {
  // A URL with userinfo in the forms the WHATWG parser (and git) accept: any scheme with `//`; the
  // special ones (http, https, ws, wss, ftp) also with no, one or back slashes; any case; after
  // whitespace, a quote or other text; a password with an `@` in it; a space in the user name.
  const secret = fc.stringMatching(/^[A-Za-z0-9]{24}$/).map((s) => `ghs_${s}`);
  const special = fc.tuple(fc.constantFrom("https", "http", "HTTPS", "Http", "wss", "ftp"), fc.constantFrom("://", ":/", ":", ":\\\\", ":///", ":/\\"));
  const other = fc.tuple(fc.constantFrom("ssh", "git", "git+https", "git+ssh", "svn+ssh"), fc.constant("://"));
  const urlish = fc
    .record({
      prefix: fc.constantFrom("", "  ", "\t", "\n", "'", "x", "see "),
      scheme: fc.oneof(special, other) as fc.Arbitrary<[string, string]>,
      user: fc.constantFrom("", "x-access-token:", "user:", "x access:", "u%20v:"),
      extra: fc.constantFrom("", "@more"),
      host: fc.constantFrom("github.com", "127.0.0.1:8080", "ghes.example.com", "[::1]"),
      path: fc.constantFrom("", "/", "/o", "/o/r.git", "/a/b/c", "?x=1", "#f", "/o/r tail"),
      secret,
    })
    .map(({ prefix, scheme: [scheme, separator], user, extra, host, path, secret }) => ({
      text: `${prefix}${scheme}${separator}${user}${secret}${extra}@${host}${path}`,
      secret,
    }));

  /** every text a user could see of a loadConfig failure (or of its result) */
  function seen(run: () => unknown): string {
    try {
      return JSON.stringify(run());
    } catch (error) {
      const errors = (error as { errors?: Array<{ message: string; details?: string }> }).errors ?? [];
      return [(error as Error).message, ...errors.flatMap((e) => [e.message, e.details ?? ""])].join("\n");
    }
  }

  it("as repositoryUrl, githubUrl, githubApiUrl, GITHUB_SERVER_URL or GITHUB_API_URL", () => {
    fc.assert(
      fc.property(urlish, ({ text, secret }) => {
        const release = { options: { repositoryUrl: "https://github.com/o/r.git" }, branch: { name: "main" } };
        const env = { GITHUB_TOKEN: "wf" };
        const runs = [
          () => loadConfig({ pluginConfig: {}, env, ...release, options: { repositoryUrl: text } }),
          () => loadConfig({ pluginConfig: {}, env, ...release, options: { repositoryUrl: "x", originalRepositoryURL: text } }),
          () => loadConfig({ pluginConfig: { githubUrl: text }, env, ...release }),
          () => loadConfig({ pluginConfig: { githubApiUrl: text }, env, ...release }),
          () => loadConfig({ pluginConfig: {}, env: { ...env, GITHUB_SERVER_URL: text }, ...release }),
          () => loadConfig({ pluginConfig: {}, env: { ...env, GITHUB_API_URL: text }, ...release }),
        ];
        for (const run of runs) assert.ok(!seen(run).includes(secret), `the secret of ${JSON.stringify(text)} was shown`);
      }),
      { numRuns: 300 },
    );
  });

  it("in any error built from the catalog, and in text scrubbed with scrubUrls", () => {
    fc.assert(
      fc.property(urlish, ({ text, secret }) => {
        const errors = [
          getError("EGITHUBAPI", { request: "GET /x", status: 502, githubMessage: `proxy said: ${text}`, apiUrl: text }),
          getError("EPUSHFAILED", { branch: "main", tag: "v1.0.0", via: "git", output: `fatal: unable to access '${text}': 403` }),
          getError("EINVALIDDISPATCH", { value: [{ repository: text }], problems: [`entry 0: \`repository\` must be "owner/repo", found ${JSON.stringify(text)}`] }),
        ];
        for (const error of errors) assert.ok(!`${error.message}\n${error.details}`.includes(secret), `${error.code} showed the secret of ${JSON.stringify(text)}`);
        assert.ok(!scrubUrls(`fatal: '${text}'`).includes(secret));
      }),
      { numRuns: 300 },
    );
  });
});
