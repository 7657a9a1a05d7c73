// The one logger type: semantic-release's `context.logger` (a signale instance with the `log`,
// `warn`, `error` and `success` methods, https://github.com/semantic-release/semantic-release/blob/master/lib/get-logger.js).
// Every module that logs for people takes this, whole, as semantic-release hands it over.

/** semantic-release's context.logger: printf-style methods (`%s`, `%d`, as util.format). */
export interface Logger {
  log(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  success(message: string, ...args: unknown[]): void;
}
