import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { renderReport, type ReportInput } from "../lib/preflight/report.js";
import type { PreflightVerdict } from "../lib/preflight/judge.js";
import type { RulesetVerdict } from "../lib/preflight/evaluate-rules.js";
import { getError } from "../lib/errors/get-error.js";

function verdict(overrides: Partial<RulesetVerdict>): RulesetVerdict {
  return {
    id: 1,
    name: "protect main",
    source_type: "Repository",
    source: "octo/app",
    enforcement: "active",
    target: "branch",
    ref: "refs/heads/main",
    blockingRules: ["pull_request", "required_status_checks"],
    pendingRules: [],
    uncheckedRules: [],
    bypass: "always",
    verdict: "bypassed",
    settingsUrl: "https://github.com/octo/app/settings/rules/1",
    ...overrides,
  };
}

function preflight(overrides: Partial<PreflightVerdict> = {}): PreflightVerdict {
  return {
    branchRulesets: [
      verdict({}),
      verdict({ id: 2, name: "org policy", source_type: "Organization", source: "octo", blockingRules: ["update"], settingsUrl: "https://github.com/organizations/octo/settings/rules/2" }),
    ],
    tagRulesets: [verdict({ id: 3, name: "release tags", target: "tag", ref: "refs/tags/v1.2.0", blockingRules: [], bypass: "never", verdict: "ok", settingsUrl: "https://github.com/octo/app/settings/rules/3" })],
    undecidedTagRulesets: [],
    classic: { state: "not-protected", protected: true, classic: false, blocking: [], passed: [], enforceAdmins: undefined, settingsUrl: "https://github.com/octo/app/settings/branches" },
    errors: [],
    warnings: [],
    ...overrides,
  };
}

const base: ReportInput = {
  method: "app",
  actor: "release-bot[bot]",
  installation: { id: 4711, account: "octo", repositorySelection: "selected" },
  tokenPermissions: { metadata: "read", contents: "write" },
  expiresAt: "2026-05-01T12:00:00Z",
  branch: "main",
  tag: "v1.2.0",
  updatesBranch: true,
  commitMode: "git",
  signaturesRequired: false,
  verdict: preflight(),
};

function lines(text: string): string[] {
  return text.split("\n");
}

describe("renderReport", () => {
  it("shows auth method, actor, installation, token permissions and expiry", () => {
    const out = lines(renderReport(base));
    assert.ok(out.includes("Auth method     app"));
    assert.ok(out.includes("Actor           release-bot[bot]"));
    assert.ok(out.includes("Installation    4711 on octo (selected repositories)"));
    assert.ok(out.includes("Token           contents: write, metadata: read"));
    assert.ok(out.includes("Token expires   2026-05-01T12:00:00Z"));
    assert.ok(out.includes("Tag             v1.2.0"));
  });

  it("one table row per ruleset with source, enforcement, bypass and verdict, then its rules and settings page", () => {
    const out = lines(renderReport(base));
    const header = out.find((l) => l.trim().startsWith("RULESET"));
    assert.ok(header && /SOURCE\s+ENFORCEMENT\s+BYPASS\s+VERDICT/.test(header));
    assert.ok(out.some((l) => /^ {2}protect main \(#1\)\s+repo octo\/app\s+active\s+always\s+bypassed$/.test(l)));
    assert.ok(out.some((l) => /^ {2}org policy \(#2\)\s+org octo\s+active\s+always\s+bypassed$/.test(l)));
    assert.ok(out.includes("      blocking rules: pull_request, required_status_checks"));
    assert.ok(out.includes("      settings: https://github.com/organizations/octo/settings/rules/2"));
    assert.ok(out.includes("Rulesets on refs/tags/v1.2.0"));
    assert.ok(out.some((l) => /^ {2}release tags \(#3\)\s+repo octo\/app\s+active\s+never\s+ok$/.test(l)));
    assert.ok(out.includes("  main: no classic protection (protected by rulesets only)"));
  });

  it("last line: the verdict that the release can be pushed, naming the bypasses", () => {
    const out = lines(renderReport(base));
    assert.equal(out.at(-1), "Verdict: the release can be pushed as release-bot[bot] (bypasses 2 rulesets)");
  });

  it("blocked: the verdict names the problem", () => {
    const blocked = verdict({ bypass: "never", verdict: "blocked" });
    const error = getError("ERULESETBLOCKED", {
      name: "protect main",
      id: 1,
      sourceType: "Repository",
      source: "octo/app",
      settingsUrl: blocked.settingsUrl,
      ref: "refs/heads/main",
      blockingRules: blocked.blockingRules,
      actor: "release-bot[bot]",
      appSlug: "release-bot",
    });
    const out = renderReport({ ...base, verdict: preflight({ branchRulesets: [blocked], tagRulesets: [], errors: [error] }) });
    const verdictLines = out.slice(out.lastIndexOf("Verdict:"));
    assert.ok(verdictLines.startsWith('Verdict: blocked — 1 problem: ERULESETBLOCKED The ruleset "protect main"'));
    assert.ok(lines(out).some((l) => /protect main \(#1\).*never\s+BLOCKED$/.test(l)));
  });

  it("several problems are listed one per line", () => {
    const e1 = getError("EPROTECTEDBRANCH", { owner: "octo", repo: "app", branch: "main", settings: ["status checks are required"], actor: "x[bot]", appSlug: "x", settingsUrl: "u", method: "app" });
    const e2 = getError("EBYPASSPULLREQUESTONLY", { name: "r", id: 9, sourceType: "Repository", source: "octo/app", settingsUrl: "u", ref: "refs/heads/main", blockingRules: ["pull_request"], actor: "x[bot]" });
    const out = lines(renderReport({ ...base, verdict: preflight({ errors: [e1, e2] }) }));
    const at = out.indexOf("Verdict: blocked — 2 problems:");
    assert.ok(at > 0);
    assert.ok(out[at + 1]!.startsWith("  - EPROTECTEDBRANCH "));
    assert.ok(out.slice(at + 1).some((l) => l.startsWith("  - EBYPASSPULLREQUESTONLY ")));
  });

  it("classic protection that blocks, warnings, undecided tag rulesets", () => {
    const out = lines(
      renderReport({
        ...base,
        tag: undefined,
        verdict: preflight({
          tagRulesets: [],
          undecidedTagRulesets: [{ id: 5, name: "v tags", include: ["refs/tags/v*"], exclude: [] }],
          classic: { state: "read", protected: true, classic: true, blocking: ["pull requests are required"], passed: [], enforceAdmins: true, settingsUrl: "https://github.com/octo/app/settings/branches" },
          warnings: ["something could not be checked"],
        }),
      }),
    );
    assert.ok(out.includes("Tag             not known yet"));
    assert.ok(out.includes('  judged once the tag is known: "v tags" (#5) on refs/tags/v*'));
    assert.ok(out.includes("  main: protected, BLOCKED (admins included)"));
    assert.ok(out.includes("      blocks: pull requests are required"));
    assert.ok(out.includes("  - something could not be checked"));
  });

  it("no line is wider than 100 columns, and no colour codes", () => {
    const long = "x".repeat(60);
    const text = renderReport({ ...base, verdict: preflight({ warnings: [`${long} ${long} ${long}`] }) });
    for (const line of lines(text)) assert.ok(line.length <= 100 || !line.includes(" "), `too wide: ${line}`);
    assert.ok(!text.includes("\u001b["));
  });

  it("preflight off", () => {
    assert.ok(renderReport({ ...base, verdict: undefined }).includes('Preflight: off (preflight: "off")'));
  });

  it("the commit mode, and why auto chose the API, with or without the preflight", () => {
    assert.ok(lines(renderReport(base)).includes("Commit mode     git"));
    const api = { ...base, commitMode: "api" as const, signaturesRequired: true };
    assert.ok(lines(renderReport(api)).includes("Commit mode     api (a ruleset requires signed commits)"));
    assert.ok(lines(renderReport({ ...api, verdict: undefined })).includes("Commit mode     api (a ruleset requires signed commits)"));
  });

  it("the pull-request mode: the commit is made locally, never through the API, whatever commitMode says", () => {
    const pushMode = { configured: "pull-request", mode: "pull-request" as const, reason: "configured", releaseBranch: "semantic-release/v1.2.3" };
    const out = lines(renderReport({ ...base, commitMode: "git", signaturesRequired: true, pushMode }));
    assert.ok(out.includes('Commit mode     git (made locally in the pull-request mode; commitMode "api" does not apply)'), out.join("\n"));
    assert.ok(!out.some((line) => /^Commit mode +api/.test(line)));
  });

  it("assets: false: the branch is not checked", () => {
    const out = lines(renderReport({ ...base, updatesBranch: false, verdict: preflight({ branchRulesets: [] }) }));
    const at = out.indexOf("Rulesets on refs/heads/main");
    assert.equal(out[at + 1], "  not checked (the release pushes no commit to the branch)");
    assert.ok(out.includes("  main: not checked (the release pushes no commit to the branch)"));
  });

  it("an exempt App: the ruleset's row and the verdict say exempt", () => {
    const text = renderReport({ ...base, verdict: preflight({ branchRulesets: [verdict({ bypass: "exempt", verdict: "exempt" })] }) });
    assert.match(text, /protect main.*exempt/);
    assert.match(text, /Verdict: the release can be pushed as release-bot\[bot\] \(exempt from 1 ruleset\)/);
  });

  it("immutable releases, floating tags, and tag problems in the verdict", () => {
    const burned = getError("ETAGBURNED", { tag: "v1.2.0", version: "1.2.0", tagFormat: "v${version}", reason: "release" });
    const out = renderReport({ ...base, immutableReleases: "on: a published release locks its tag", floatingTags: "v1 (moved from aaaaaaaaaaaa), v1.2 (created)", tagProblems: [burned] });
    assert.match(out, /^Immutability {4}on: a published release locks its tag$/m);
    assert.match(out, /^Floating tags {3}v1 \(moved from aaaaaaaaaaaa\), v1\.2 \(created\)$/m);
    assert.match(out, /Verdict: blocked — 1 problem: ETAGBURNED The tag v1\.2\.0 can never be created again/);
  });
});
