import { describe, expect, it } from "vitest";
import type { ClientCertAuth } from "../../../worker/core/table/types.ts";
import { enforcePolicies } from "../../../worker/policy/index.ts";
import { request, route } from "./fixtures.ts";

const DN = "CN=client.example.com,O=Example Corp,C=US";
const FINGERPRINT = "3a4f0e0b7d1f2c9a8e6b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a99887766554f";

/** What Cloudflare puts in `request.cf.tlsClientAuth` for a certificate it verified. */
function presented(overrides: Record<string, string> = {}): Record<string, unknown> {
  return {
    tlsClientAuth: {
      certPresented: "1",
      certVerified: "SUCCESS",
      certRevoked: "0",
      certSubjectDN: "CN=client.example.com, O=Example Corp, C=US",
      certSubjectDNRFC2253: DN,
      certFingerprintSHA256: FINGERPRINT,
      ...overrides,
    },
  };
}

async function decide(auth: ClientCertAuth, cf?: Record<string, unknown>) {
  const decision = await enforcePolicies({
    request: request({ cf }),
    route: route({ clientCert: auth }),
    clientIp: "192.0.2.1",
    env: {},
  });
  return decision.allow ? 200 : decision.response.status;
}

describe("client certificate", () => {
  it("accepts a verified certificate when the route pins nothing else", async () => {
    expect(await decide({}, presented())).toBe(200);
  });

  it.each([
    ["no cf object at all", undefined],
    ["a cf object without tlsClientAuth", { country: "GB" }],
    ["no certificate presented (Miniflare's default)", { tlsClientAuth: { certPresented: "0", certVerified: "NONE" } }],
    ["verification NONE", presented({ certVerified: "NONE" })],
    ["verification FAILED", presented({ certVerified: "FAILED:self signed certificate" })],
    ["a revoked certificate", presented({ certRevoked: "1" })],
    ["a tlsClientAuth that is not an object", { tlsClientAuth: "SUCCESS" }],
  ])("refuses %s with 403", async (_, cf) => {
    expect(await decide({}, cf)).toBe(403);
  });

  it("matches the subject DN in RFC 2253 form or in Cloudflare's legacy spacing", async () => {
    expect(await decide({ subjectDn: DN }, presented())).toBe(200);
    expect(await decide({ subjectDn: "CN=client.example.com, O=Example Corp, C=US" }, presented())).toBe(200);
  });

  it("refuses another subject DN, and a DN that only differs in case", async () => {
    expect(await decide({ subjectDn: "CN=other.example.com,O=Example Corp,C=US" }, presented())).toBe(403);
    expect(await decide({ subjectDn: DN.toLowerCase() }, presented())).toBe(403);
  });

  it("matches a pinned SHA-256 fingerprint whatever the case and colons Cloudflare uses", async () => {
    const colons = (FINGERPRINT.toUpperCase().match(/../g) ?? []).join(":");
    expect(await decide({ fingerprintsSha256: ["00".repeat(32), FINGERPRINT] }, presented())).toBe(200);
    expect(await decide({ fingerprintsSha256: [FINGERPRINT] }, presented({ certFingerprintSHA256: colons }))).toBe(200);
  });

  it("refuses a verified certificate whose fingerprint is not pinned, or when the DN matches but not the fingerprint", async () => {
    expect(await decide({ fingerprintsSha256: ["00".repeat(32)] }, presented())).toBe(403);
    expect(await decide({ subjectDn: DN, fingerprintsSha256: ["00".repeat(32)] }, presented())).toBe(403);
    expect(await decide({ fingerprintsSha256: [FINGERPRINT] }, presented({ certFingerprintSHA256: "" }))).toBe(403);
  });

  it("does not let a client certificate stand in for a failed verification, even with matching pins", async () => {
    expect(
      await decide({ subjectDn: DN, fingerprintsSha256: [FINGERPRINT] }, presented({ certVerified: "NONE" })),
    ).toBe(403);
  });
});
