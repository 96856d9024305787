/**
 * @module `auth.edgeroute.dev/client-cert`: require a client certificate that Cloudflare verified (mTLS).
 *
 * Cloudflare terminates TLS and reports what the client presented in `request.cf.tlsClientAuth`
 * (mTLS must be enabled for the hostname: SSL/TLS → Client Certificates → Hosts). The Worker only reads the
 * verdict: `certVerified` must be `SUCCESS` and the certificate not revoked, then the optional subject DN and
 * SHA-256 fingerprint pins of the route must match. Everything in `cf` is read defensively: a request without
 * a `cf` object (local tools, tests) is simply refused.
 */
import type { ClientCertAuth } from "../core/table/types.ts";
import type { PolicyCode } from "../answers.ts";
import type { Refusal } from "./refuse.ts";

/** Refuse the request unless it carries a verified client certificate matching the route's pins. */
export function checkClientCert(auth: ClientCertAuth | null, request: Request): Refusal | null {
  if (auth === null) return null;
  // Typed loosely on purpose: `cf` may be missing or hold anything, and this must never throw.
  const tls = record(record((request as { cf?: unknown }).cf)?.tlsClientAuth);
  if (tls === null || tls.certPresented !== "1") {
    return forbidden("ClientCertificateRequired", "This site requires a client certificate.");
  }
  // `certVerified` is "SUCCESS", "NONE" or "FAILED:<reason>"; the reason is Cloudflare's, not shown to clients.
  if (tls.certVerified !== "SUCCESS" || tls.certRevoked === "1") {
    return forbidden("ClientCertificateInvalid", "Your client certificate was not accepted.");
  }
  if (
    auth.subjectDn !== undefined &&
    tls.certSubjectDNRFC2253 !== auth.subjectDn &&
    tls.certSubjectDN !== auth.subjectDn
  ) {
    return forbidden("ClientCertificateNotAllowed", "Your client certificate is not allowed to use this site.");
  }
  if (
    auth.fingerprintsSha256 !== undefined &&
    !auth.fingerprintsSha256.includes(fingerprint(tls.certFingerprintSHA256))
  ) {
    return forbidden("ClientCertificateNotAllowed", "Your client certificate is not allowed to use this site.");
  }
  return null;
}

/** The route stores lowercase hex; accept Cloudflare's value in either case and with or without colons. */
function fingerprint(value: unknown): string {
  return typeof value === "string" ? value.replaceAll(":", "").toLowerCase() : "";
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
}

function forbidden(code: PolicyCode, message: string): Refusal {
  return { code, message };
}
