/**
 * @module Local stand-ins of the servers that check opaque bearer tokens, for the demo and the end-to-end tests:
 * - the OpenShift cluster API's `GET /apis/user.openshift.io/v1/users/~` (200 with the User, 401 `Status` for an
 *   unknown token) and `POST /apis/authentication.k8s.io/v1/tokenreviews` (allowed for the reviewer token only);
 * - an RFC 7662 introspection endpoint (`POST`, form `token=…`, HTTP Basic client credentials).
 * Each counts the calls it receives; tokens can be added and revoked while it runs.
 *
 * Run alone (`npm run stand-in -- [--port 8086]`), it serves the cluster API stand-in with one demo user and prints
 * that user's token, which is what `oc whoami -t` prints for a real cluster.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";

export interface StandInUser {
  name: string;
  groups: string[];
  /** A scoped token without `user:info`: the user API answers 403 (TokenReview still authenticates it). */
  scoped?: boolean;
}

/** An introspection answer for an active token (RFC 7662 §2.2 members; `exp` in seconds since the epoch). */
export interface ActiveToken {
  username?: string;
  sub?: string;
  scope?: string;
  aud?: string | string[];
  exp?: number;
  groups?: string[];
}

export interface StandIn<T> {
  url: string;
  port: number;
  /** Calls received, in order (method and path only: the stand-in keeps no tokens in its log). */
  calls: { method: string; path: string }[];
  /** The tokens it accepts: add or delete (revoke) while it runs. */
  tokens: Map<string, T>;
  close(): Promise<void>;
}

// Written out here rather than imported from the gateway: the stand-in plays the cluster, independently of the code
// under test, so a wrong path in the gateway fails the tests.
export const OPENSHIFT_USER_PATH = "/apis/user.openshift.io/v1/users/~";
export const TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

/** The cluster API's user and TokenReview endpoints. `reviewerToken` may create TokenReviews. */
export function startOpenShiftStandIn(options: {
  users: Record<string, StandInUser>;
  reviewerToken?: string;
  port?: number;
}): Promise<StandIn<StandInUser>> {
  const tokens = new Map(Object.entries(options.users));
  return serve(tokens, options.port ?? 0, async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === OPENSHIFT_USER_PATH) {
      const user = tokens.get(bearerOf(req) ?? "");
      if (user === undefined) return json(res, 401, unauthorized());
      if (user.scoped === true) {
        return json(res, 403, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403 });
      }
      return json(res, 200, {
        kind: "User",
        apiVersion: "user.openshift.io/v1",
        metadata: { name: user.name },
        identities: [`htpasswd:${user.name}`],
        groups: user.groups,
      });
    }
    if (req.method === "POST" && path === TOKEN_REVIEW_PATH) {
      if (options.reviewerToken === undefined || bearerOf(req) !== options.reviewerToken) {
        return json(res, 401, unauthorized());
      }
      const review = JSON.parse(await bodyOf(req)) as { spec?: { token?: string } };
      const user = tokens.get(review.spec?.token ?? "");
      const status =
        user === undefined
          ? { authenticated: false, error: "token not found" }
          : { authenticated: true, user: { username: user.name, uid: `uid-${user.name}`, groups: user.groups } };
      return json(res, 201, { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: {}, status });
    }
    json(res, 404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
  });
}

/** An RFC 7662 introspection endpoint on any path, for the client `clientId`/`clientSecret` (HTTP Basic). */
export function startIntrospectionStandIn(options: {
  clientId: string;
  clientSecret: string;
  tokens: Record<string, ActiveToken>;
  port?: number;
}): Promise<StandIn<ActiveToken>> {
  const tokens = new Map(Object.entries(options.tokens));
  return serve(tokens, options.port ?? 0, async (req, res) => {
    if (req.method !== "POST") return json(res, 405, { error: "invalid_request" });
    const client = basicCredentials(req);
    if (client?.id !== options.clientId || client.secret !== options.clientSecret) {
      return json(res, 401, { error: "invalid_client" });
    }
    if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return json(res, 400, { error: "invalid_request" });
    }
    const token = new URLSearchParams(await bodyOf(req)).get("token") ?? "";
    const answer = tokens.get(token);
    json(res, 200, answer === undefined ? { active: false } : { active: true, ...answer });
  });
}

async function serve<T>(
  tokens: Map<string, T>,
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<StandIn<T>> {
  const calls: { method: string; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    calls.push({ method: req.method ?? "", path: (req.url ?? "").split("?")[0] ?? "" });
    handle(req, res).catch(() => json(res, 400, { error: "invalid_request" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    calls,
    tokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function bearerOf(req: IncomingMessage): string | undefined {
  return /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
}

/**
 * HTTP Basic client credentials as RFC 6749 §2.3.1 defines them: id and secret each form-urlencoded, joined by
 * the first `:` (https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1).
 */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const encoded = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (encoded === undefined) return undefined;
  const text = Buffer.from(encoded, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  const decode = (part: string): string => decodeURIComponent(part.replaceAll("+", " "));
  return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

/** The cluster API's answer to an unknown, expired or revoked token. */
function unauthorized(): unknown {
  return {
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message: "Unauthorized",
    reason: "Unauthorized",
    code: 401,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: "string", default: "8086" } } });
  // The shape of an OpenShift OAuth access token: `sha256~` and 43 base64url characters.
  const token = `sha256~${randomBytes(32).toString("base64url")}`;
  const standIn = await startOpenShiftStandIn({
    users: { [token]: { name: "developer", groups: ["developers", "system:authenticated:oauth"] } },
    port: Number(values.port),
  });
  process.stdout.write(
    `OpenShift cluster API stand-in on ${standIn.url} (GET ${OPENSHIFT_USER_PATH})\n` +
      `user developer (groups developers, system:authenticated:oauth), token:\n${token}\n`,
  );
  const stop = (): void => void standIn.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
