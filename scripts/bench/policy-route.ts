/**
 * @module The end-to-end benchmark's route with policies: one extra Route (and its Service) beside the generated
 * table, with an IP allowlist, a JWT check whose key set the isolate has cached after the first request, and
 * request and response header actions, so that what the policies cost per request is measured next to the plain
 * route (BENCHMARKS.md, end to end). The key set is served by a small JWKS server on 127.0.0.1 that this module
 * starts; every request carries the same valid token (a cached key set, a token verified on every request).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { KeyList } from "./load.ts";
import { type BackendAddress, serviceObject } from "./routeset.ts";

const NAMESPACE = "bench-policy";
const HOST = "policy.bench.example.com";
const ISSUER = "https://id.bench.example.com/";
const AUDIENCE = "bench-api";

export interface PolicyRoute {
  /** The Service and the Route, to publish with the generated table. */
  objects: Record<string, unknown>[];
  /** `count` distinct request keys under the route, each with the bearer token. */
  keys(count: number): KeyList[];
  /** JWKS fetches so far (the key set is cached: one per isolate, or a few). */
  jwksFetches(): number;
  stop(): Promise<void>;
}

/** Starts the JWKS server and builds the route that uses it; `backend` as for the generated Services. */
export async function startPolicyRoute(backend: BackendAddress): Promise<PolicyRoute> {
  const pair = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "bench", alg: "RS256", use: "sig" };
  let fetches = 0;
  const server = createServer((_request, response) => {
    fetches++;
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const token = await new SignJWT({ email: "bench@example.com" })
    .setProtectedHeader({ alg: "RS256", kid: "bench" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject("bench-user")
    .setIssuedAt()
    .setExpirationTime("24h")
    .sign(pair.privateKey);
  const route = {
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: {
      name: "api",
      namespace: NAMESPACE,
      annotations: {
        // Local workerd sees every wrk request from 127.0.0.1 (CF-Connecting-IP).
        "haproxy.router.openshift.io/ip_allowlist": "127.0.0.0/8 ::1 10.0.0.0/8",
        "auth.edgeroute.dev/jwt-jwks-url": jwksUrl,
        "auth.edgeroute.dev/jwt-issuer": ISSUER,
        "auth.edgeroute.dev/jwt-audience": AUDIENCE,
        "auth.edgeroute.dev/jwt-forward-claims": "sub=X-User,email=X-User-Email",
      },
    },
    spec: {
      host: HOST,
      port: { targetPort: "http" },
      to: { kind: "Service", name: "api", weight: 100 },
      httpHeaders: {
        actions: {
          request: [{ name: "X-Bench", action: { type: "Set", set: { value: "policy" } } }],
          response: [{ name: "X-Served-By", action: { type: "Set", set: { value: "edgeroute" } } }],
        },
      },
    },
  };
  return {
    objects: [serviceObject(NAMESPACE, "api", backend), route],
    keys: (count) =>
      Array.from({ length: count }, (_, n) => ({
        host: HOST,
        path: `/items/x${n}`,
        headers: { Authorization: `Bearer ${token}` },
      })),
    jwksFetches: () => fetches,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
