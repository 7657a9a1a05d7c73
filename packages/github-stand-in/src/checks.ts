// Check runs (docs/github.md §18.5): the test names the checks a repository's workflows run and how each
// ends (`{ name, conclusion, afterMs }`); they start when a pull request's head changes or a merge
// group is made, run by GitHub Actions, and complete after their delay on a timer. Whether a check is
// required is the base branch's business (the `required_status_checks` rule, classic protection):
// pulls.ts and merge-queue.ts read the outcomes here.
import { later, reconcile } from "./pulls.js";
import type { Repository, World } from "./world.js";

export type CheckEvent = "pull_request" | "merge_group";

/** A check the repository's workflows run. */
export interface CheckSpec {
  /** the check run's name, what a `required_status_checks` context names */
  name: string;
  conclusion: "success" | "failure";
  /** how long it runs before it completes; Infinity: until the test completes it (completeChecks) */
  afterMs: number;
  /** the events it runs on (default both, as a workflow with `on: [pull_request, merge_group]`) */
  on?: CheckEvent[];
}

export type CheckTrigger = { kind: "pull_request"; number: number } | { kind: "merge_group"; ref: string };

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  status: "in_progress" | "completed";
  conclusion: "success" | "failure" | null;
  startedAt: number;
  completedAt: number | null;
  trigger: CheckTrigger;
}

const ALL_EVENTS: CheckEvent[] = ["pull_request", "merge_group"];

/**
 * Adds a check to a repository, or replaces the one of the same name on the same events (later runs
 * only): `test` may pass on pull requests and fail on merge groups.
 */
export function setCheck(world: World, repo: Repository, spec: CheckSpec): void {
  if (!spec.name || !["success", "failure"].includes(spec.conclusion) || !(spec.afterMs >= 0)) throw new Error(`addCheck: invalid check ${JSON.stringify(spec)}`);
  const events = spec.on ?? ALL_EVENTS;
  const specs = (world.checkSpecs.get(repo.id) ?? [])
    .map((s) => (s.name === spec.name ? { ...s, on: (s.on ?? ALL_EVENTS).filter((e) => !events.includes(e)) } : s))
    .filter((s) => (s.on ?? ALL_EVENTS).length > 0);
  world.checkSpecs.set(repo.id, [...specs, { ...spec, on: [...events] }]);
}

function complete(world: World, run: CheckRunRecord, conclusion: "success" | "failure"): void {
  run.status = "completed";
  run.conclusion = conclusion;
  run.completedAt = world.engine?.now() ?? Date.now();
}

/** Completes the running check runs that match now (those of checks whose `afterMs` is Infinity, or any); returns how many. */
export function completeChecks(world: World, repo: Repository, query: { sha?: string; name?: string; conclusion: "success" | "failure" }): number {
  const runs = runsOf(world, repo).filter((r) => r.status !== "completed" && (!query.sha || r.headSha === query.sha) && (!query.name || r.name === query.name));
  for (const run of runs) complete(world, run, query.conclusion);
  return runs.length;
}

function runsOf(world: World, repo: Repository): CheckRunRecord[] {
  let list = world.checkRuns.get(repo.id);
  if (!list) world.checkRuns.set(repo.id, (list = []));
  return list;
}

/** Starts the repository's checks for `trigger` on `sha`; each completes after its delay. */
export function startChecks(world: World, repo: Repository, input: { sha: string; trigger: CheckTrigger }): CheckRunRecord[] {
  const engine = world.engine;
  if (!engine) return [];
  const started: CheckRunRecord[] = [];
  for (const spec of world.checkSpecs.get(repo.id) ?? []) {
    if (!(spec.on ?? ALL_EVENTS).includes(input.trigger.kind)) continue;
    const run: CheckRunRecord = { id: world.id(), name: spec.name, headSha: input.sha, status: "in_progress", conclusion: null, startedAt: engine.now(), completedAt: null, trigger: input.trigger };
    runsOf(world, repo).push(run);
    started.push(run);
    if (spec.afterMs === Infinity) continue;
    later(world, spec.afterMs, async () => {
      if (run.status === "completed") return;
      complete(world, run, spec.conclusion);
      await reconcile(world, repo);
    });
  }
  return started;
}

/** The check runs on a commit, oldest first. */
export function checkRunsOn(world: World, repo: Repository, sha: string): CheckRunRecord[] {
  return runsOf(world, repo).filter((run) => run.headSha === sha);
}

/** The outcome of the latest run of check `name` on `sha`: "missing" when none ran. */
export function checkOutcome(world: World, repo: Repository, sha: string, name: string): "success" | "failure" | "pending" | "missing" {
  const run = checkRunsOn(world, repo, sha)
    .filter((r) => r.name === name)
    .at(-1);
  if (!run) return "missing";
  return run.status !== "completed" ? "pending" : run.conclusion === "success" ? "success" : "failure";
}
