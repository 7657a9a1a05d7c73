// The `dispatch` option (README "Options"): downstream events sent in `success`, after the
// release is out. Events made with an App token start workflows; those of GITHUB_TOKEN start only
// workflow_dispatch/repository_dispatch runs (docs/github.md §7). A failed dispatch never fails the
// release (it is already published): it is logged as a warning naming the target and the status,
// and returned to the caller.
import type { Octokit } from "@octokit/core";
import type { DispatchTarget } from "./types.js";
import type { Logger } from "./logger.js";
import { readFailure } from "./octokit.js";

export interface DispatchRelease {
  version: string;
  gitTag: string;
  channel?: string | null;
}

export interface DispatchResult {
  /** "repository_dispatch <event> to o/r" or "workflow_dispatch <workflow>@<ref> in o/r" */
  target: string;
  ok: boolean;
  /** HTTP status of the answer (204 on success) */
  status?: number;
  /** GitHub's message on failure */
  message?: string;
}

export interface SendDispatchesOptions {
  octokit: Octokit;
  /** the released repository: default for workflow targets without `repository` */
  owner: string;
  repo: string;
  targets: DispatchTarget[];
  nextRelease: DispatchRelease;
  logger?: Logger | undefined;
}

function splitRepository(value: string | undefined, owner: string, repo: string): { owner: string; repo: string } {
  if (!value) return { owner, repo };
  const [o, r] = value.split("/");
  return o && r ? { owner: o, repo: r.replace(/\.git$/, "") } : { owner, repo };
}

/**
 * Send every target, one after the other (in the order configured). Never throws for a failed
 * request; a target that fails is logged with `logger.warn` and reported with `ok: false`.
 */
export async function sendDispatches(options: SendDispatchesOptions): Promise<DispatchResult[]> {
  const { octokit, nextRelease, logger } = options;
  const results: DispatchResult[] = [];
  const release = { version: nextRelease.version, gitTag: nextRelease.gitTag, channel: nextRelease.channel ?? null };
  for (const target of options.targets) {
    const label = describeTarget(target, options.owner, options.repo);
    try {
      if ("eventType" in target) {
        const { owner, repo } = splitRepository(target.repository, options.owner, options.repo);
        const response = await octokit.request("POST /repos/{owner}/{repo}/dispatches", {
          owner,
          repo,
          event_type: target.eventType,
          // the release facts win over user keys of the same name: receivers can rely on them
          client_payload: { ...target.clientPayload, ...release },
        });
        results.push({ target: label, ok: true, status: response.status });
      } else {
        const { owner, repo } = splitRepository(target.repository, options.owner, options.repo);
        const response = await octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
          owner,
          repo,
          workflow_id: target.workflow,
          ref: target.ref,
          ...(target.inputs ? { inputs: target.inputs } : {}),
        });
        results.push({ target: label, ok: true, status: response.status });
      }
      logger?.log("Sent %s", label);
    } catch (error) {
      const { status, githubMessage: message } = readFailure(error);
      results.push({ target: label, ok: false, status, message });
      const hint =
        status === 404 || status === 403
          ? "eventType" in target
            ? " (the token needs contents: write on that repository, and the App must be installed there)"
            : " (the token needs actions: write, and the workflow file must exist on that ref with a workflow_dispatch trigger)"
          : "";
      logger?.warn("Could not send %s: %s%s%s", label, status ? `HTTP ${status} ` : "", message, hint);
    }
  }
  return results;
}

function describeTarget(target: DispatchTarget, owner: string, repo: string): string {
  const where = splitRepository(target.repository, owner, repo);
  return "eventType" in target
    ? `repository_dispatch "${target.eventType}" to ${where.owner}/${where.repo}`
    : `workflow_dispatch ${target.workflow}@${target.ref} in ${where.owner}/${where.repo}`;
}
