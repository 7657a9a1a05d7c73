// The immutable-releases guard's pure parts (lib/preflight/immutable.ts, lib/errors/release-tags.ts):
// a live immutable release of the next tag, a burned name read from GitHub's refusal of the push,
// and the fix ETAGBURNED gives (docs/github.md §15.1).
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { burnedByRefusal, describeImmutable, judgeReleaseOfTag } from "../lib/preflight/immutable.js";
import { burnedMarkerTag } from "../lib/errors/release-tags.js";
import { parsePushRejection } from "../lib/push/parse-push-rejection.js";

const release = { tag: "v1.3.0", version: "1.3.0", tagFormat: "v${version}", lastTag: "v1.2.0" };
const on = { state: "on" as const };

/** git's stderr for a push GitHub refused as a burned tag name (docs/github.md §15.1) */
const burnedStderr = [
  "remote: error: GH013: Repository rule violations found for refs/tags/v1.3.0.",
  "remote: Review all repository rules at https://github.com/octo/lib/rules?ref=refs%2Ftags%2Fv1.3.0",
  "remote: ",
  "remote: - Cannot create ref due to creations being restricted.",
  "remote: ",
  "To https://github.com/octo/lib.git",
  " ! [remote rejected] HEAD -> main (atomic push failure)",
  " ! [remote rejected] v1.3.0 -> v1.3.0 (push declined due to repository rule violations)",
].join("\n");

describe("judgeReleaseOfTag", () => {
  it("an immutable release of the next tag: ETAGBURNED naming the tag, the release and the marker tag", () => {
    const error = judgeReleaseOfTag({ ...release, release: { immutable: true, htmlUrl: "https://github.com/octo/lib/releases/tag/v1.3.0" } });
    assert.equal(error?.code, "ETAGBURNED");
    assert.match(error!.message, /v1\.3\.0 can never be created again: an immutable release uses it/);
    assert.ok((error!.details ?? "").includes("git tag 'v1.3.0+burned' 'v1.2.0^{commit}'"), error!.details);
    assert.ok((error!.details ?? "").includes("https://github.com/octo/lib/releases/tag/v1.3.0"));
  });

  it("no release, or a mutable one: nothing", () => {
    assert.equal(judgeReleaseOfTag({ ...release, release: undefined }), undefined);
    assert.equal(judgeReleaseOfTag({ ...release, release: { immutable: false, htmlUrl: "x" } }), undefined);
  });
});

describe("burnedByRefusal", () => {
  const rejections = parsePushRejection(burnedStderr);

  it("only the creation line on the release tag, no creation rule, immutable releases on: a burned name", () => {
    assert.equal(burnedByRefusal({ rejections, tag: "v1.3.0", immutable: on, creationRuleApplies: false }), true);
  });

  it("immutable releases unknown (no Administration: read): GitHub's refusal as it is (a ruleset added meanwhile says the same)", () => {
    assert.equal(burnedByRefusal({ rejections, tag: "v1.3.0", immutable: { state: "unknown", unknownBecause: "permission" }, creationRuleApplies: false }), false);
  });

  it("a tag ruleset with a creation rule, immutable releases off, or other rules: GitHub's refusal as it is", () => {
    assert.equal(burnedByRefusal({ rejections, tag: "v1.3.0", immutable: on, creationRuleApplies: true }), false);
    assert.equal(burnedByRefusal({ rejections, tag: "v1.3.0", immutable: { state: "off" }, creationRuleApplies: false }), false);
    const other = parsePushRejection(burnedStderr.replace("Cannot create ref due to creations being restricted.", "Cannot update this protected ref."));
    assert.equal(burnedByRefusal({ rejections: other, tag: "v1.3.0", immutable: on, creationRuleApplies: false }), false);
    assert.equal(burnedByRefusal({ rejections, tag: "v9.9.9", immutable: on, creationRuleApplies: false }), false);
  });
});

describe("the marker tag and the report line", () => {
  it("the marker keeps the tagFormat and adds semver build metadata", () => {
    assert.equal(burnedMarkerTag("v${version}", "1.3.0"), "v1.3.0+burned");
    assert.equal(burnedMarkerTag("cli@${version}", "2.0.0"), "cli@2.0.0+burned");
  });

  it("describeImmutable", () => {
    assert.match(describeImmutable({ state: "on", enforcedByOwner: true }), /^on \(enforced by the owner\)/);
    assert.equal(describeImmutable({ state: "off" }), "off");
    assert.equal(describeImmutable({ state: "unknown", unknownBecause: "permission" }), "unknown (reading it needs Administration: read)");
    assert.equal(describeImmutable(undefined), "not read (preflight: off)");
  });
});
