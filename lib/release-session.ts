// The state one release keeps between steps, and the promise that it ends with the token revoked
// and the environment restored (DESIGN.md "Token lifetime").
//
// semantic-release skips success/fail in --dry-run, calls neither when there is nothing to release,
// and calls fail only for SemanticReleaseErrors (semantic-release-internals §1.3, §6). So the session
// ends at the first of: the end of verifyRelease in --dry-run, success, fail, and a fallback that runs
// once when the process is about to end (`beforeExit`: the CLI sets process.exitCode and lets the
// loop drain) or is interrupted (SIGINT/SIGTERM). When the token was exported to later plugins
// (exportToken), success/fail leave it to the fallback: those plugins' own success/fail run after
// ours and still use it.
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "./definitions/constants.js";
import { applyGitAuth } from "./git/git-auth-env.js";
import { maskSecret } from "./mask-secret.js";
import type { BotIdentity } from "./token/bot-identity.js";
import type { ReleaseToken } from "./token/index.js";
import type { Logger } from "./logger.js";
import type { PreflightFacts, PreflightVerdict } from "./preflight/index.js";
import type { Env, ResolvedConfig } from "./types.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:session`);

/** Variables the exported token is written to, for the plugins listed after this one (@semantic-release/github reads GH_TOKEN || GITHUB_TOKEN, semantic-release-internals §7.2). */
const EXPORTED = ["GH_TOKEN", "GITHUB_TOKEN"] as const;
const GIT_CONFIG_VAR = /^GIT_CONFIG_(COUNT|KEY_\d+|VALUE_\d+)$/;

export class ReleaseSession {
  source: ReleaseToken | undefined;
  identity: BotIdentity | undefined;
  /** what verifyConditions read for the preflight and the latest verdict on it; undefined with preflight "off" */
  preflight: { facts: PreflightFacts; verdict: PreflightVerdict } | undefined;
  /** the commit mode of the release, "auto" settled in verifyConditions (and narrowed in verifyRelease) */
  commitMode: "git" | "api" = "git";
  /** whether a required_signatures rule applies (why "auto" chose "api") */
  signaturesRequired = false;
  /** true once end() was called: later steps start a new session */
  ended = false;

  readonly #env: NodeJS.ProcessEnv;
  #restoreGitAuth: (() => void) | undefined;
  #exportedBefore: Map<string, string | undefined> | undefined;
  #ending: Promise<void> | undefined;
  #logger: Logger;
  readonly #onBeforeExit = () => void this.end("the process is ending");
  readonly #onSignal = (signal: NodeJS.Signals) => {
    void this.end(`${signal} received`).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };

  constructor(
    readonly config: ResolvedConfig,
    readonly owner: string,
    readonly repo: string,
    logger: Logger,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.#logger = logger;
    this.#env = env;
    // The fallback is armed before the first token exists: whatever happens next, it ends the session.
    process.once("beforeExit", this.#onBeforeExit);
    process.once("SIGINT", this.#onSignal);
    process.once("SIGTERM", this.#onSignal);
  }

  /** Later steps log through their own context's logger. */
  useLogger(logger: Logger): void {
    this.#logger = logger;
  }

  /**
   * Called with every token as soon as it exists (first mint and each re-mint), before it is used:
   * mask it on GitHub Actions, route git's HTTP traffic to the server through it, export it.
   */
  readonly onToken = (token: string): void => {
    maskSecret(token, { env: this.#env });
    // what git sends (and prints with GIT_TRACE_REDACT=0) is the base64 of the header value: mask it
    // too, as actions/checkout does for its basic credential (github-facts §10)
    maskSecret(Buffer.from(`x-access-token:${token}`, "utf8").toString("base64"), { env: this.#env });
    const restore = applyGitAuth(this.#env, this.config.githubUrl, token);
    this.#restoreGitAuth ??= restore;
    if (this.config.exportToken && this.config.authMethod === "app") {
      this.#exportedBefore ??= new Map(EXPORTED.map((name) => [name, this.#env[name]]));
      for (const name of EXPORTED) this.#env[name] = token;
    }
  };

  /** The current token, re-minted first when fewer than 5 minutes are left; git auth follows through onToken. */
  async freshToken(): Promise<string> {
    if (!this.source) throw new Error("semantic-release-github-app: no token source (verifyConditions did not run)");
    return this.source.fresh();
  }

  /**
   * The environment for this plugin's own git commands: the step's env plus the current git auth
   * entries of the process (a re-mint within a step changes them after the step's env was copied).
   */
  gitEnv(stepEnv: Env): Env {
    const env: Env = { ...process.env, ...stepEnv };
    for (const name of Object.keys(env)) if (GIT_CONFIG_VAR.test(name)) delete env[name];
    for (const [name, value] of Object.entries(this.#env)) if (GIT_CONFIG_VAR.test(name)) env[name] = value;
    return env;
  }

  /** Whether success/fail should leave the end to the fallback: later plugins still use the exported token. */
  get handedToLaterPlugins(): boolean {
    return this.#exportedBefore !== undefined;
  }

  /** Restore the environment and revoke the token; once, whoever asks first. Never rejects. */
  end(reason: string): Promise<void> {
    this.#ending ??= this.#end(reason);
    return this.#ending;
  }

  async #end(reason: string): Promise<void> {
    this.ended = true;
    process.removeListener("beforeExit", this.#onBeforeExit);
    process.removeListener("SIGINT", this.#onSignal);
    process.removeListener("SIGTERM", this.#onSignal);
    debug("ending the session: %s", reason);
    this.#restoreGitAuth?.();
    if (this.#exportedBefore) {
      for (const [name, value] of this.#exportedBefore) {
        if (value === undefined) delete this.#env[name];
        else this.#env[name] = value;
      }
    }
    if (this.source) {
      try {
        await this.source.revoke();
      } catch (error) {
        this.#logger.warn("Could not revoke the token: %s", (error as Error).message);
      }
    }
  }
}
