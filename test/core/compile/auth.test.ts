import { describe, expect, it } from "vitest";
import { authRefused as refused, only, problems, route, run, SECURE, service, withAuth } from "./fixtures.ts";

const J = "auth.edgeroute.dev/";
/** RFC 8725 §3.8/§3.9: a JWT route names its issuer and audience (or opts out explicitly). */
const REQ = { [`${J}jwt-issuer`]: "https://issuer.example.com/", [`${J}jwt-audience`]: "shop" };
const JWKS = { [`${J}jwt-jwks-url`]: "https://issuer.example.com/.well-known/jwks.json", ...REQ };

describe("JWT annotations", () => {
  it("compiles a full JWT configuration", () => {
    const r = only(
      withAuth({
        ...JWKS,
        [`${J}jwt-issuer`]: "https://issuer.example.com/",
        [`${J}jwt-audience`]: "shop, admin",
        [`${J}jwt-algorithms`]: "ES256,ES384",
        [`${J}jwt-clock-tolerance`]: "0",
        [`${J}jwt-forward-claims`]: "sub=X-User,email=X-Email",
      }).admitted,
    );
    expect(r.jwt).toEqual({
      jwksUrl: "https://issuer.example.com/.well-known/jwks.json",
      issuer: "https://issuer.example.com/",
      audience: ["shop", "admin"],
      algorithms: ["ES256", "ES384"],
      clockToleranceSeconds: 0,
      forwardClaims: [
        { claim: "sub", header: "X-User" },
        { claim: "email", header: "X-Email" },
      ],
    });
  });

  it("defaults to RS256 and 30 s tolerance", () => {
    expect(only(withAuth(JWKS).admitted).jwt).toEqual({
      jwksUrl: JWKS[`${J}jwt-jwks-url`],
      issuer: "https://issuer.example.com/",
      audience: ["shop"],
      algorithms: ["RS256"],
      clockToleranceSeconds: 30,
      forwardClaims: [],
    });
  });

  it("fails closed on a missing or unsafe JWKS URL", () => {
    expect(refused({ ...REQ, [`${J}jwt-issuer`]: "me" }, "jwt-jwks-url")).toContain("JWKS URL is missing");
    expect(refused({ ...REQ, [`${J}jwt-jwks-url`]: "http://issuer.example.com/jwks" }, "jwt-jwks-url")).toContain(
      "https",
    );
    expect(
      refused({ ...REQ, [`${J}jwt-jwks-url`]: "https://user:pw@issuer.example.com/jwks" }, "jwt-jwks-url"),
    ).toContain("not a valid URL");
    expect(refused({ ...REQ, [`${J}jwt-jwks-url`]: "https://169.254.169.254/jwks" }, "jwt-jwks-url")).toContain(
      "link-local",
    );
    expect(
      refused({ ...REQ, [`${J}jwt-jwks-url`]: "http://127.0.0.1:9000/jwks" }, "jwt-jwks-url", { target: "remote" }),
    ).toContain("loopback");
  });

  it("refuses a JWKS URL by IP address in a remote table: a deployed Worker cannot fetch IP addresses", () => {
    const remote = { target: "remote" as const, allowPrivateEndpoints: true };
    const annotations = { ...JWKS, [`${J}jwt-jwks-url`]: "https://198.51.100.7/.well-known/jwks.json" };
    const result = run(
      [route("web", { annotations, tls: SECURE }), service("web", { hostname: "lb.example.com" })],
      remote,
    );
    expect(result.admitted).toEqual([]);
    expect(only(problems(result)).message).toContain("is an IP address, which a deployed Worker cannot fetch");
    expect(run([route("web", { annotations, tls: SECURE }), service("web")]).admitted).toHaveLength(1);
  });

  it("allows http for a loopback JWKS in a local table", () => {
    expect(only(withAuth({ ...REQ, [`${J}jwt-jwks-url`]: "http://127.0.0.1:9000/jwks" }).admitted).jwt?.jwksUrl).toBe(
      "http://127.0.0.1:9000/jwks",
    );
  });

  it.each([
    ["none", "never allowed"],
    ["HS256", "never allowed"],
    ["RS256,ES256", "mixes key types"],
    ["RS1", "not a supported algorithm"],
    [" , ", "names no algorithm"],
  ])("refuses algorithms %j", (value, fragment) => {
    expect(refused({ ...JWKS, [`${J}jwt-algorithms`]: value }, "jwt-algorithms")).toContain(fragment);
  });

  it("accepts RS and PS together (both RSA keys)", () => {
    expect(only(withAuth({ ...JWKS, [`${J}jwt-algorithms`]: "RS256,PS256" }).admitted).jwt?.algorithms).toEqual([
      "RS256",
      "PS256",
    ]);
  });

  it("refuses bad clock tolerance, claims, audience and unknown auth annotations", () => {
    expect(refused({ ...JWKS, [`${J}jwt-clock-tolerance`]: "301" }, "jwt-clock-tolerance")).toContain("0 to 300");
    expect(refused({ ...JWKS, [`${J}jwt-clock-tolerance`]: "-1" }, "jwt-clock-tolerance")).toContain("0 to 300");
    expect(refused({ ...JWKS, [`${J}jwt-forward-claims`]: "sub" }, "jwt-forward-claims")).toContain(
      "claim=Header-Name",
    );
    expect(refused({ ...JWKS, [`${J}jwt-forward-claims`]: "sub=Host" }, "jwt-forward-claims")).toContain(
      "cannot carry a claim",
    );
    expect(refused({ ...JWKS, [`${J}jwt-forward-claims`]: "sub=X-A,email=x-a" }, "jwt-forward-claims")).toContain(
      "used twice",
    );
    expect(refused({ ...JWKS, [`${J}jwt-audience`]: ",," }, "jwt-audience")).toContain("names no audience");
    expect(refused({ ...JWKS, [`${J}jwt-isuer`]: "typo" }, "jwt-isuer")).toContain("unknown authentication annotation");
  });

  it("requires an issuer and an audience unless explicitly waived (RFC 8725 §3.8, §3.9)", () => {
    const url = { [`${J}jwt-jwks-url`]: JWKS[`${J}jwt-jwks-url`] as string };
    const aud = { [`${J}jwt-audience`]: "shop" };
    const iss = { [`${J}jwt-issuer`]: "https://issuer.example.com/" };
    expect(refused({ ...url, ...aud }, "jwt-issuer")).toMatch(/is required on a JWT route.*jwt-any-issuer: "true"/);
    expect(refused({ ...url, ...iss }, "jwt-audience")).toMatch(/is required on a JWT route.*jwt-any-audience: "true"/);
    expect(refused({ ...url, ...aud, [`${J}jwt-any-issuer`]: "yes" }, "jwt-any-issuer")).toContain(
      'only value is "true"',
    );
    expect(refused({ ...JWKS, [`${J}jwt-any-audience`]: "true" }, "jwt-any-audience")).toContain("contradicts");

    const waived = withAuth({ ...url, [`${J}jwt-any-issuer`]: "true", [`${J}jwt-any-audience`]: "true" });
    expect(only(waived.admitted).jwt).toEqual({
      jwksUrl: url[`${J}jwt-jwks-url`],
      algorithms: ["RS256"],
      clockToleranceSeconds: 30,
      forwardClaims: [],
    });
    const warnings = problems(waived);
    expect(warnings.map((d) => [d.severity, d.field])).toEqual([
      ["warning", `metadata.annotations["${J}jwt-any-issuer"]`],
      ["warning", `metadata.annotations["${J}jwt-any-audience"]`],
    ]);
    expect(warnings[1]?.message).toContain("any other application");
  });

  it("pins the token type when jwt-type is set (RFC 8725 §3.11, RFC 9068)", () => {
    expect(only(withAuth({ ...JWKS, [`${J}jwt-type`]: "at+jwt" }).admitted).jwt?.type).toBe("at+jwt");
    expect(refused({ ...JWKS, [`${J}jwt-type`]: "at jwt" }, "jwt-type")).toContain("not a media type");
  });
});

describe("authentication over plain HTTP", () => {
  it.each([
    [undefined, "spec.tls"],
    [{ termination: "edge", insecureEdgeTerminationPolicy: "Allow" }, "spec.tls.insecureEdgeTerminationPolicy"],
  ])("warns when the route also answers plain HTTP (tls %j)", (tls, fieldPath) => {
    const jwt = run([route("web", { annotations: JWKS, ...(tls === undefined ? {} : { tls }) }), service("web")]);
    expect(jwt.admitted).toHaveLength(1);
    const d = only(problems(jwt));
    expect(d).toMatchObject({ severity: "warning", code: "InvalidTLSCombination", field: fieldPath });
    expect(d.message).toContain("clear text");
    const cert = run([
      route("web", { annotations: { [`${J}client-cert`]: "required" }, ...(tls === undefined ? {} : { tls }) }),
      service("web"),
    ]);
    expect(only(problems(cert)).message).toContain("only be presented over HTTPS");
  });
});

describe("client certificate annotations", () => {
  it("compiles required, subject and fingerprints (lowercased)", () => {
    const fp = "AB".repeat(32);
    const r = only(
      withAuth({
        [`${J}client-cert`]: "required",
        [`${J}client-cert-subject`]: "CN=client\\, one,O=Example+OU=Ops,C=US",
        [`${J}client-cert-sha256`]: `${fp}, ${"0".repeat(64)}`,
      }).admitted,
    );
    expect(r.clientCert).toEqual({
      subjectDn: "CN=client\\, one,O=Example+OU=Ops,C=US",
      fingerprintsSha256: ["ab".repeat(32), "0".repeat(64)],
    });
    expect(only(withAuth({ [`${J}client-cert`]: "required" }).admitted).clientCert).toEqual({});
    expect(only(withAuth({}).admitted).clientCert).toBeNull();
  });

  it("fails closed on invalid values", () => {
    expect(refused({ [`${J}client-cert`]: "optional" }, "client-cert")).toContain('only value is "required"');
    expect(refused({ [`${J}client-cert-subject`]: "CN=x" }, "client-cert")).toContain("needs");
    expect(
      refused({ [`${J}client-cert`]: "required", [`${J}client-cert-subject`]: "CN=a;b" }, "client-cert-subject"),
    ).toContain("RFC 2253");
    expect(
      refused({ [`${J}client-cert`]: "required", [`${J}client-cert-subject`]: "just text" }, "client-cert-subject"),
    ).toContain("RFC 2253");
    expect(
      refused({ [`${J}client-cert`]: "required", [`${J}client-cert-sha256`]: "ab:cd" }, "client-cert-sha256"),
    ).toContain("64-digit hex");
  });
});
