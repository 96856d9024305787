/**
 * @module `routes explain URL [FILE|DIR|-]`: which route serves a URL and why, from the live table or from
 * manifests, with the routes that were considered and the backends (weights, endpoints). It runs the Worker's
 * own code: normalizeHost, normalizePath and explainRoute over tableLookup.
 */
import {
  canaryDecision,
  explainRoute,
  insecureRedirectLocation,
  redirectLocation,
  type RequestFacts,
  normalizeHost,
  normalizePath,
  shardsForHost,
  ShardLookup,
  shardReader,
  tableLookup,
  type Explanation,
  type RouteLookup,
} from "../../worker/core/index.ts";
import type { CompiledRoute, NotFoundStatus } from "../../worker/core/index.ts";
import { compileInputs } from "../lib/compile-inputs.ts";
import { stringOptions, stringOption } from "../lib/args.ts";
import { defineCommand, type CommandContext } from "../lib/define-command.ts";
import { UserError } from "../lib/errors.ts";
import { type EndpointHealth, endpointHealth, readHealth } from "../lib/health.ts";
import { readLiveState, readVersion } from "../lib/live-table.ts";
import {
  COMPILE_OPTIONS,
  KV_OPTIONS,
  OUTPUT_OPTIONS,
  TARGET_OPTIONS,
  ZONE_OPTIONS,
  kvTargetOf,
} from "../lib/options.ts";
import { formatTable } from "../lib/output.ts";
import {
  formatAuth,
  formatClusters,
  formatEndpoint,
  formatPath,
  formatSplit,
  formatTls,
  serviceName,
  share,
} from "../lib/route-format.ts";

export const explain = defineCommand({
  name: "explain",
  summary: "Show which route serves a URL, and why",
  usage: "URL [FILE|DIR|- ... | NAME=PATH ...] [options]",
  description: `
Resolves URL exactly as the Worker does (host and path normalisation, exact host before wildcard, longest path,
scheme rules and HTTPS redirects) against the live table, or against the given manifests compiled in memory.
Prints the outcome, the serving route's backends with weights and endpoints (from the live table also each
endpoint's health and whether the Worker sends requests there now), and every route of the host that was
considered with the reason it was or was not chosen. The URL must start with http:// or https://.
-X, -H and -b give the method, headers and cookies that HTTPRoute matches and canaries look at (as curl takes them).
Manifests may be labelled with their cluster (east=east.yaml west=west.yaml); endpoints then show their cluster
and failover priority.`,
  options: {
    method: { type: "string", short: "X", value: "METHOD", description: "Request method (default GET)" },
    header: {
      type: "string",
      short: "H",
      value: "'NAME: VALUE'",
      multiple: true,
      description: "Request header (repeatable)",
    },
    cookie: {
      type: "string",
      short: "b",
      value: "'NAME=VALUE'",
      multiple: true,
      description: "Request cookie (repeatable)",
    },
    ...TARGET_OPTIONS,
    ...KV_OPTIONS,
    ...COMPILE_OPTIONS,
    ...ZONE_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  examples: [
    "npm run routes -- explain https://shop.example.com/cart",
    "npm run routes -- explain https://shop.example.com/ -H 'X-Canary: always' -b 'canary=never'",
    "npm run routes -- explain http://api.example.com/v1/orders routes-config/",
    "npm run routes -- explain https://shop.example.com/ east=east.yaml west=west.yaml",
  ],
  async run(context) {
    const [url, ...inputs] = context.args.positionals;
    if (url === undefined) throw new UserError("explain needs a URL, e.g. https://shop.example.com/cart");
    const request = parseRequest(url, context);
    const from = inputs.length > 0 ? await fromManifests(context, inputs) : await fromLive(context, request.host);
    const explanation = explainRoute(from.lookup, request.host, request.path, request.https, request.facts);
    const resolution = explanation.resolution;
    const endpoints =
      from.health === undefined || resolution.outcome !== "route"
        ? undefined
        : endpointHealth(resolution.route, from.health, request.host);
    const { facts: _, ...shown } = request;
    context.out.result({ url, ...shown, source: from.source, notFound: from.notFound, ...explanation, endpoints }, () =>
      formatExplanation(request, from, explanation, endpoints),
    );
    return from.errors > 0 ? 1 : 0;
  },
});

interface Request {
  host: string;
  path: string;
  https: boolean;
  /** `?…` or `""`: kept in a redirect's Location. */
  query: string;
  /** The path as the client sent it (not canonicalised): the HTTP→HTTPS redirect keeps it. */
  rawPath: string;
  method: string;
  headers: Record<string, string>;
  /** What HTTPRoute conditions and canaries look at (`cookie` is among the headers). */
  facts: RequestFacts;
}

interface Source {
  lookup: RouteLookup;
  notFound: NotFoundStatus;
  /** `live version <v>` or `manifests`. */
  source: string;
  errors: number;
  /** Published probe states (live table only). */
  health?: ReadonlyMap<string, import("../../worker/core/index.ts").ProbeState>;
}

/** The request's routing key, as the Worker's normalize phase computes it from `new URL(request.url)`. */
function parseRequest(text: string, context: CommandContext): Request {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${text} is not a URL; give a full URL such as https://shop.example.com/cart`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UserError(
      `${text}: the URL must start with http:// or https:// (the scheme decides TLS routes and redirects)`,
    );
  }
  const host = normalizeHost(url.host);
  if (host === null) throw new UserError(`${text}: the Worker answers 400: the host is not a valid host name`);
  const path = normalizePath(url.pathname);
  if (!path.ok) throw new UserError(`${text}: the Worker answers 400: ${path.reason}`);
  const method = (stringOption(context.args, "method") ?? "GET").toUpperCase();
  const headers: Record<string, string> = {};
  for (const line of stringOptions(context.args, "header")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new UserError(`-H ${JSON.stringify(line)}: give a header as 'Name: value'`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Repeated headers read as the Fetch API joins them, which is what the Worker sees.
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const cookies = stringOptions(context.args, "cookie");
  for (const cookie of cookies) {
    if (!cookie.includes("=")) throw new UserError(`-b ${JSON.stringify(cookie)}: give a cookie as 'name=value'`);
  }
  if (cookies.length > 0) headers.cookie = [headers.cookie, ...cookies].filter((c) => c !== undefined).join("; ");
  const params = url.searchParams;
  const facts: RequestFacts = {
    method,
    header: (name) => headers[name] ?? null,
    query: (name) => params.get(name),
  };
  return {
    host,
    path: path.path,
    https: url.protocol === "https:",
    query: url.search,
    rawPath: url.pathname,
    method,
    headers,
    facts,
  };
}

/** A cookie's value in a Cookie header (`a=1; b=2`), as the Worker reads it. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

async function fromManifests(context: CommandContext, inputs: string[]): Promise<Source> {
  const { result, counts } = await compileInputs(inputs, context);
  const { index, shards } = result.table;
  return { lookup: tableLookup(shards), notFound: index.notFound, source: "manifests", errors: counts.error };
}

/** Reads the index and only the shards that can hold the host: its own and its wildcard suffix's. */
async function fromLive(context: CommandContext, host: string): Promise<Source> {
  const kv = context.io.openKv(await kvTargetOf(context.args, context.io.cwd));
  const { pointer } = await readLiveState(kv);
  if (pointer === null)
    throw new UserError(
      `no route table is published in ${kv.description}; push one, or give manifests to explain against`,
    );
  const wanted = shardsForHost(host, pointer);
  const [{ index, shards }, health] = await Promise.all([readVersion(kv, pointer, wanted), readHealth(kv)]);
  // The Worker's lazy lookup over the shards in memory: the others are never consulted for this host.
  const lookup = new ShardLookup();
  for (const shard of shards) if (shard) lookup.add(shardReader(shard));
  return { lookup, notFound: index.notFound, source: `live version ${pointer.version}`, errors: 0, health };
}

function formatExplanation(
  request: Request,
  from: Source,
  explanation: Explanation,
  endpoints: EndpointHealth[] | undefined,
): string {
  const { resolution, considered } = explanation;
  const scheme = request.https ? "https" : "http";
  const lines = [
    `${scheme}://${request.host}${request.path}  (host ${request.host}, path ${request.path}, from ${from.source})\n\n`,
  ];
  if (resolution.outcome === "none") {
    lines.push(`→ no route serves this URL: the gateway answers ${from.notFound}\n`);
  } else if (resolution.outcome === "redirect") {
    lines.push(
      `→ 302 redirect to ${insecureRedirectLocation(request.host, request.rawPath, request.query)} by ${resolution.route.kind} ${resolution.route.id} ` +
        `(insecureEdgeTerminationPolicy Redirect, ${resolution.hostKind} host)\n`,
    );
  } else if (resolution.route.gateway?.redirect !== undefined) {
    const redirect = resolution.route.gateway.redirect;
    const location = redirectLocation(redirect, resolution.route, {
      https: request.https,
      host: request.host,
      path: request.path,
      search: request.query,
    });
    lines.push(
      `→ ${redirect.statusCode} redirect to ${location} by HTTPRoute ${resolution.route.id} (RequestRedirect)\n`,
    );
  } else {
    lines.push(
      `→ served by ${resolution.route.kind} ${resolution.route.id} (${resolution.hostKind} host ${resolution.route.host})\n`,
    );
    lines.push(describeRoute(resolution.route, endpoints));
    const canary = resolution.route.canary;
    if (canary !== undefined) {
      const decision = canaryDecision(canary, request.facts, (name) => cookieValue(request.headers.cookie, name));
      const backend = resolution.route.backends.find((b) => b.id === canary.backend);
      const name = backend === undefined ? canary.backend : serviceName(backend);
      lines.push(
        decision === undefined
          ? `  canary   ${name}: no canary header, cookie or query decided${canary.weight === undefined ? "; the weighted pick above applies" : `; canary weight ${canary.weight.weight}/${canary.weight.total}`}\n`
          : `  canary   ${decision.side === "canary" ? `→ ${name}` : `not ${name}`} (${decision.by})\n`,
      );
    }
  }
  if (considered.length === 0) lines.push(`\nno route names host ${request.host} or a wildcard covering it\n`);
  else {
    lines.push(`\nConsidered (${considered.length}, most specific first):\n`);
    for (const entry of considered) lines.push(`  ${entry.chosen ? "✓" : "✗"} ${entry.route.id}  ${entry.why}\n`);
  }
  return lines.join("");
}

/**
 * The backends table: with labelled inputs (NAME=PATH) each endpoint's cluster and failover priority, and with
 * `health` (live table) each endpoint's state and whether the Worker sends requests there now.
 */
function describeRoute(route: CompiledRoute, health: EndpointHealth[] | undefined): string {
  const clusters = formatClusters(route);
  const clustered = clusters !== "";
  const rows = route.backends.flatMap((backend) => {
    const endpoints: string[][] =
      backend.endpoints.length === 0
        ? [["(no endpoint)", ...(clustered ? ["", ""] : []), ...(health ? ["", ""] : [])]]
        : backend.endpoints.map((endpoint) => {
            const url = formatEndpoint(endpoint);
            const h = health?.find((e) => e.backend === backend.service && e.endpoint === url);
            return [
              url,
              ...(clustered ? [endpoint.cluster ?? "-", String(endpoint.priority ?? 0)] : []),
              ...(health === undefined
                ? []
                : [
                    h === undefined
                      ? "-"
                      : h.state === "down"
                        ? `down since ${h.since} (${h.lastError ?? "no error"})`
                        : h.state,
                    h?.eligible ? "yes" : "no",
                  ]),
            ];
          });
    return endpoints.map((endpoint, i) =>
      i === 0
        ? [serviceName(backend), String(backend.weight), share(backend, route.backends), ...endpoint]
        : ["", "", "", ...endpoint],
    );
  });
  const table = formatTable(
    [
      "BACKEND",
      "WEIGHT",
      "SHARE",
      "ENDPOINT",
      ...(clustered ? ["CLUSTER", "PRIORITY"] : []),
      ...(health === undefined ? [] : ["HEALTH", "ELIGIBLE"]),
    ],
    rows,
  )
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => `    ${line}\n`)
    .join("");
  const router = route.backends[0]?.router;
  const split =
    router === undefined
      ? "by the edge, across the Services' own load balancers below"
      : `handed to cluster ${formatSplit(route)}, which applies the Route's weights, its own sticky cookie and the Service choice`;
  const auth = formatAuth(route);
  return [
    `  path     ${formatPath(route)}\n`,
    `  tls      ${formatTls(route.tls)}\n`,
    `  split    ${split}\n`,
    auth === null ? "" : `  auth     ${auth}\n`,
    `  balance  ${route.balance}${route.cookie === null ? ", no sticky cookie" : `, sticky cookie ${route.cookie.name}`}; timeout ${route.timeoutMs} ms\n`,
    ...(clustered
      ? [
          `  clusters ${clusters} (${clusters.includes("→") ? "active-passive: a later cluster serves only when every earlier one has no endpoint left" : "active-active"})\n`,
        ]
      : []),
    `  backends\n${table}`,
  ].join("");
}
