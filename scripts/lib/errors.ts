/**
 * @module The one error type the CLI shows without a stack trace. Anything the user can fix (bad input, bad
 * options, a wrangler call that failed because of auth or network) is a {@link UserError} and exits 1;
 * any other exception is a bug in edgeroute and exits 2 (stack trace only with `--debug`).
 */

/** A problem the user can fix; `message` says what is wrong and what is allowed. */
export class UserError extends Error {
  override name = "UserError";
}

/** The message of anything thrown, for error lines. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
