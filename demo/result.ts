// What the demo leaves for a program to read (`--result-file <path>`, JSON): the chapters it told,
// the IDs it explained, the stand-in's final state (refs, pushes, App tokens) and any secret found.
// No token, key or log is written to it. test/demo.test.ts reads it.
import { writeFile } from "node:fs/promises";
import type { ReleaseWorld } from "../test/helpers/e2e.js";
import type { Run } from "./chapters.js";
import { remoteRefs, type Demo } from "./setup.js";

/** What a story returns to the demo. */
export interface StoryOutcome {
  outcome: "released" | "blocked";
  /** the remote's refs just before the release run */
  refsBefore: Record<string, string>;
  /** exit code of each CLI run, by name */
  exitCodes: Record<string, number | null>;
  /** the CLI runs that minted App tokens, in order */
  runs: Run[];
  leaks: string[];
  /** error codes semantic-release printed in the run that stopped, if one did */
  errorCodes?: string[];
}

export interface DemoResult extends Omit<StoryOutcome, "runs"> {
  chapters: string[];
  ids: { appId: number; clientId: string; installationId: number; botUserId: number; rulesets: { name: string; id: number }[] };
  refsAfter: Record<string, string>;
  pushes: { actor: string; accepted: boolean; refs: string[] }[];
  appTokens: { mintedBy: string; permissions: string; revoked: boolean }[];
  /** App tokens the stand-in still holds as live (neither revoked nor expired) */
  liveAppTokens: number;
}

export async function demoResult({ demo: { story, world, rulesets }, outcome }: { demo: Demo; outcome: StoryOutcome }): Promise<DemoResult> {
  const { runs, ...rest } = outcome;
  return {
    ...rest,
    chapters: story.chapters,
    ids: {
      appId: world.app.id,
      clientId: world.app.clientId,
      installationId: world.installation.id,
      botUserId: world.app.botUserId,
      rulesets: rulesets.map((r) => ({ name: r.name, id: r.id })),
    },
    refsAfter: await remoteRefs(world),
    pushes: world.standIn.refPushes().map((p) => ({ actor: p.actor, accepted: p.accepted, refs: p.updates.map((u) => u.ref) })),
    appTokens: runs.flatMap((run) => run.tokens.map((t) => ({ mintedBy: run.label, ...t }))),
    liveAppTokens: world.standIn.tokens({ appId: world.app.id, live: true }).length,
  };
}

export async function writeResult({ path, result }: { path: string; result: DemoResult }): Promise<void> {
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
}

/** "installation:release-bot[bot]" → "release-bot[bot] (App token)", the workflow token's bot likewise. */
function pusher(actor: string, world: ReleaseWorld): string {
  const login = actor.replace(/^installation:/, "");
  if (login === `${world.app.slug}[bot]`) return `${login} (App token)`;
  if (login === "github-actions[bot]") return `${login} (workflow token)`;
  return login;
}

function whatItWas(push: { actor: string; accepted: boolean; updates: { ref: string }[] }, world: ReleaseWorld): string {
  if (push.updates.every((u) => u.ref.startsWith("refs/notes/"))) return "semantic-release's own note on the release";
  if (push.actor.endsWith(`${world.app.slug}[bot]`)) return "the plugin's atomic push of the release";
  return push.accepted ? "" : "chapter 2's direct push";
}

/** Every push the stand-in judged: result, who, which refs, and what it was. */
export function pushTable({ story, world }: Demo): void {
  const pushes = world.standIn.refPushes();
  story.table(
    ["RESULT", "PUSHED AS", "REFS", "WHAT IT WAS"],
    pushes.map((p) => [p.accepted ? "accepted" : "refused", pusher(p.actor, world), p.updates.map((u) => u.ref).join(", "), whatItWas(p, world)]),
  );
}
