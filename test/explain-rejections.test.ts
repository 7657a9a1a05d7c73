import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { format } from "node:util";
import { explainRejections } from "../lib/push/explain-rejections.js";

const GH013 = [
  "remote: error: GH013: Repository rule violations found for refs/heads/main.        ",
  "remote: Review all repository rules at https://github.com/o/r/rules?ref=refs%2Fheads%2Fmain        ",
  "remote: ",
  "remote: - Changes must be made through a pull request.        ",
  "remote: ",
  "To https://github.com/o/r.git",
  " ! [remote rejected] HEAD -> main (push declined due to repository rule violations)",
].join("\n");

function logger() {
  const lines: string[] = [];
  return { lines, logger: { log: () => {}, warn: () => {}, success: () => {}, error: (...args: unknown[]) => lines.push(format(...args)) } };
}

describe("fail: explainRejections", () => {
  it("explains a GH013 rejection found in another plugin's error, naming the ref, the rule and the fix", () => {
    const { lines, logger: log } = logger();
    const found = explainRejections([{ code: "EGITPUSH", message: "git push failed", details: GH013 }], log);
    assert.equal(found, 1);
    assert.match(lines[0]!, /refs\/heads\/main because of repository rules \(GH013\): Changes must be made through a pull request\./);
    assert.match(lines[0]!, /bypass actor, mode "Always allow"/);
    assert.match(lines[0]!, /README\.md#erulesetblocked/);
  });

  it("explains GH006 from a raw stderr, accepts semantic-release's AggregateError shape, and leaves EPUSHREJECTED alone", () => {
    const { lines, logger: log } = logger();
    const gh006 = "remote: error: GH006: Protected branch update failed for refs/heads/main.\nremote: error: Changes must be made through a pull request.";
    const errors = { errors: [{ code: "EPUSHREJECTED", message: GH013 }, { stderr: gh006 }, { message: "something else" }] };
    assert.equal(explainRejections(errors, log), 1);
    assert.match(lines[0]!, /classic branch protection \(GH006\)/);
    assert.match(lines[0]!, /README\.md#eprotectedbranch/);
  });
});
