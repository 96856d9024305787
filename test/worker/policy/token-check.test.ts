/**
 * The token check inside workerd: the Cache API layer shared by the isolates of a location (read and written here
 * with the real Cache API), the request-time forbidden-target rule and configuration faults. The servers themselves
 * are exercised end to end against local stand-ins in test/e2e/token-check.test.ts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TokenCheck } from "../../../worker/core/table/types.ts";
import { enforcePolicies } from "../../../worker/policy/index.ts";
import {
  type CachedVerdict,
  cacheRequest,
  remember,
  sharedCache,
  verdictKey,
} from "../../../worker/policy/token-cache.ts";
import { request, route } from "./fixtures.ts";

const CHECK: TokenCheck = {
  kind: "openshift-user",
  // Never called by these tests: the cache answers, or a rule refuses before any call.
  url: "http://127.0.0.1:9/apis/user.openshift.io/v1/users/~",
  allowedGroups: ["developers"],
  userHeader: "X-Forwarded-User",
  groupsHeader: "X-Forwarded-Groups",
  cacheSeconds: 60,
  negativeCacheSeconds: 5,
  timeoutMs: 1000,
};
const LOCAL = { ALLOW_LOOPBACK_TARGETS: "true" };

function decide(check: TokenCheck, token: string | null, env: Record<string, unknown> = LOCAL) {
  return enforcePolicies({
    request: request({ headers: token === null ? {} : { Authorization: `Bearer ${token}` } }),
    route: route({ tokenCheck: check }),
    clientIp: "192.0.2.4",
    env,
  });
}

/** Put an answer into the location's shared cache, as another isolate would have. */
async function shareVerdict(check: TokenCheck, token: string, entry: CachedVerdict): Promise<void> {
  const response = new Response(JSON.stringify(entry), { headers: { "Cache-Control": "max-age=60" } });
  await (await sharedCache()).put(cacheRequest(await verdictKey(check, token)), response);
}

const developer = (until: number): CachedVerdict => ({
  verdict: {
    active: true,
    user: "alice",
    groups: ["developers"],
    scopes: [],
    audience: [],
    expiresAt: null,
  },
  until,
});

afterEach(() => vi.restoreAllMocks());

describe("the shared (Cache API) layer", () => {
  it("answers for a token this isolate has never seen, without calling the server", async () => {
    await shareVerdict(CHECK, "sha256~shared-by-another-isolate", developer(Date.now() + 60_000));
    const decision = await decide(CHECK, "sha256~shared-by-another-isolate");
    expect(decision).toEqual({
      allow: true,
      setHeaders: [
        ["X-Forwarded-User", "alice"],
        ["X-Forwarded-Groups", "developers"],
      ],
      removeHeaders: ["X-Forwarded-User", "X-Forwarded-Groups"],
    });
  });

  it("never serves an entry past its own expiry, whatever the Cache API kept", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await shareVerdict(CHECK, "sha256~stale", developer(Date.now() - 1));
    // Without ALLOW_LOOPBACK_TARGETS the server may not be called: a 503 shows the gateway went to ask it.
    const decision = await decide(CHECK, "sha256~stale", {});
    expect(decision.allow ? 200 : decision.response.status).toBe(503);
    expect(String(errors.mock.calls[0]?.[0])).toContain("is a loopback address");
  });

  it("applies the route's own requirements to a remembered identity", async () => {
    await shareVerdict(CHECK, "sha256~auditor", {
      verdict: { active: true, user: "bob", groups: ["auditors"], scopes: [], audience: [], expiresAt: null },
      until: Date.now() + 60_000,
    });
    const decision = await decide(CHECK, "sha256~auditor");
    expect(decision.allow ? 200 : decision.response.status).toBe(403);
  });

  it("remembers a rejection as a 401", async () => {
    await shareVerdict(CHECK, "sha256~rejected", {
      verdict: { active: false, reason: "The access token is invalid or expired" },
      until: Date.now() + 5_000,
    });
    const decision = await decide(CHECK, "sha256~rejected");
    if (decision.allow) throw new Error("expected 401");
    expect(decision.response.status).toBe(401);
    expect(decision.response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("writes entries under a hash of the token, with the token nowhere in key or body", async () => {
    const token = "sha256~written-by-this-isolate";
    const key = await verdictKey(CHECK, token);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(await verdictKey({ ...CHECK, url: "https://other.example.com/" }, token));
    const writes: Promise<unknown>[] = [];
    remember(key, developer(Date.now() + 30_000), Date.now(), (p) => writes.push(p));
    await Promise.all(writes);
    const stored = await (await sharedCache()).match(cacheRequest(key));
    const text = (await stored?.text()) ?? "";
    expect(JSON.parse(text)).toMatchObject({ verdict: { active: true, user: "alice" } });
    expect(text).not.toContain(token);
    expect(cacheRequest(key).url).not.toContain(token);
  });
});

describe("the server is a target like any other", () => {
  it.each([
    ["a metadata address", "http://169.254.169.254/apis/user.openshift.io/v1/users/~", LOCAL, "link-local"],
    ["loopback outside local development", CHECK.url, {}, "loopback address, allowed only in local development"],
  ])("refuses %s at request time with 503, before any call", async (_, url, env, logged) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const decision = await decide({ ...CHECK, url }, "sha256~target-check", env);
    expect(decision.allow ? 200 : decision.response.status).toBe(503);
    expect(String(errors.mock.calls[0]?.[0])).toContain(logged);
  });
});

describe("configuration faults fail closed", () => {
  it("answers 503 and names the missing Worker secret", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const review: TokenCheck = { ...CHECK, kind: "openshift-token-review", secret: "REVIEWER_TOKEN" };
    const decision = await decide(review, "sha256~needs-review");
    expect(decision.allow ? 200 : decision.response.status).toBe(503);
    expect(String(errors.mock.calls[0]?.[0])).toContain(
      "needs the Worker secret REVIEWER_TOKEN, which is not set (wrangler secret put REVIEWER_TOKEN)",
    );
  });

  it("asks for a token before anything else", async () => {
    const decision = await decide(CHECK, null);
    if (decision.allow) throw new Error("expected 401");
    expect(decision.response.status).toBe(401);
    expect(decision.response.headers.get("WWW-Authenticate")).toBe('Bearer realm="shop.example.com"');
  });
});
