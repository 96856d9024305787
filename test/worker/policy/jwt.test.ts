import {
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  UnsecuredJWT,
  type JWK,
  type JWTPayload,
} from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { JwtAuth } from "../../../worker/core/table/types.ts";
import { enforcePolicies, type KeyResolver, type PolicyDecision } from "../../../worker/policy/index.ts";
import { request, route } from "./fixtures.ts";

const ISSUER = "https://id.example.com/";
const AUDIENCE = "shop-api";
const JWKS_URL = "https://id.example.com/.well-known/jwks.json";

const auth: JwtAuth = {
  jwksUrl: JWKS_URL,
  issuer: ISSUER,
  audience: [AUDIENCE, "other-api"],
  algorithms: ["RS256"],
  clockToleranceSeconds: 30,
  forwardClaims: [
    { claim: "sub", header: "X-User" },
    { claim: "email", header: "X-User-Email" },
    { claim: "groups", header: "X-User-Groups" },
  ],
};

let signingKey: CryptoKey;
let publicPem: string;
let otherKey: CryptoKey;
let keysFor: KeyResolver;
/** Which JWKS URLs the policy asked for. */
let asked: string[];

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  signingKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  otherKey = (await generateKeyPair("RS256")).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const keySet = createLocalJWKSet({ keys: [jwk] });
  keysFor = (url) => {
    asked.push(url);
    return keySet;
  };
});

afterEach(() => vi.restoreAllMocks());

function token(
  claims: JWTPayload = {},
  key: CryptoKey = signingKey,
  expiresIn: string | number = "5m",
): Promise<string> {
  return new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

async function decide(
  authorization: string | null,
  jwt: JwtAuth = auth,
  resolver: KeyResolver = keysFor,
): Promise<PolicyDecision> {
  asked = [];
  const headers: Record<string, string> = authorization === null ? {} : { Authorization: authorization };
  return enforcePolicies(
    { request: request({ headers }), route: route({ jwt }), clientIp: "192.0.2.1", env: {} },
    { keysFor: resolver },
  );
}

/** Status, WWW-Authenticate and body of a refusal. */
async function refusal(decision: PolicyDecision) {
  if (decision.allow) throw new Error("expected a refusal, the request was allowed");
  const r = decision.response;
  return {
    status: r.status,
    challenge: r.headers.get("WWW-Authenticate"),
    cache: r.headers.get("Cache-Control"),
    body: await r.text(),
  };
}

describe("jwt: valid tokens", () => {
  it("allows a valid token, forwards the configured claims and always strips client copies", async () => {
    const decision = await decide(`Bearer ${await token({ email: "alice@example.com", groups: ["admins", "ops"] })}`);
    expect(decision).toEqual({
      allow: true,
      setHeaders: [
        ["X-User", "alice"],
        ["X-User-Email", "alice@example.com"],
        ["X-User-Groups", '["admins","ops"]'],
      ],
      removeHeaders: ["X-User", "X-User-Email", "X-User-Groups"],
    });
    expect(asked).toEqual([JWKS_URL]);
  });

  it("removes a forward-claim header even when the token lacks that claim", async () => {
    const decision = await decide(`Bearer ${await token()}`);
    expect(decision).toEqual({
      allow: true,
      setHeaders: [["X-User", "alice"]],
      removeHeaders: ["X-User", "X-User-Email", "X-User-Groups"],
    });
  });

  it("percent-encodes claim characters that cannot appear in a header value", async () => {
    const decision = await decide(`Bearer ${await token({ sub: "zoë\r\nX-Admin: 1", email: "a\ud800b" })}`);
    if (!decision.allow) throw new Error("expected allow");
    expect(decision.setHeaders).toEqual([
      ["X-User", "zo%C3%AB%0D%0AX-Admin: 1"],
      ["X-User-Email", "a%EF%BF%BDb"],
    ]);
    // Every value must be acceptable to Headers (the pipeline sets them on the upstream request).
    const headers = new Headers(decision.setHeaders);
    expect(headers.get("X-User")).toBe("zo%C3%AB%0D%0AX-Admin: 1");
  });

  it("accepts the scheme in any case and a token just expired within the clock tolerance", async () => {
    expect((await decide(`bearer ${await token()}`)).allow).toBe(true);
    const justExpired = await token({}, signingKey, Math.floor(Date.now() / 1000) - 10);
    expect((await decide(`Bearer ${justExpired}`)).allow).toBe(true);
  });

  it("accepts any of the route's audiences and no issuer check when none is configured", async () => {
    const other = await new SignJWT({ sub: "bob" })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setAudience("other-api")
      .setExpirationTime("5m")
      .sign(signingKey);
    expect((await decide(`Bearer ${other}`, { ...auth, issuer: undefined })).allow).toBe(true);
  });
});

describe("jwt: refused tokens", () => {
  const challenge = (description: string) =>
    `Bearer realm="shop.example.com", error="invalid_token", error_description="${description}"`;

  it("asks for a token when there is none, without an error code (RFC 6750 §3.1)", async () => {
    for (const header of [null, "Basic YWxpY2U6c2VjcmV0"]) {
      const r = await refusal(await decide(header));
      expect(r).toMatchObject({ status: 401, challenge: 'Bearer realm="shop.example.com"', cache: "no-store" });
    }
  });

  it("refuses an expired token", async () => {
    const expired = await token({}, signingKey, Math.floor(Date.now() / 1000) - 120);
    expect(await refusal(await decide(`Bearer ${expired}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token expired"),
    });
  });

  it("refuses a token that is not valid yet beyond the tolerance", async () => {
    const early = await new SignJWT({ sub: "alice" })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setNotBefore(Math.floor(Date.now() / 1000) + 600)
      .setExpirationTime("1h")
      .sign(signingKey);
    expect(await refusal(await decide(`Bearer ${early}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token is not valid yet"),
    });
  });

  it("refuses a wrong issuer and a wrong audience", async () => {
    const wrongIss = await token({ iss: "https://evil.example.net/" });
    expect(await refusal(await decide(`Bearer ${wrongIss}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token issuer is not accepted"),
    });
    const wrongAud = await token({ aud: "billing-api" });
    expect(await refusal(await decide(`Bearer ${wrongAud}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token audience is not accepted"),
    });
  });

  it("refuses an unsigned token (alg none)", async () => {
    const unsigned = new UnsecuredJWT({ sub: "alice" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .encode();
    expect(await refusal(await decide(`Bearer ${unsigned}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token signing algorithm is not accepted"),
    });
  });

  it("refuses an HS256 token whose HMAC secret is the public key (algorithm confusion)", async () => {
    const forged = await new SignJWT({ sub: "admin" })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(publicPem));
    expect(await refusal(await decide(`Bearer ${forged}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token signing algorithm is not accepted"),
    });
  });

  it("refuses a token signed by another key, whether it names the known key id or an unknown one", async () => {
    const sameKid = await token({}, otherKey);
    expect(await refusal(await decide(`Bearer ${sameKid}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token signature could not be verified"),
    });
    const otherKid = await new SignJWT({ sub: "alice" })
      .setProtectedHeader({ alg: "RS256", kid: "k9" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(otherKey);
    expect(await refusal(await decide(`Bearer ${otherKid}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token signature could not be verified"),
    });
  });

  it("refuses a token whose signature was tampered with", async () => {
    const [header, , signature] = (await token()).split(".");
    const forgedClaims = btoa(JSON.stringify({ sub: "admin", iss: ISSUER, aud: AUDIENCE, exp: 9999999999 })).replace(
      /=+$/,
      "",
    );
    const tampered = `${header}.${forgedClaims}.${signature}`;
    expect(await refusal(await decide(`Bearer ${tampered}`))).toMatchObject({
      status: 401,
      challenge: challenge("The access token signature could not be verified"),
    });
  });

  it.each([
    ["garbage", "Bearer garbage"],
    ["three garbage segments", "Bearer a.b.c"],
    ["an empty token", "Bearer "],
    ["two tokens", "Bearer a.b.c d.e.f"],
    ["a header of non-base64 JSON", `Bearer ${btoa('{"alg":"RS256"').replace(/=+$/, "")}.e30.e30`],
    ["a token with non-ASCII bytes", "Bearer \u00ff\u00fe.\u00fd.x"],
  ])("refuses %s with invalid_token", async (_, header) => {
    const r = await refusal(await decide(header));
    expect(r.status).toBe(401);
    expect(r.challenge).toMatch(
      /^Bearer realm="shop\.example\.com", error="invalid_token", error_description="[^"\\]+"$/,
    );
    expect(r.body).not.toMatch(/ERR_|jose|stack/i);
  });

  it("refuses a token signed with an algorithm the route does not pin", async () => {
    const es = await generateKeyPair("ES256");
    const esToken = await new SignJWT({ sub: "alice" })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(es.privateKey);
    expect((await refusal(await decide(`Bearer ${esToken}`))).challenge).toBe(
      challenge("The access token signing algorithm is not accepted"),
    );
  });
});

describe("jwt: configuration faults fail closed", () => {
  it("answers 503 and logs when the key set cannot be loaded", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const down: KeyResolver = () => async () => {
      throw new TypeError("Network connection lost.");
    };
    const r = await refusal(await decide(`Bearer ${await token()}`, auth, down));
    expect(r).toMatchObject({ status: 503, challenge: null, cache: "no-store" });
    expect(r.body).not.toContain("Network connection lost");
    expect(log).toHaveBeenCalledOnce();
    expect(String(log.mock.calls[0]?.[0])).toContain(JWKS_URL);
  });

  it("answers 503 when the route pins only HMAC algorithms (never verifies with a shared secret)", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const r = await refusal(await decide(`Bearer ${await token()}`, { ...auth, algorithms: ["HS256"] }));
    expect(r.status).toBe(503);
    expect(log).toHaveBeenCalledOnce();
  });
});

describe("jwt: remote key sets", () => {
  it("answers 503, not 401, when the table holds a JWKS URL that does not parse", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    // No keysFor: the production resolver (createRemoteJWKSet) is used.
    const decision = await enforcePolicies({
      request: request({ headers: { Authorization: `Bearer ${await token()}` } }),
      route: route({ jwt: { ...auth, jwksUrl: "not a url" } }),
      clientIp: "192.0.2.1",
      env: {},
    });
    expect(await refusal(decision)).toMatchObject({ status: 503, challenge: null });
    expect(String(log.mock.calls[0]?.[0])).toContain("not a url");
  });
});

describe("jwt: RFC 8725 defaults", () => {
  it("refuses a token without exp (a token valid forever)", async () => {
    const forever = await new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuedAt()
      .sign(signingKey);
    const r = await refusal(await decide(`Bearer ${forever}`));
    expect(r.status).toBe(401);
    expect(r.challenge).toContain('error_description="The access token has no expiry"');
  });

  it("checks the typ header when the route names one (RFC 9068 at+jwt)", async () => {
    const typed = (typ: string) =>
      new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE })
        .setProtectedHeader({ alg: "RS256", kid: "k1", typ })
        .setExpirationTime("5m")
        .sign(signingKey);
    const route = { ...auth, type: "at+jwt" };
    expect((await decide(`Bearer ${await typed("at+jwt")}`, route)).allow).toBe(true);
    expect((await decide(`Bearer ${await typed("application/at+jwt")}`, route)).allow).toBe(true);
    const r = await refusal(await decide(`Bearer ${await typed("JWT")}`, route));
    expect(r.challenge).toContain("The access token type is not accepted");
  });

  it.each([
    "https://169.254.169.254/jwks",
    "https://0xa9fea9fe/jwks",
    "https://[::ffff:a9fe:a9fe]/jwks",
    "http://127.1/jwks",
  ])("answers 502 and never asks for the key set %s, which the table should never have held", async (jwksUrl) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const r = await refusal(await decide(`Bearer ${await token()}`, { ...auth, jwksUrl }));
    expect(r.status).toBe(502);
    expect(r.body).not.toContain(new URL(jwksUrl).hostname);
    expect(asked).toEqual([]);
    expect(String(log.mock.calls[0]?.[0])).toMatch(/not a permitted target; answering 502/);
  });
});
