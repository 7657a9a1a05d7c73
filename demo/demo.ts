// `npm run demo`: a real release against the embedded GitHub stand-in.
//
// A user-owned repository whose `main` only takes pull requests and whose `v*` tags are protected,
// both with the App "release-bot" on the bypass list ("Always allow"), checked out the way
// actions/checkout leaves a workspace (the workflow token persisted in .git/config). The demo
// shows the problem (the workflow token is refused with GH013), then runs the real
// semantic-release CLI twice: `--dry-run` (the preflight report) and a release.
import { spawn } from "node:child_process";
import { protectReleaseRefs, releaseWorld, type ReleaseWorld, type RunResult } from "../test/helpers/e2e.js";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);
const step = (n: number, title: string) => console.log(`\n${bold(`${n}. ${title}`)}\n${"-".repeat(title.length + 3)}`);

/** git in the workspace, as the workflow would run it. Async: the stand-in answers from this process. */
function git(world: ReleaseWorld, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", args, { cwd: world.workDir, env: { ...process.env, ...world.env, ...env } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

function pluginLines(result: RunResult): string {
  return `${result.stdout}\n${result.stderr}`
    .split("\n")
    .filter((line) => /\[.*index\.ts\]|Failed step|✘|Published release|Created tag|Pushed/.test(line))
    .map((line) => `  ${line.replace(/^\[[^\]]+\] /, "").replace(/\[\/[^\]]*index\.ts\]/, "[github-app]")}`)
    .join("\n");
}

async function main(): Promise<void> {
  const world = await releaseWorld({ checkout: "v4", commits: ["feat: parse the config file", "fix: handle an empty config"] });
  try {
    protectReleaseRefs(world);
    console.log(`Local GitHub stand-in at ${world.standIn.origin}; repository octo/lib with rulesets "Protect main" and "Release tags",`);
    console.log(`GitHub App "release-bot" (id ${world.app.id}) installed and on both bypass lists; workspace checked out with the workflow token persisted.`);

    step(1, "The problem: the workflow GITHUB_TOKEN pushing to the protected main");
    const probe = await git(world, ["push", "origin", "HEAD:refs/heads/main", "--dry-run"]);
    console.log(`  git push --dry-run (semantic-release's "Allowed to push" probe): ${probe.status === 0 ? "passes — it never evaluates rules" : probe.stderr.trim()}`);
    const dev = { GIT_AUTHOR_NAME: "Dev", GIT_AUTHOR_EMAIL: "dev@example.com", GIT_COMMITTER_NAME: "Dev", GIT_COMMITTER_EMAIL: "dev@example.com" };
    await git(world, ["commit", "--allow-empty", "-qm", "chore: a direct push"], dev);
    const push = await git(world, ["push", "origin", "HEAD:refs/heads/main"]);
    console.log(
      push.stderr
        .split("\n")
        .filter((line) => /GH013|^remote: -|rejected/.test(line))
        .map((line) => `  ${line.trimEnd()}`)
        .join("\n"),
    );
    await git(world, ["reset", "-q", "--hard", "HEAD~1"]);

    step(2, "npx semantic-release --dry-run: mint the App token, preflight, report");
    const dry = await world.run(["--dry-run"]);
    const report = dry.stdout.slice(dry.stdout.indexOf("Release preflight"), dry.stdout.search(/Verdict:.*\n/) + dry.stdout.match(/Verdict:.*\n/)![0].length);
    console.log(report.replace(/^/gm, "  "));

    step(3, "npx semantic-release: the release");
    const before = await world.remoteRef("refs/heads/main");
    const release = await world.run();
    console.log(pluginLines(release));
    if (release.code !== 0) throw new Error(`the release failed:\n${release.stderr}`);

    step(4, "What landed on the remote");
    const commit = await world.remoteCommit("refs/heads/main");
    console.log(`  main       ${before?.slice(0, 12)} → ${commit.sha.slice(0, 12)}  "${commit.subject}"`);
    console.log(`  author     ${commit.author}`);
    console.log(`  committer  ${commit.committer}`);
    console.log(`  tag        v1.0.0 → ${(await world.remoteRef("refs/tags/v1.0.0"))?.slice(0, 12)}`);
    console.log("  pushes (as judged by the stand-in's pre-receive hook):");
    for (const p of world.standIn.refPushes()) {
      console.log(`    ${p.accepted ? "accepted" : "REJECTED"}  ${p.actor.padEnd(34)} ${p.updates.map((u) => u.ref).join(" + ")}`);
    }
    const tokens = world.standIn.tokens({ appId: world.app.id });
    console.log(`  App tokens minted: ${tokens.length}, revoked: ${tokens.filter((t) => t.revoked).length}`);
    const leaks = await world.scanForSecrets(release);
    console.log(`  secrets in output, git argv and files: ${leaks.length === 0 ? "none" : leaks.join(", ")}`);
  } finally {
    await world.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
