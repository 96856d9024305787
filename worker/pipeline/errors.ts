/**
 * @module The gateway's own failures: a stable PascalCase code, the HTTP status it maps to, and the page text.
 * Phases throw only GatewayError; `fail` turns it into a response. Anything else is a bug and becomes a 502
 * "GatewayBug" page — never an exception page or a bare 500.
 */

export type GatewayErrorCode =
  | "BadRequest"
  | "NoTable"
  | "NoRoute"
  | "NoBackend"
  | "ForbiddenTarget"
  | "UpstreamConnect"
  | "UpstreamTimeout"
  | "GatewayBug";

export const STATUS_BY_CODE: Record<GatewayErrorCode, number> = {
  BadRequest: 400,
  NoTable: 503,
  NoRoute: 503,
  NoBackend: 503,
  ForbiddenTarget: 502,
  UpstreamConnect: 502,
  UpstreamTimeout: 504,
  GatewayBug: 502,
};

export class GatewayError extends Error {
  override name = "GatewayError";
  readonly code: GatewayErrorCode;
  /** Overrides the status of the code (NoRoute answers 404 when the table says so). */
  readonly status: number;

  constructor(code: GatewayErrorCode, message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status ?? STATUS_BY_CODE[code];
  }
}
