/**
 * @module The gateway's own failures. Phases throw only GatewayError; `fail` turns it into the code's page
 * (worker/answers.ts, where every code has its status and heading). Anything else is a bug and becomes a 502
 * "GatewayBug" page — never an exception page or a bare 500.
 */
import { ANSWERS, type GatewayErrorCode } from "../answers.ts";

export type { GatewayErrorCode } from "../answers.ts";

export class GatewayError extends Error {
  override name = "GatewayError";
  readonly code: GatewayErrorCode;
  /** Overrides the status of the code (NoRoute answers 404 when the table says so). */
  readonly status: number;

  constructor(code: GatewayErrorCode, message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status ?? ANSWERS[code].status;
  }
}
