import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGitHubUrl } from "../lib/config/parse-github-url.js";

const parsed: Array<[url: string, owner: string, repo: string]> = [
  ["https://github.com/owner/repo.git", "owner", "repo"],
  ["https://github.com/owner/repo", "owner", "repo"],
  ["https://github.com/owner/repo/", "owner", "repo"],
  ["https://github.com/owner/repo.git/", "owner", "repo"],
  ["http://127.0.0.1:4567/o/r.git", "o", "r"],
  ["http://localhost:8080/my-org/my.repo.name.git", "my-org", "my.repo.name"],
  ["git+https://github.com/owner/repo.git", "owner", "repo"],
  ["git+ssh://git@github.com/owner/repo.git", "owner", "repo"],
  ["ssh://git@github.com/owner/repo.git", "owner", "repo"],
  ["ssh://git@ghes.example.com:22/owner/repo.git", "owner", "repo"],
  ["git://github.com/owner/repo.git", "owner", "repo"],
  ["git@github.com:owner/repo.git", "owner", "repo"],
  ["git@github.com:owner/repo", "owner", "repo"],
  ["github.com:owner/repo.git", "owner", "repo"],
  ["git@ghes.example.com:Org_EMU/Repo-1.git", "Org_EMU", "Repo-1"],
  ["https://x-access-token:ghs_secretsecretsecret@github.com/owner/repo.git", "owner", "repo"],
  ["https://user:pass@ghes.example.com:8443/owner/repo.git", "owner", "repo"],
  ["https://github.example.com/owner/repo.git", "owner", "repo"],
  ["  https://github.com/owner/repo.git\n", "owner", "repo"],
  ["https://github.com/owner/repo.js.git", "owner", "repo.js"],
  ["https://github.com/owner/.github.git", "owner", ".github"],
];

for (const [url, owner, repo] of parsed) {
  test(`Parse ${url.trim()}`, () => {
    assert.deepEqual(parseGitHubUrl(url), { owner, repo });
  });
}

const notParsed = [
  "",
  "not a url",
  "https://github.com",
  "https://github.com/",
  "https://github.com/owner",
  "https://github.com/owner/repo/tree/main",
  "git@github.com:owner",
  "file:///tmp/owner/repo.git",
  "/tmp/owner/repo.git",
  "owner/repo",
  "https://github.com/../repo.git",
  "https://github.com/owner/%2e%2e",
  "https://github.com/own er/repo",
  "C:\\repos\\owner\\repo",
];

for (const url of notParsed) {
  test(`Return undefined for ${JSON.stringify(url)}`, () => {
    assert.equal(parseGitHubUrl(url), undefined);
  });
}

test("Never return the credentials of the URL", () => {
  const result = parseGitHubUrl("https://x-access-token:ghs_topsecret123@github.com/owner/repo.git");
  assert.ok(!JSON.stringify(result).includes("ghs_topsecret123"));
  assert.ok(!JSON.stringify(result).includes("x-access-token"));
});
