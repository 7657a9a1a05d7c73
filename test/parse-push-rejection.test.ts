import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  parseApiRejection,
  parseBypassNotice,
  parsePushRejection,
  parseRefStatuses,
} from "../lib/push/parse-push-rejection.js";

const PAD = "        "; // sideband "dumb suffix" (docs/semantic-release.md §8.4)

describe("parsePushRejection", () => {
  it("reads GitHub's GH013 text (docs/github.md §3.1)", () => {
    const stderr = [
      "remote: error: GH013: Repository rule violations found for refs/heads/main.",
      "remote: Review all repository rules at https://github.com/OWNER/REPO/rules?ref=refs%2Fheads%2Fmain",
      "remote:",
      "remote: - Changes must be made through a pull request.",
      "remote:",
      "To https://github.com/OWNER/REPO",
      " ! [remote rejected] HEAD -> main (push declined due to repository rule violations)",
      "error: failed to push some refs to 'https://github.com/OWNER/REPO'",
    ].join("\n");
    assert.deepEqual(parsePushRejection(stderr), [
      {
        code: "GH013",
        ref: "refs/heads/main",
        rules: ["Changes must be made through a pull request."],
        rulesUrl: "https://github.com/OWNER/REPO/rules?ref=refs%2Fheads%2Fmain",
      },
    ]);
  });

  it("reads the local experiment's output with the 8-space padding (docs/semantic-release.md §8.4)", () => {
    const stderr =
      `remote: error: GH013: Repository rule violations found for refs/heads/main.${PAD}\n` +
      "remote: \n" +
      `remote: - Changes must be made through a pull request.${PAD}\n` +
      `remote: - Cannot force-push to this branch${PAD}\n` +
      "To ../r.git\n ! [remote rejected] HEAD -> main (pre-receive hook declined)\n";
    const [rejection] = parsePushRejection(stderr);
    assert.equal(rejection?.ref, "refs/heads/main");
    assert.deepEqual(rejection?.rules, ["Changes must be made through a pull request.", "Cannot force-push to this branch"]);
  });

  it("folds the signature violation's continuation lines into its rule", () => {
    const stderr = [
      "remote: error: GH013: Repository rule violations found for refs/heads/main.",
      "remote: ",
      "remote: - Commits must have verified signatures.",
      "remote:   Found 1 violation:",
      "remote: ",
      "remote:   3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a",
      "remote: ",
      "remote: - Required status check \"build\" is expected.",
    ].join("\r\n");
    assert.deepEqual(parsePushRejection(stderr)[0]?.rules, [
      "Commits must have verified signatures. Found 1 violation: 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a",
      'Required status check "build" is expected.',
    ]);
  });

  it("reads one block per ref, branch and tag (refs with dots keep them)", () => {
    const stderr = [
      "remote: error: GH013: Repository rule violations found for refs/heads/main.",
      "remote: - Cannot update this protected ref.",
      "remote: error: GH013: Repository rule violations found for refs/tags/v3.9.0.",
      "remote: - Cannot create ref due to creations being restricted.",
    ].join("\n");
    assert.deepEqual(
      parsePushRejection(stderr).map(({ code, ref, rules }) => ({ code, ref, rules })),
      [
        { code: "GH013", ref: "refs/heads/main", rules: ["Cannot update this protected ref."] },
        { code: "GH013", ref: "refs/tags/v3.9.0", rules: ["Cannot create ref due to creations being restricted."] },
      ],
    );
  });

  it("reads GH006 with `error:` reason lines and with bullets (docs/github.md §3.3)", () => {
    const old = [
      "remote: error: GH006: Protected branch update failed for refs/heads/main.",
      "remote: error: Changes must be made through a pull request.",
      " ! [remote rejected] HEAD -> main (protected branch hook declined)",
    ].join("\n");
    assert.deepEqual(parsePushRejection(old), [
      { code: "GH006", ref: "refs/heads/main", rules: ["Changes must be made through a pull request."] },
    ]);
    const bullets = [
      "remote: error: GH006: Protected branch update failed for refs/heads/master.",
      "remote: ",
      "remote: - 2 of 2 required status checks are expected.",
    ].join("\n");
    assert.deepEqual(parsePushRejection(bullets)[0]?.rules, ["2 of 2 required status checks are expected."]);
  });

  it("strips ESC[K (TTY sideband) and colour codes", () => {
    const stderr =
      "remote: \x1b[1;31merror\x1b[0m: GH013: Repository rule violations found for refs/heads/main.\x1b[K\n" +
      "remote: \x1b[K\n" +
      "remote: - Changes must be made through a pull request.\x1b[K\n";
    assert.deepEqual(parsePushRejection(stderr)[0]?.rules, ["Changes must be made through a pull request."]);
  });

  it("returns [] for other failures and for non-strings", () => {
    assert.deepEqual(parsePushRejection("fatal: unable to access 'https://github.com/o/r.git/': The requested URL returned error: 503"), []);
    assert.deepEqual(parsePushRejection("remote: - a bullet without a header"), []);
    assert.deepEqual(parsePushRejection(undefined as unknown as string), []);
  });

  it("ignores the bypass notice", () => {
    assert.deepEqual(parsePushRejection("remote: Bypassed rule violations for refs/heads/main:\nremote: - Changes must be made through a pull request."), []);
  });
});

describe("parseBypassNotice", () => {
  it("reads the notice of an accepted push (docs/github.md §3.2)", () => {
    const stderr = [
      `remote: Bypassed rule violations for refs/heads/main:${PAD}`,
      "remote: ",
      `remote: - Changes must be made through a pull request.${PAD}`,
      "remote: ",
      `remote: Bypassed rule violations for refs/tags/v1.0.0:${PAD}`,
      "remote: ",
      `remote: - Cannot create ref due to creations being restricted.${PAD}`,
      "To https://github.com/OWNER/REPO.git",
      "   bc4a507..912f338  main -> main",
      " * [new tag]         v1.0.0 -> v1.0.0",
    ].join("\n");
    assert.deepEqual(parseBypassNotice(stderr), [
      { ref: "refs/heads/main", rules: ["Changes must be made through a pull request."] },
      { ref: "refs/tags/v1.0.0", rules: ["Cannot create ref due to creations being restricted."] },
    ]);
  });
});

describe("parseRefStatuses", () => {
  it("reads git's own status lines (not the remote's)", () => {
    const stderr = [
      "error: atomic push failed for ref refs/heads/main. status: 5",
      "fatal: the remote end hung up unexpectedly",
      "To ../r.git",
      " ! [rejected]        HEAD -> main (fetch first)",
      " ! [rejected]        v1 -> v1 (atomic push failed)",
      " ! [remote rejected] x -> y (pre-receive hook declined)",
      "remote:  ! [rejected] a -> b (fake)",
    ].join("\n");
    assert.deepEqual(parseRefStatuses(stderr), [
      { status: "rejected", source: "HEAD", destination: "main", reason: "fetch first" },
      { status: "rejected", source: "v1", destination: "v1", reason: "atomic push failed" },
      { status: "remote rejected", source: "x", destination: "y", reason: "pre-receive hook declined" },
    ]);
  });
});

describe("parseApiRejection", () => {
  it("reads the 422 texts of the ref endpoints (docs/github.md §3.4)", () => {
    assert.deepEqual(parseApiRejection("Repository rule violations found\n\nCannot update this protected ref.\n\n"), {
      code: "GH013",
      rules: ["Cannot update this protected ref."],
    });
    assert.deepEqual(
      parseApiRejection("pre_receive Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n"),
      { code: "GH013", rules: ["Cannot create ref due to creations being restricted."] },
    );
    assert.deepEqual(parseApiRejection("Protected branch update failed for refs/heads/main.\n\nChanges must be made through a pull request."), {
      code: "GH006",
      rules: ["Changes must be made through a pull request."],
    });
    assert.equal(parseApiRejection("Update is not a fast forward"), undefined);
  });
});

// ---- property: noise, padding, CRLF and ANSI never lose a rule line ----

const ANSI_CODES = ["\x1b[K", "\x1b[0m", "\x1b[31m", "\x1b[1;33m", "\x1b[2K", "\x1b[m"];
const ruleText = fc
  .string({ minLength: 1, maxLength: 60, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,:;\"'()/_#-".split("")) })
  .map((s) => s.trim())
  .filter((s) => s !== "" && !s.startsWith("-") && !/GH0\d\d|Bypassed|Review all/i.test(s));
const refName = fc.constantFrom("refs/heads/main", "refs/heads/release/1.x", "refs/tags/v1.2.3", "refs/tags/v10.0.0-beta.1");
const noise = fc
  .string({ maxLength: 40, unit: fc.constantFrom(..."Resolving deltas: 100% (3/3) Counting objects done.".split("")) })
  .map((s) => s.trimStart())
  .filter((s) => !s.startsWith("-"));

const block = fc.record({ code: fc.constantFrom("GH013" as const, "GH006" as const), ref: refName, rules: fc.array(ruleText, { minLength: 1, maxLength: 4 }) });

describe("parsePushRejection (property)", () => {
  it("keeps every rule line under remote: noise, padding, CRLF and ANSI codes", () => {
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 3 }),
        fc.array(noise, { maxLength: 6 }),
        fc.constantFrom("\n", "\r\n"),
        fc.constantFrom("", PAD, "\x1b[K", "   "),
        fc.array(fc.constantFrom(...ANSI_CODES), { maxLength: 5 }),
        fc.infiniteStream(fc.nat(10)),
        (blocks, noiseLines, eol, pad, ansi, dice) => {
          const roll = () => dice.next().value as number;
          const decorate = (text: string) => {
            // an ANSI code at the start or the end of the text, sometimes
            const code = ansi.length > 0 ? ansi[roll() % ansi.length]! : "";
            const body = roll() < 3 ? code + text : roll() < 6 ? text + code : text;
            return `remote: ${body}${pad}`;
          };
          const out: string[] = [];
          const maybeNoise = () => {
            if (noiseLines.length > 0 && roll() < 4) out.push(decorate(noiseLines[roll() % noiseLines.length]!));
            if (roll() < 3) out.push("remote:");
          };
          for (const b of blocks) {
            const header = b.code === "GH013" ? `error: GH013: Repository rule violations found for ${b.ref}.` : `error: GH006: Protected branch update failed for ${b.ref}.`;
            maybeNoise();
            out.push(decorate(header));
            maybeNoise();
            for (const rule of b.rules) {
              out.push(decorate(`- ${rule}`));
              maybeNoise();
            }
          }
          out.push("To https://github.com/o/r.git", " ! [remote rejected] HEAD -> main (push declined due to repository rule violations)");
          const parsed = parsePushRejection(out.join(eol));
          assert.deepEqual(
            parsed.map(({ code, ref, rules }) => ({ code, ref, rules })),
            blocks.map(({ code, ref, rules }) => ({ code, ref, rules: [...rules] })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        parsePushRejection(text);
        parseBypassNotice(text);
        parseRefStatuses(text);
        parseApiRejection(text);
      }),
      { numRuns: 500 },
    );
  });
});
