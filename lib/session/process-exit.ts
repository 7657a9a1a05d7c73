// Every release session ends with its tokens revoked, however the process ends
// (docs/architecture.md "Token lifetime"; semantic-release's own step order: docs/semantic-release.md §1.3, §6).
//
// - `beforeExit`: the semantic-release CLI sets process.exitCode and lets the event loop drain, so
//   sessions still open here (another plugin's success or fail still used an exported token, or
//   semantic-release skipped our last step) end normally, with an async revoke.
// - `exit`: nothing async runs any more (another plugin called process.exit, or an uncaught
//   exception): each session revokes synchronously through a short-lived child process.
// - SIGINT, SIGTERM, SIGHUP: GitHub Actions cancels a job with SIGINT, then SIGTERM about 7.5 s later
//   (https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-workflow-runs/canceling-a-workflow).
//   The first signal ends every session, then exits with 128 + the signal's number; a second signal
//   while the revoke is in flight is ignored, so it cannot cut the revoke short.
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../definitions/constants.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:session`);

export interface Endable {
  end(reason: string): Promise<void>;
  endSync(): void;
}

const EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof EXIT_CODES;

/**
 * The live sessions of this process (several when a monorepo tool releases packages in one process)
 * and the process listeners that end them; the listeners exist only while a session is live.
 */
export class SessionWatch {
  readonly #live = new Set<Endable>();
  #stopping: HandledSignal | undefined;

  readonly #onBeforeExit = () => void this.#endAll("the process is ending");
  readonly #onExit = () => {
    for (const session of [...this.#live]) session.endSync();
  };
  readonly #onSignal = (signal: HandledSignal) => {
    if (this.#stopping) {
      debug("%s received while ending the release sessions after %s: finishing the revoke first", signal, this.#stopping);
      return;
    }
    this.#stopping = signal;
    void this.#endAll(`${signal} received`).finally(() => process.exit(EXIT_CODES[signal]));
  };

  add(session: Endable): void {
    if (this.#live.size === 0) {
      process.on("beforeExit", this.#onBeforeExit);
      process.on("exit", this.#onExit);
      for (const signal of Object.keys(EXIT_CODES) as HandledSignal[]) process.on(signal, this.#onSignal);
    }
    this.#live.add(session);
  }

  delete(session: Endable): void {
    if (!this.#live.delete(session) || this.#live.size > 0 || this.#stopping) return;
    process.removeListener("beforeExit", this.#onBeforeExit);
    process.removeListener("exit", this.#onExit);
    for (const signal of Object.keys(EXIT_CODES) as HandledSignal[]) process.removeListener(signal, this.#onSignal);
  }

  async #endAll(reason: string): Promise<void> {
    await Promise.all([...this.#live].map((session) => session.end(reason)));
  }
}
