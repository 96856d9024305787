/**
 * @module The gateway's own failures. Phases throw only GatewayError; `fail` turns it into the code's page
 * (worker/answers.ts, where every code has its status and heading). Anything else is a bug and becomes a 502
 * "GatewayBug" page — never an exception page or a bare 500.
 */
import { ANSWERS, type GatewayErrorCode } from "../answers.ts";

export type { GatewayErrorCode } from "../answers.ts";

/** What only the operator sees, and a status other than the code's. */
export interface GatewayErrorOptions {
  /** Overrides the status of the code (NoRoute answers 404 when the table says so). */
  status?: number;
  /** The internal detail (KV, fetch or runtime messages, addresses, Service names): logged, never on the page. */
  detail?: string;
}

/** `message` is shown to the client, so it never carries internals; those go in `detail`, which is logged. */
export class GatewayError extends Error {
  override name = "GatewayError";
  readonly code: GatewayErrorCode;
  readonly status: number;
  readonly detail: string | undefined;

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = options.status ?? ANSWERS[code].status;
    this.detail = options.detail;
  }
}
