/**
 * @module The router annotations edgeroute honours (`haproxy.router.openshift.io/*`, `router.openshift.io/*`),
 * each parsed with the format the router template uses (docs/design-notes.md#annotations). As in the router, an invalid value is
 * ignored — here with a warning that names the annotation and says what is allowed.
 */
import { formatNetwork, parseNetwork } from "../ip.ts";
import type { Balance, CompiledRoute, ForwardedPolicy, Termination } from "../table/types.ts";
import {
  DEFAULT_HEALTH_EXPECT,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_PATH,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_ON,
  DEFAULT_TIMEOUT_MS,
  defaultBalance,
  defaultCookieName,
} from "../table/defaults.ts";
import { HSTS_HEADER_PATTERN } from "./hsts.ts";
import { rateLimitFor } from "./rate-limit.ts";
import { annotationField, type Report, type Subject } from "./report.ts";
import { REWRITE_TARGET_PATTERN, sanitizeRewriteTarget } from "./rewrite-target.ts";
import { parseGoBool, parseGoInt, show } from "./values.ts";

export const ANNOTATIONS = {
  timeout: "haproxy.router.openshift.io/timeout",
  balance: "haproxy.router.openshift.io/balance",
  ipAllowlist: "haproxy.router.openshift.io/ip_allowlist",
  ipWhitelist: "haproxy.router.openshift.io/ip_whitelist",
  hsts: "haproxy.router.openshift.io/hsts_header",
  rewriteTarget: "haproxy.router.openshift.io/rewrite-target",
  forwarded: "haproxy.router.openshift.io/set-forwarded-headers",
  disableCookies: "haproxy.router.openshift.io/disable_cookies",
  cookieName: "router.openshift.io/cookie_name",
  cookieSameSite: "router.openshift.io/cookie-same-site",
  rateLimit: "haproxy.router.openshift.io/rate-limit-connections",
  rateHttp: "haproxy.router.openshift.io/rate-limit-connections.rate-http",
  rateTcp: "haproxy.router.openshift.io/rate-limit-connections.rate-tcp",
  concurrentTcp: "haproxy.router.openshift.io/rate-limit-connections.concurrent-tcp",
  retryOn: "haproxy.router.openshift.io/retry-on",
  retries: "haproxy.router.openshift.io/retries",
  healthInterval: "router.openshift.io/haproxy.health.check.interval",
  healthPath: "health.edgeroute.dev/path",
  healthExpect: "health.edgeroute.dev/expect-status",
} as const;

/** HAProxy clips larger timeouts (ROUTER `clipHAProxyTimeoutValue`). */
const MAX_TIMEOUT_MS = 2_147_483_647;
const TIMEOUT_PATTERN = /^([1-9][0-9]*)(us|ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const BALANCES: readonly Balance[] = ["roundrobin", "leastconn", "source", "random"];
const FORWARDED: readonly ForwardedPolicy[] = ["append", "replace", "if-none", "never"];
const SAME_SITE = ["Lax", "Strict", "None"] as const;
const COOKIE_NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;

/** The parts of a compiled route that router annotations decide. */
export type RouterSettings = Pick<
  CompiledRoute,
  | "balance"
  | "cookie"
  | "timeoutMs"
  | "retryOn"
  | "retries"
  | "healthIntervalMs"
  | "healthPath"
  | "healthExpect"
  | "forwarded"
  | "rewriteTarget"
  | "hsts"
  | "ipAllowlist"
  | "rateLimit"
>;

export interface AnnotationContext {
  subject: Subject;
  annotations: Record<string, string>;
  /** Route id, for the default cookie name. */
  id: string;
  termination: Termination | null;
  /** The route's backend weights, for the default balance (router `ActiveServiceUnits`). */
  backends: readonly { weight: number }[];
}

/** Prefixes of the router's annotations; ones edgeroute does not know are noted, not silently dropped. */
const ROUTER_PREFIXES = ["haproxy.router.openshift.io/", "router.openshift.io/", "health.edgeroute.dev/"];
const KNOWN: ReadonlySet<string> = new Set(Object.values(ANNOTATIONS));

export function readRouterAnnotations(ctx: AnnotationContext, report: Report): RouterSettings {
  const ignore: Ignore = (name, message, code = "InvalidAnnotation") =>
    report.warning(ctx.subject, code, annotationField(name), message);
  for (const name of Object.keys(ctx.annotations)) {
    if (!KNOWN.has(name) && ROUTER_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      report.notice(
        ctx.subject,
        "UnsupportedFeature",
        annotationField(name),
        `${name} is not supported by edgeroute and is ignored; supported router annotations: ${[...KNOWN].join(", ")}`,
      );
    }
  }
  return {
    timeoutMs: readTimeout(ctx, ignore),
    ...readRetry(ctx, ignore),
    ...readHealthCheck(ctx, ignore),
    balance: readBalance(ctx, ignore),
    cookie: readCookie(ctx, ignore),
    forwarded: readEnum(ctx, ANNOTATIONS.forwarded, FORWARDED, ignore) ?? "append",
    rewriteTarget: readRewriteTarget(ctx, ignore),
    hsts: readHsts(ctx, ignore),
    ipAllowlist: readAllowlist(ctx, ignore),
    rateLimit: readRateLimit(ctx, ignore),
  };
}

/** Warn that an annotation (or part of it) is ignored; `UnsupportedFeature` when the value is fine but the edge cannot do it. */
type Ignore = (annotation: string, message: string, code?: "InvalidAnnotation" | "UnsupportedFeature") => void;

function readEnum<T extends string>(
  ctx: AnnotationContext,
  name: string,
  allowed: readonly T[],
  ignore: Ignore,
): T | undefined {
  const value = ctx.annotations[name];
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  ignore(name, `${show(value)} is not valid and is ignored (router behaviour); allowed: ${allowed.join(", ")}`);
  return undefined;
}

/** `[1-9][0-9]*(us|ms|s|m|h|d)?`, no unit = ms (ROUTER `haproxytime/duration_parser.go`). @example "5s" → 5000; "1500us" → 2 */
function readTimeout(ctx: AnnotationContext, ignore: Ignore): number {
  const value = ctx.annotations[ANNOTATIONS.timeout];
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = parseTimeSpec(value);
  if (ms === undefined) {
    ignore(
      ANNOTATIONS.timeout,
      `${show(value)} is not a valid timeout and is ignored (router behaviour), so the default 30s applies; use a positive integer with an optional unit us, ms, s, m, h or d (no unit = ms), e.g. "5s"`,
    );
    return DEFAULT_TIMEOUT_MS;
  }
  return ms;
}

/** A router time spec in ms, clipped as HAProxy clips it; `undefined` when invalid. */
function parseTimeSpec(value: string): number | undefined {
  const match = TIMEOUT_PATTERN.exec(value);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? "ms";
  // Microseconds round up to whole milliseconds: a time never becomes 0.
  const ms = unit === "us" ? Math.ceil(amount / 1000) : amount * (UNIT_MS[unit] ?? 1);
  return Math.min(ms, MAX_TIMEOUT_MS);
}

/**
 * HAProxy `retry-on` keywords (https://docs.haproxy.org/2.8/configuration.html#4.2-retry-on), as the router's
 * `haproxy.router.openshift.io/retry-on` annotation passes them on (https://github.com/openshift/router/pull/839).
 * `junk-response` cannot be told apart from `empty-response` at the edge (fetch reports both as a lost
 * connection), and `0rtt-rejected` has no meaning for a Worker's subrequest; both are accepted.
 */
const RETRY_KEYWORDS: ReadonlySet<string> = new Set([
  "none",
  "conn-failure",
  "empty-response",
  "junk-response",
  "response-timeout",
  "0rtt-rejected",
  "401",
  "403",
  "404",
  "408",
  "425",
  "500",
  "501",
  "502",
  "503",
  "504",
  "all-retryable-errors",
]);
/** HAProxy: `all-retryable-errors` is this list. */
const ALL_RETRYABLE = [
  "conn-failure",
  "empty-response",
  "junk-response",
  "response-timeout",
  "0rtt-rejected",
  "500",
  "502",
  "503",
  "504",
];
const MAX_RETRIES = 99;

/** Keywords separated by spaces or commas; an unknown keyword ignores the whole annotation (router: invalid → ignored). */
function readRetry(ctx: AnnotationContext, ignore: Ignore): Pick<CompiledRoute, "retryOn" | "retries"> {
  let retryOn = DEFAULT_RETRY_ON;
  const on = ctx.annotations[ANNOTATIONS.retryOn];
  if (on !== undefined) {
    const words = on.split(/[\s,]+/).filter((w) => w !== "");
    const unknown = words.filter((w) => !RETRY_KEYWORDS.has(w));
    if (words.length === 0 || unknown.length > 0 || (words.includes("none") && words.length > 1)) {
      ignore(
        ANNOTATIONS.retryOn,
        `${show(on)} is not a valid retry-on list and is ignored (router behaviour), so the default ${show(DEFAULT_RETRY_ON)} applies; use HAProxy keywords separated by spaces or commas: ${[...RETRY_KEYWORDS].join(", ")}`,
      );
    } else {
      const expanded = words.flatMap((w) => (w === "all-retryable-errors" ? ALL_RETRYABLE : [w]));
      retryOn = [...new Set(expanded)].join(" ");
    }
  }
  let retries = DEFAULT_RETRIES;
  const text = ctx.annotations[ANNOTATIONS.retries];
  if (text !== undefined) {
    const n = parseGoInt(text);
    if (n === undefined || n < 0 || n > MAX_RETRIES) {
      ignore(
        ANNOTATIONS.retries,
        `${show(text)} is not a whole number from 0 to ${MAX_RETRIES} and is ignored (router behaviour), so the default ${DEFAULT_RETRIES} applies`,
      );
    } else retries = n;
  }
  return { retryOn, retries };
}

/** Probes faster than this would multiply the probe load (docs/health.md); IngressController's minimum is 1s too. */
const MIN_HEALTH_INTERVAL_MS = 1_000;
const HEALTH_PATH_PATTERN = /^\/[!-~]*$/;
const EXPECT_PATTERN = /^[1-5][0-9][0-9](-[1-5][0-9][0-9])?(,[1-5][0-9][0-9](-[1-5][0-9][0-9])?)*$/;

function readHealthCheck(
  ctx: AnnotationContext,
  ignore: Ignore,
): Pick<CompiledRoute, "healthIntervalMs" | "healthPath" | "healthExpect"> {
  let healthIntervalMs = DEFAULT_HEALTH_INTERVAL_MS;
  const interval = ctx.annotations[ANNOTATIONS.healthInterval];
  if (interval !== undefined) {
    const ms = parseTimeSpec(interval);
    if (ms === undefined) {
      ignore(
        ANNOTATIONS.healthInterval,
        `${show(interval)} is not a valid interval and is ignored (router behaviour), so the default 5s applies; use a positive integer with an optional unit us, ms, s, m, h or d (no unit = ms), e.g. "2s"`,
      );
    } else if (ms < MIN_HEALTH_INTERVAL_MS) {
      ignore(ANNOTATIONS.healthInterval, `${show(interval)} is below the minimum 1s, so 1s is used`);
      healthIntervalMs = MIN_HEALTH_INTERVAL_MS;
    } else healthIntervalMs = ms;
  }
  let healthPath = DEFAULT_HEALTH_PATH;
  const path = ctx.annotations[ANNOTATIONS.healthPath];
  if (path !== undefined) {
    if (HEALTH_PATH_PATTERN.test(path)) healthPath = path;
    else
      ignore(
        ANNOTATIONS.healthPath,
        `${show(path)} is not a valid health check path and is ignored, so "/" is probed; use a path starting with "/", printable ASCII without spaces, e.g. "/healthz"`,
      );
  }
  let healthExpect = DEFAULT_HEALTH_EXPECT;
  const expect = ctx.annotations[ANNOTATIONS.healthExpect];
  if (expect !== undefined) {
    const ranges = expect.replace(/\s+/g, "");
    const ordered =
      EXPECT_PATTERN.test(ranges) &&
      ranges.split(",").every((r) => {
        const [from, to = from] = r.split("-");
        return Number(from) <= Number(to);
      });
    if (ordered) healthExpect = ranges;
    else
      ignore(
        ANNOTATIONS.healthExpect,
        `${show(expect)} is not a list of statuses and is ignored, so ${DEFAULT_HEALTH_EXPECT} counts as up; use statuses or ranges 100-599 separated by commas, e.g. "200-299,404"`,
      );
  }
  return { healthIntervalMs, healthPath, healthExpect };
}

/** Annotation wins; else `roundrobin` when more than one backend has weight > 0, `random` otherwise (docs/design-notes.md#balance). */
function readBalance(ctx: AnnotationContext, ignore: Ignore): Balance {
  return readEnum(ctx, ANNOTATIONS.balance, BALANCES, ignore) ?? defaultBalance(ctx.backends);
}

function readCookie(ctx: AnnotationContext, ignore: Ignore): CompiledRoute["cookie"] {
  const disable = ctx.annotations[ANNOTATIONS.disableCookies];
  if (disable !== undefined) {
    const parsed = parseGoBool(disable);
    if (parsed === undefined)
      ignore(
        ANNOTATIONS.disableCookies,
        `${show(disable)} is not a boolean and is ignored (router behaviour), so cookies stay on; allowed: true, false, 1, 0, t, f (any case as Go ParseBool)`,
      );
    if (parsed === true) return null;
  }
  let name = defaultCookieName(ctx.id);
  const custom = ctx.annotations[ANNOTATIONS.cookieName];
  if (custom !== undefined) {
    if (COOKIE_NAME_PATTERN.test(custom)) name = custom;
    else
      ignore(
        ANNOTATIONS.cookieName,
        `${show(custom)} is not a valid cookie name and is ignored (router behaviour), so ${name} is used; allowed: letters, digits, '_' and '-'`,
      );
  }
  const sameSite = readEnum(ctx, ANNOTATIONS.cookieSameSite, SAME_SITE, ignore) ?? "None";
  return { name, sameSite };
}

function readRewriteTarget(ctx: AnnotationContext, ignore: Ignore): string | null {
  const value = ctx.annotations[ANNOTATIONS.rewriteTarget];
  if (value === undefined) return null;
  if (!REWRITE_TARGET_PATTERN.test(value)) {
    ignore(
      ANNOTATIONS.rewriteTarget,
      `${show(value)} is ignored (router behaviour); the target must start with "/", e.g. "/" or "/v2"`,
    );
    return null;
  }
  const { literal, truncatedAtHash } = sanitizeRewriteTarget(value);
  if (truncatedAtHash) {
    ignore(
      ANNOTATIONS.rewriteTarget,
      `the text from the unescaped "#" on is dropped (router behaviour), leaving ${show(literal)}; escape it as \\# to keep a literal "#"`,
    );
  }
  return literal;
}

/** Only for edge/reencrypt routes (router: the header is set in TLS backends only). */
function readHsts(ctx: AnnotationContext, ignore: Ignore): string | null {
  const value = ctx.annotations[ANNOTATIONS.hsts];
  if (value === undefined) return null;
  if (ctx.termination === null) {
    ignore(
      ANNOTATIONS.hsts,
      `HSTS is only sent by edge and reencrypt routes, and this route is plain HTTP, so it is ignored (router behaviour); add spec.tls to use it`,
    );
    return null;
  }
  if (!HSTS_HEADER_PATTERN.test(value)) {
    ignore(
      ANNOTATIONS.hsts,
      `${show(value)} is not a valid HSTS value and is ignored (router behaviour), so no header is sent; use max-age=<seconds> with optional includeSubDomains and preload, separated by ";", e.g. "max-age=31536000;includeSubDomains"`,
    );
    return null;
  }
  return value;
}

/**
 * `ip_allowlist` (or legacy `ip_whitelist` when the allowlist is absent or empty): space-separated addresses and
 * CIDRs; leading/trailing whitespace ignores the whole list, invalid entries are dropped one by one (ROUTER
 * `template_helper.go` `parseIPList`).
 */
function readAllowlist(ctx: AnnotationContext, ignore: Ignore): string[] | null {
  const allow = ctx.annotations[ANNOTATIONS.ipAllowlist];
  const name = allow !== undefined && allow !== "" ? ANNOTATIONS.ipAllowlist : ANNOTATIONS.ipWhitelist;
  const value = ctx.annotations[name];
  if (value === undefined || value === "") return null;
  if (value !== value.trim()) {
    ignore(
      name,
      `the list has leading or trailing whitespace, so the whole list is ignored (router behaviour) and every client is allowed; separate addresses and CIDRs by single spaces, nothing before or after`,
    );
    return null;
  }
  const networks: string[] = [];
  for (const entry of value.split(/\s+/)) {
    const network = parseNetwork(entry);
    if (network === null)
      ignore(
        name,
        `entry ${show(entry)} is not an IP address or CIDR as the router parses them (Go net.ParseIP/ParseCIDR: four decimal IPv4 parts without leading zeros, never octal or short forms like 10.1/16) and is dropped (router behaviour); allowed: IPv4/IPv6 addresses and CIDRs such as 10.0.0.0/8`,
      );
    else {
      const text = formatNetwork(network);
      if (!networks.includes(text)) networks.push(text);
    }
  }
  if (networks.length === 0) {
    ignore(name, `no valid entry remains, so the route is open to every client (router behaviour)`);
    return null;
  }
  return networks;
}

function readRateLimit(ctx: AnnotationContext, ignore: Ignore): CompiledRoute["rateLimit"] {
  const enabledText = ctx.annotations[ANNOTATIONS.rateLimit];
  const enabled = enabledText === undefined ? false : parseGoBool(enabledText);
  if (enabled === undefined)
    ignore(
      ANNOTATIONS.rateLimit,
      `${show(enabledText)} is not a boolean and is ignored (router behaviour), so no rate limit applies; allowed: true, false (Go ParseBool)`,
    );
  const tuning = [ANNOTATIONS.rateHttp, ANNOTATIONS.rateTcp, ANNOTATIONS.concurrentTcp].filter(
    (n) => ctx.annotations[n] !== undefined,
  );
  if (enabled !== true) {
    for (const n of tuning) ignore(n, `ignored because ${ANNOTATIONS.rateLimit} is not "true" (router behaviour)`);
    return null;
  }
  for (const n of [ANNOTATIONS.rateTcp, ANNOTATIONS.concurrentTcp]) {
    if (ctx.annotations[n] !== undefined) {
      ignore(
        n,
        `TCP connection limits are not enforceable at an HTTP edge (Cloudflare terminates client connections), so this is ignored; use rate-limit-connections.rate-http for a request rate limit`,
        "UnsupportedFeature",
      );
    }
  }
  const text = ctx.annotations[ANNOTATIONS.rateHttp];
  if (text === undefined) return null;
  const requested = parseGoInt(text);
  if (requested === undefined || requested < 1) {
    ignore(
      ANNOTATIONS.rateHttp,
      `${show(text)} is not a positive integer and is ignored, so no rate limit applies; give the allowed requests per 10 s per client IP, e.g. "100"`,
    );
    return null;
  }
  const limit = rateLimitFor(requested);
  if (limit.limit !== requested) {
    ignore(
      ANNOTATIONS.rateHttp,
      `${requested} requests per 10 s is rounded down to ${limit.limit} (binding ${limit.binding}): the edge enforces limits of the 1-2-5 series 1, 2, 5, 10, …, 10000 and takes the nearest one that is not looser`,
    );
  }
  return limit;
}
