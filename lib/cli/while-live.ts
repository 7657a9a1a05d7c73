// The lifetime of a token a command mints (doctor, bootstrap-tags): revoked when the command ends,
// however it ends. exec forwards signals to its child instead (lib/cli/exec.ts SignalRelay).
import { constants } from "node:os";
import type { ReleaseToken } from "../token/index.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `task`, then revokes the token whatever happened: also when a signal ends the command (revoke,
 * then exit with 128 + n) or the process exits early (lib/token/revoke-sync.ts, the last resort).
 */
export async function whileLive<T>(token: ReleaseToken, task: () => Promise<T>): Promise<T> {
  const onExit = () => token.revokeSync();
  const onSignal = (signal: NodeJS.Signals) => void token.revoke().finally(() => process.exit(128 + (constants.signals[signal] ?? 0)));
  process.on("exit", onExit);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    return await task();
  } finally {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    await token.revoke();
    process.removeListener("exit", onExit);
  }
}
