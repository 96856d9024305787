/**
 * @module The option groups commands share, and the readers that turn them into typed settings. A command lists
 * the groups it uses; `--help` shows exactly those.
 */
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { DEFAULT_COMPILE_OPTIONS, DEFAULT_GATEWAY_CLASS } from "../../worker/core/compile/index.ts";
import type { NotFoundStatus } from "../../worker/core/index.ts";
import type { CompileOptions, Target } from "../../worker/core/compile/index.ts";
import { classifyTarget, isIpLiteral, normalizeHost } from "../../worker/core/index.ts";
import { flag, stringOption, stringOptions, type OptionTable, type ParsedArgs } from "./args.ts";
import { UserError } from "./errors.ts";
import { readHstsPolicies } from "./hsts-policy.ts";
import type { KvTarget } from "./kv.ts";
import type { OutputFormat } from "./output.ts";

/** The wrangler binding of the route table (wrangler.toml `[[kv_namespaces]]`). */
export const ROUTES_BINDING = "ROUTES";

export const OUTPUT_OPTIONS: OptionTable = {
  output: {
    type: "string",
    value: "text|json",
    description: "Output format; json prints exactly one JSON document (default text)",
  },
  debug: {
    type: "boolean",
    description: "Show every wrangler call with its duration, and stack traces of internal errors",
  },
  help: { type: "boolean", description: "Show this help" },
};

export const TARGET_OPTIONS: OptionTable = {
  local: {
    type: "boolean",
    description: "Target the local KV of `wrangler dev` / `npm start`; loopback endpoints allowed (default)",
  },
  remote: {
    type: "boolean",
    description:
      "Target the deployed KV namespace; public endpoints only (needs `wrangler login` and the namespace id)",
  },
};

export const KV_OPTIONS: OptionTable = {
  "persist-to": {
    type: "string",
    value: "DIR",
    description: "Local KV directory (default .wrangler/state next to the config)",
  },
  config: {
    type: "string",
    value: "FILE",
    description: "Wrangler configuration declaring the ROUTES binding (default wrangler.toml)",
  },
};

export const COMPILE_OPTIONS: OptionTable = {
  "router-domain": { type: "string", value: "D", description: "Domain for spec.subdomain routes: <subdomain>.D" },
  "ingress-class": {
    type: "string",
    value: "NAME",
    description: "Ingress class this gateway serves (default edgeroute)",
  },
  "gateway-class": {
    type: "string",
    value: "NAME",
    description: "gatewayClassName of the Gateways this gateway serves (default edgeroute)",
  },
  "inter-namespace-allowed": {
    type: "boolean",
    description: "Let routes of different namespaces share a host (default: Strict)",
  },
  "allow-wildcards": { type: "boolean", description: "Admit wildcardPolicy: Subdomain routes" },
  "allow-private-endpoints": {
    type: "boolean",
    description: "With --remote: accept private-range load-balancer addresses",
  },
  "not-found": {
    type: "string",
    value: "503|404",
    description: "Status for requests no route serves (default 503, like the router)",
  },
  "hsts-policy": {
    type: "string",
    value: "FILE",
    description: "Required HSTS policies (a YAML list, or `oc get ingresses.config.openshift.io cluster -o yaml`)",
  },
  "cluster-router": {
    type: "string",
    value: "[NAME=]HOST",
    multiple: true,
    description:
      "The cluster's router (its load-balancer host name or address) for routes whose Services are ClusterIP and whose objects carry no router status; NAME= for the inputs NAME=PATH of one cluster",
  },
  resolve: {
    type: "string",
    value: "NAME=ADDRESS:PORT",
    multiple: true,
    description:
      "With --local: reach host name NAME (a router or load balancer) at a loopback ADDRESS:PORT over plain HTTP, like curl --resolve",
  },
  strict: { type: "boolean", description: "Treat warnings as errors" },
};

/** `--zone`, for the commands that compile for the deployed Worker (validate, diff, push, explain, dns). */
export const ZONE_OPTIONS: OptionTable = {
  zone: {
    type: "string",
    value: "Z[,Z…]",
    description:
      "Cloudflare zone(s) of the route hosts, e.g. example.com; with --remote every load-balancer name must be in the zone of the route host it serves",
  },
};

/** A zone name: two or more DNS labels. */
const ZONE_NAME = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** `--zone example.com,example.net` → `["example.com", "example.net"]` (lowercase, no trailing dot). */
export function zonesOf(args: ParsedArgs): string[] {
  const raw = stringOption(args, "zone");
  if (raw === undefined) return [];
  return raw.split(",").map((entry) => {
    const zone = entry.trim().toLowerCase().replace(/\.$/, "");
    if (!ZONE_NAME.test(zone))
      throw new UserError(
        `--zone takes Cloudflare zone names such as example.com (comma-separated), not ${JSON.stringify(entry)}`,
      );
    return zone;
  });
}

export function outputFormatOf(args: ParsedArgs): OutputFormat {
  const output = stringOption(args, "output") ?? "text";
  if (output !== "text" && output !== "json") throw new UserError(`--output must be text or json, not ${output}`);
  return output;
}

export function targetOf(args: ParsedArgs): Target {
  if (flag(args, "local") && flag(args, "remote")) throw new UserError("--local and --remote cannot be used together");
  return flag(args, "remote") ? "remote" : "local";
}

/** The KV namespace to use; the configuration file must exist (wrangler would fail less clearly). */
export async function kvTargetOf(args: ParsedArgs, cwd: string): Promise<KvTarget> {
  const config = resolve(cwd, stringOption(args, "config") ?? "wrangler.toml");
  const info = await stat(config).catch(() => null);
  if (info === null || !info.isFile()) {
    throw new UserError(
      `wrangler configuration ${config} not found; pass --config FILE (it declares the ${ROUTES_BINDING} KV binding)`,
    );
  }
  const persistTo = stringOption(args, "persist-to");
  if (persistTo !== undefined && targetOf(args) === "remote")
    throw new UserError("--persist-to applies to the local KV only, not with --remote");
  return {
    mode: targetOf(args),
    config,
    // Same default as wrangler (relative to the config file), so `wrangler dev` sees what we publish.
    persistTo: persistTo === undefined ? resolve(dirname(config), ".wrangler/state") : resolve(cwd, persistTo),
    binding: ROUTES_BINDING,
  };
}

export async function compileOptionsOf(args: ParsedArgs, cwd: string): Promise<CompileOptions> {
  const notFound = stringOption(args, "not-found");
  if (notFound !== undefined && notFound !== "503" && notFound !== "404") {
    throw new UserError(`--not-found must be 503 or 404, not ${notFound}`);
  }
  const hsts = stringOption(args, "hsts-policy");
  return {
    ...DEFAULT_COMPILE_OPTIONS,
    target: targetOf(args),
    routerDomain: stringOption(args, "router-domain") ?? DEFAULT_COMPILE_OPTIONS.routerDomain,
    ingressClass: stringOption(args, "ingress-class") ?? DEFAULT_COMPILE_OPTIONS.ingressClass,
    gatewayClass: stringOption(args, "gateway-class") ?? DEFAULT_GATEWAY_CLASS,
    interNamespaceAllowed: flag(args, "inter-namespace-allowed") || DEFAULT_COMPILE_OPTIONS.interNamespaceAllowed,
    allowWildcards: flag(args, "allow-wildcards") || DEFAULT_COMPILE_OPTIONS.allowWildcards,
    allowPrivateEndpoints: flag(args, "allow-private-endpoints") || DEFAULT_COMPILE_OPTIONS.allowPrivateEndpoints,
    zones: zonesOf(args),
    notFound: notFound === undefined ? DEFAULT_COMPILE_OPTIONS.notFound : (Number(notFound) as NotFoundStatus),
    requiredHsts: hsts === undefined ? DEFAULT_COMPILE_OPTIONS.requiredHsts : await readHstsPolicies(hsts, cwd),
    clusterRouters: clusterRoutersOf(args),
    resolve: resolveOf(args),
  };
}

/** `--cluster-router HOST` (every input) and `--cluster-router NAME=HOST` (inputs `NAME=PATH`). */
function clusterRoutersOf(args: ParsedArgs): Record<string, string> {
  const routers: Record<string, string> = {};
  for (const value of stringOptions(args, "cluster-router")) {
    const eq = value.indexOf("=");
    const cluster = eq < 0 ? "" : value.slice(0, eq);
    const raw = eq < 0 ? value : value.slice(eq + 1);
    const shown = `--cluster-router ${value}`;
    if (eq >= 0 && !/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(cluster))
      throw new UserError(
        `${shown}: the cluster NAME must be a DNS label (lowercase letters, digits, '-'), as in the input NAME=PATH`,
      );
    const host = routerHost(raw);
    if (host === undefined)
      throw new UserError(
        `${shown}: ${JSON.stringify(raw)} is not a host name or IP address; give the router's load-balancer name without scheme or port (the edge uses 443 for TLS routes, 80 for plain ones), e.g. router-default.apps.east.example.com`,
      );
    if (Object.hasOwn(routers, cluster))
      throw new UserError(
        `${shown}: ${cluster === "" ? "a router for every input" : `cluster ${cluster}`} is already given (${routers[cluster]})`,
      );
    routers[cluster] = host;
  }
  return routers;
}

/** A host name or IP literal (IPv6 without brackets), lowercased; no port. */
function routerHost(raw: string): string | undefined {
  const text = raw
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (isIpLiteral(text)) return text;
  const host = normalizeHost(text);
  return host !== null && host === text.replace(/\.$/, "") && !host.startsWith("[") ? host : undefined;
}

/** `--resolve NAME=ADDRESS:PORT`, curl's `--resolve` for a local table: a loopback stand-in for a name. */
function resolveOf(args: ParsedArgs): Record<string, { address: string; port: number }> {
  const values = stringOptions(args, "resolve");
  if (values.length > 0 && targetOf(args) === "remote")
    throw new UserError(
      "--resolve applies to a local table only: a deployed Worker reaches names through DNS (cf.resolveOverride), never through loopback stand-ins; drop --resolve with --remote",
    );
  const resolved: Record<string, { address: string; port: number }> = {};
  for (const value of values) {
    const match = /^([^=]+)=(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d{1,5})$/.exec(value);
    const name = match === null ? undefined : routerHost(match[1] ?? "");
    const address = (match?.[2] ?? "").replace(/^\[(.*)\]$/, "$1");
    const port = Number(match?.[3]);
    if (match === null || name === undefined || !isIpLiteral(address) || port < 1 || port > 65535)
      throw new UserError(
        `--resolve ${value}: expected NAME=ADDRESS:PORT with a host name, a loopback IP address and a port 1..65535, e.g. router-default.apps.east.example.com=127.0.0.1:8083 (IPv6 in brackets: [::1]:8083)`,
      );
    if (classifyTarget(address) !== "loopback")
      throw new UserError(
        `--resolve ${value}: ${address} is not a loopback address; --resolve only points names at local stand-ins (127.0.0.0/8 or ::1)`,
      );
    resolved[name] = { address, port };
  }
  return resolved;
}
