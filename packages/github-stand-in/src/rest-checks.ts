// Check runs and the combined status of a commit over REST (docs/github.md §18.5):
// `GET /repos/{owner}/{repo}/commits/{ref}/check-runs` (https://docs.github.com/rest/checks/runs) and
// `GET /repos/{owner}/{repo}/commits/{ref}/status` (https://docs.github.com/rest/commits/statuses; the
// stand-in's checks are check runs, so the legacy statuses list is empty). The model is checks.ts.
import { checkRunsOn, type CheckRunRecord } from "./checks.js";
import { revParse } from "./pulls.js";
import { accessRepo, appJson, fullName, isReply, nodeId, notFound, repositoryJson, validationFailed, type RestContext, type RouteDef } from "./rest-common.js";
import { githubTime } from "./rest-apps.js";
import { GITHUB_ACTIONS_APP_ID, type IssueRecord, type Repository } from "./world.js";

/** schema `pull-request-minimal` */
function pullMinimal(ctx: RestContext, repo: Repository, issue: IssueRecord) {
  const pr = issue.pullRequest!;
  const repoRef = { id: repo.id, url: `${ctx.apiUrl}/repos/${fullName(repo)}`, name: repo.name };
  return {
    id: issue.id,
    number: issue.number,
    url: `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/${issue.number}`,
    head: { ref: pr.headRef, sha: pr.headSha, repo: repoRef },
    base: { ref: pr.baseRef, sha: pr.baseSha, repo: repoRef },
  };
}

/** schema `check-run`, run by GitHub Actions */
function checkRunJson(ctx: RestContext, repo: Repository, run: CheckRunRecord) {
  const api = `${ctx.apiUrl}/repos/${fullName(repo)}/check-runs/${run.id}`;
  const html = `${ctx.origin}/${fullName(repo)}/runs/${run.id}`;
  const actions = ctx.world.apps.get(GITHUB_ACTIONS_APP_ID);
  const prs = ctx.world.issuesOf(repo).filter((i) => i.pullRequest && i.state === "open" && i.pullRequest.headSha === run.headSha);
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CheckRun", run.id),
    external_id: String(run.id),
    url: api,
    html_url: html,
    details_url: html,
    status: run.status,
    conclusion: run.conclusion,
    started_at: githubTime(run.startedAt),
    completed_at: run.completedAt === null ? null : githubTime(run.completedAt),
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${api}/annotations` },
    name: run.name,
    check_suite: { id: run.id + 1 },
    app: actions ? appJson(actions, ctx.world, ctx) : null,
    pull_requests: prs.map((i) => pullMinimal(ctx, repo, i)),
  };
}

async function commitOf(ctx: RestContext, repo: Repository, ref: string): Promise<string | undefined> {
  const git = (args: string[]) => ctx.services.git(repo, args);
  if (/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(ref)) return revParse(git, ref);
  return (await revParse(git, `refs/heads/${ref}`)) ?? (await revParse(git, `refs/tags/${ref}`)) ?? (ref.startsWith("refs/") ? revParse(git, ref) : undefined);
}

export const checkRoutes: RouteDef[] = [
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/commits/{ref}/check-runs",
    async handler(ctx) {
      const repo = accessRepo(ctx, "checks", "read");
      if (isReply(repo)) return repo;
      const sha = await commitOf(ctx, repo, ctx.params.ref!);
      if (!sha) return validationFailed(`No commit found for SHA: ${ctx.params.ref}`);
      const name = ctx.query.get("check_name");
      const status = ctx.query.get("status");
      // filter=latest (the default): the latest run of each name
      const all = checkRunsOn(ctx.world, repo, sha).filter((r) => (!name || r.name === name) && (!status || r.status === status));
      const runs = ctx.query.get("filter") === "all" ? all : all.filter((r) => r === all.filter((o) => o.name === r.name).at(-1));
      return { status: 200, body: { total_count: runs.length, check_runs: runs.reverse().map((r) => checkRunJson(ctx, repo, r)) } };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/commits/{ref}/status",
    async handler(ctx) {
      const repo = accessRepo(ctx, "statuses", "read");
      if (isReply(repo)) return repo;
      const sha = await commitOf(ctx, repo, ctx.params.ref!);
      if (!sha) return notFound();
      // no commit statuses are modelled: GitHub reports "pending" for a commit without any
      return {
        status: 200,
        body: {
          state: "pending",
          statuses: [],
          sha,
          total_count: 0,
          repository: repositoryJson(repo, ctx.world, ctx.actor, ctx),
          commit_url: `${ctx.apiUrl}/repos/${fullName(repo)}/commits/${sha}`,
          url: `${ctx.apiUrl}/repos/${fullName(repo)}/commits/${sha}/status`,
        },
      };
    },
  },
];
