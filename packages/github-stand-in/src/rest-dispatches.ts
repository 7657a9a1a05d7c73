// `repository_dispatch` and `workflow_dispatch` (docs/github.md §7: the events a GITHUB_TOKEN may
// still start). Each accepted dispatch is recorded in World.dispatches (StandIn.dispatches() reads it).
import { accessRepo, error, fullName, isReply, notFound, type RouteDef, validationFailed } from "./rest-common.js";
import { resolveRef } from "./rest-git.js";
import { World } from "./world.js";

export const dispatchRoutes: RouteDef[] = [
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/dispatches",
    handler(ctx) {
      // repository_dispatch needs Contents write
      const repo = accessRepo(ctx, "contents", "write");
      if (isReply(repo)) return repo;
      const { event_type, client_payload } = (ctx.body ?? {}) as { event_type?: unknown; client_payload?: unknown };
      if (typeof event_type !== "string" || event_type.length === 0 || event_type.length > 100) {
        return validationFailed("Invalid request.\n\nFor 'properties/event_type', nil is not a string.");
      }
      if (client_payload !== undefined && (typeof client_payload !== "object" || client_payload === null || Array.isArray(client_payload))) {
        return validationFailed("Invalid request.\n\nFor 'properties/client_payload', it is not an object.");
      }
      ctx.world.dispatches.push({
        kind: "repository_dispatch",
        repository: fullName(repo),
        actor: World.actorName(ctx.actor),
        event_type,
        client_payload: client_payload ?? {},
        at: ctx.nowMs,
      });
      return { status: 204 };
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    async handler(ctx) {
      // workflow_dispatch needs Actions write
      const repo = accessRepo(ctx, "actions", "write");
      if (isReply(repo)) return repo;
      const { ref, inputs, return_run_details } = (ctx.body ?? {}) as { ref?: unknown; inputs?: unknown; return_run_details?: unknown };
      if (typeof ref !== "string" || !ref) return validationFailed("Invalid request.\n\n\"ref\" wasn't supplied.");
      const fullRef = ref.startsWith("refs/") ? ref : undefined;
      const sha =
        (fullRef && (await resolveRef(ctx, repo, fullRef))) ||
        (await resolveRef(ctx, repo, `refs/heads/${ref}`)) ||
        (await resolveRef(ctx, repo, `refs/tags/${ref}`));
      if (!sha) return validationFailed(`No ref found for: ${ref}`);
      const workflowId = ctx.params.workflow_id!;
      if (!/^\d+$/.test(workflowId)) {
        // a file name: the workflow must exist at that ref and have a workflow_dispatch trigger
        let text: string;
        try {
          text = await ctx.services.git(repo, ["cat-file", "blob", `${sha}:.github/workflows/${workflowId}`]);
        } catch {
          return notFound();
        }
        if (!/\bworkflow_dispatch\b/.test(text)) return validationFailed("Workflow does not have 'workflow_dispatch' trigger");
      }
      if (inputs !== undefined && (typeof inputs !== "object" || inputs === null || Array.isArray(inputs))) {
        return validationFailed("Invalid request.\n\nFor 'properties/inputs', it is not an object.");
      }
      if (inputs && Object.keys(inputs).length > 25) return error(422, "Too many inputs (maximum 25)");
      const dispatch = {
        kind: "workflow_dispatch" as const,
        repository: fullName(repo),
        actor: World.actorName(ctx.actor),
        workflow_id: workflowId,
        ref,
        inputs: (inputs as Record<string, unknown> | undefined) ?? {},
        at: ctx.nowMs,
      };
      ctx.world.dispatches.push(dispatch);
      if (return_run_details === true) {
        const runId = ctx.world.id();
        return {
          status: 200,
          body: {
            workflow_run_id: runId,
            run_url: `${ctx.apiUrl}/repos/${fullName(repo)}/actions/runs/${runId}`,
            html_url: `${ctx.origin}/${fullName(repo)}/actions/runs/${runId}`,
          },
        };
      }
      return { status: 204 };
    },
  },
];
