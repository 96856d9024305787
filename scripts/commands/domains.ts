/**
 * @module `routes domains`: give every admitted host a Cloudflare-managed edge certificate by attaching it to the
 * Worker: exact hosts as Workers Custom Domains (Cloudflare creates the DNS record and issues a certificate per
 * host), wildcard hosts as zone routes `*.<suffix>/*` (they need a proxied wildcard DNS record and a wildcard
 * certificate, see docs/security.md). Applying runs `wrangler deploy --domain … --route … --x-route-zones --zone …`,
 * which REPLACES the Worker's routes and Custom Domains with this plan; `--dry-run` prints the plan and lets
 * wrangler check it offline (`wrangler deploy --dry-run`, which validates the patterns and builds the Worker).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CATCH_ALL_HOST, isIpLiteral, type CompiledRoute } from "../../worker/core/index.ts";
import type { Diagnostic } from "../../worker/core/compile/index.ts";
import { flag, stringOption } from "../lib/args.ts";
import { compileInputs } from "../lib/compile-inputs.ts";
import { defineCommand } from "../lib/define-command.ts";
import { UserError } from "../lib/errors.ts";
import { COMPILE_OPTIONS, OUTPUT_OPTIONS } from "../lib/options.ts";
import { formatTable, plural } from "../lib/output.ts";
import { runWrangler } from "../lib/wrangler.ts";

/** A zone route as wrangler.toml spells it: `{ pattern = "*.apps.example.com/*", zone_name = "example.com" }`. */
export interface ZoneRoute {
  pattern: string;
  zone_name: string;
}

export interface DomainPlan {
  /** Exact hosts, sorted: `{ pattern = "<host>", custom_domain = true }`. */
  customDomains: string[];
  /** Wildcard hosts, sorted by pattern. */
  zoneRoutes: ZoneRoute[];
  /** Hosts that cannot get a public certificate (IP literals, reserved names), with the reason. */
  skipped: { host: string; reason: string }[];
  /** What the operator must do by hand (DNS records, certificates, own certificates in manifests). */
  warnings: string[];
  /** Arguments of `wrangler` that apply the plan (without `--dry-run`). */
  wranglerArgs: string[];
}

/** Special-use names (RFC 6761, RFC 6762, RFC 2606) that no public CA will certify and no zone can hold. */
const RESERVED_SUFFIXES = ["localhost", "local", "test", "invalid", "example", "internal"];

/** Certificate material in a manifest that the edge does not use, as the compiler reports it (its field paths). */
const OWN_CERTIFICATE_FIELD =
  /^spec\.tls(?:\[\d+\])?\.(?:certificate|key|caCertificate|externalCertificate|secretName)$/;

/**
 * The plan for a compiled table. Pure: the command and the tests call it with the compiler's output.
 * @example hosts shop.example.com and *.apps.example.com, zone example.com →
 *   customDomains ["shop.example.com"], zoneRoutes [{ pattern: "*.apps.example.com/*", zone_name: "example.com" }]
 */
export function planDomains(
  admitted: readonly CompiledRoute[],
  diagnostics: readonly Diagnostic[],
  options: { zone?: string; config: string },
): DomainPlan {
  const zone = options.zone?.toLowerCase().replace(/\.$/, "");
  const hosts = [...new Set(admitted.map((route) => route.host))].sort();
  const customDomains: string[] = [];
  const zoneRoutes: ZoneRoute[] = [];
  const skipped: DomainPlan["skipped"] = [];
  const warnings: string[] = [];

  for (const host of hosts) {
    if (host === CATCH_ALL_HOST) {
      // No trigger can name "every host": the catch-all sees only what the other triggers send to the Worker.
      warnings.push(
        `the catch-all (an Ingress default backend or rule without a host, or an HTTPRoute without hostnames) has no host of its own: it answers only requests for hosts attached to the Worker that no route serves; attach more hosts for it to see them (a zone route such as ${zone === undefined ? "<zone>" : zone}/* and *.${zone ?? "<zone>"}/* sends it every host of the zone, each needing a proxied DNS record).`,
      );
      continue;
    }
    const bare = host.startsWith("*.") ? host.slice(2) : host;
    const reason = unpublishable(bare);
    if (reason !== null) {
      skipped.push({ host, reason });
      continue;
    }
    if (bare === host) {
      customDomains.push(host);
      continue;
    }
    if (zone === undefined) {
      throw new UserError(
        `wildcard host ${host} needs a zone route, which needs its zone: pass --zone <zone name>, e.g. --zone ${registrableGuess(bare)}`,
      );
    }
    if (bare !== zone && !bare.endsWith(`.${zone}`)) {
      throw new UserError(
        `wildcard host ${host} is not inside zone ${zone}; pass the zone that holds ${bare} with --zone`,
      );
    }
    zoneRoutes.push({ pattern: `${host}/*`, zone_name: zone });
    warnings.push(
      `${host}: create a proxied DNS record for ${host} in zone ${zone} (e.g. AAAA 100::); zone routes do not create DNS records.`,
    );
    if (bare !== zone) {
      // Universal SSL covers the apex and one wildcard level (`*.zone`) only.
      warnings.push(
        `${host}: Universal SSL does not cover it (only ${zone} and *.${zone}); order an advanced certificate for ${host} (Advanced Certificate Manager) or enable Total TLS before sending traffic.`,
      );
    }
  }

  warnings.push(...ownCertificateWarnings(admitted, diagnostics));
  if (customDomains.length === 0 || zoneRoutes.length === 0) {
    // wrangler only replaces a kind of trigger it is given: with none of a kind, the existing ones stay.
    const kind = customDomains.length === 0 ? "Custom Domains" : "zone routes";
    warnings.push(
      `the plan has no ${kind}: wrangler leaves the Worker's existing ${kind} in place; remove unwanted ones in the dashboard.`,
    );
  }

  const wranglerArgs = ["deploy", "--config", options.config];
  for (const domain of customDomains) wranglerArgs.push("--domain", domain);
  if (zoneRoutes.length > 0 && zone !== undefined) {
    for (const route of zoneRoutes) wranglerArgs.push("--route", route.pattern);
    wranglerArgs.push("--x-route-zones", "--zone", zone);
  }
  return { customDomains, zoneRoutes, skipped, warnings, wranglerArgs };
}

/** `null` when a public certificate can be issued for `host`, else why not. */
function unpublishable(host: string): string | null {
  if (isIpLiteral(host)) return "an IP address cannot be a Custom Domain or route";
  if (!host.includes(".")) return "a single-label name is not a public DNS name";
  const tld = host.slice(host.lastIndexOf(".") + 1);
  if (RESERVED_SUFFIXES.includes(tld)) return `.${tld} is a special-use name that no public CA certifies`;
  return null;
}

/** The last two labels, only to make the error message concrete. */
function registrableGuess(host: string): string {
  return host.split(".").slice(-2).join(".");
}

/**
 * One warning per manifest object that carries its own certificate, built from the compiler's diagnostics
 * (the compiler decides what counts as certificate material; this only says what to do about it here).
 */
function ownCertificateWarnings(admitted: readonly CompiledRoute[], diagnostics: readonly Diagnostic[]): string[] {
  const fieldsByObject = new Map<string, string[]>();
  for (const diagnostic of diagnostics) {
    if (!OWN_CERTIFICATE_FIELD.test(diagnostic.field)) continue;
    const fields = fieldsByObject.get(diagnostic.object) ?? [];
    if (!fields.includes(diagnostic.field)) fields.push(diagnostic.field);
    fieldsByObject.set(diagnostic.object, fields);
  }
  const warnings: string[] = [];
  for (const [object, fields] of fieldsByObject) {
    const hosts = [...new Set(admitted.filter((route) => objectOf(route) === object).map((route) => route.host))];
    const served = hosts.length === 0 ? "its hosts" : hosts.join(", ");
    warnings.push(
      `${object} brings its own certificate (${fields.join(", ")}), which the edge does not use: Cloudflare serves ${served} ` +
        `with a managed certificate. To keep that certificate, upload it to the zone as a custom certificate ` +
        `(SSL/TLS > Edge Certificates; Business or Enterprise plan); otherwise remove the certificate material from the manifest.`,
    );
  }
  return warnings;
}

/** `Route shop/web` / `Ingress shop/api` for a compiled route (Ingress ids carry `#rule.path`). */
function objectOf(route: CompiledRoute): string {
  const hash = route.id.indexOf("#");
  return `${route.kind} ${hash < 0 ? route.id : route.id.slice(0, hash)}`;
}

/** The plan as text: one table of triggers, then skipped hosts and warnings. */
export function formatPlan(plan: DomainPlan, dryRun: boolean): string {
  const rows = [
    ...plan.customDomains.map((host) => ["custom domain", host, "-", "managed certificate for this host"]),
    ...plan.zoneRoutes.map((route) => [
      "zone route",
      route.pattern,
      route.zone_name,
      "zone certificate (see warnings)",
    ]),
  ];
  const lines = [formatTable(["KIND", "PATTERN", "ZONE", "CERTIFICATE"], rows)];
  for (const { host, reason } of plan.skipped) lines.push(`skipped ${host}: ${reason}\n`);
  for (const warning of plan.warnings) lines.push(`warning: ${warning}\n`);
  lines.push(`${dryRun ? "would run" : "ran"}: wrangler ${plan.wranglerArgs.map(shellQuote).join(" ")}\n`);
  return lines.join("");
}

function shellQuote(arg: string): string {
  return /^[\w./:=@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export const domains = defineCommand({
  name: "domains",
  summary: "Attach every admitted host to the Worker (Custom Domains, wildcard zone routes) for managed certificates",
  usage: "FILE|DIR|- [--zone ZONE] [--dry-run] [options]",
  description: `
Derive the Worker's triggers from the admitted hosts: an exact host becomes a Workers Custom Domain (Cloudflare
creates its DNS record and issues its certificate); a wildcard host *.S becomes the zone route *.S/* in --zone.
Then apply them with \`wrangler deploy\`, which uploads the Worker and REPLACES its routes and Custom Domains with
this plan. --dry-run prints the plan and has wrangler check it offline without deploying.`,
  options: {
    zone: {
      type: "string",
      value: "ZONE",
      description: "Zone (e.g. example.com) of the wildcard hosts' zone routes; required when there are wildcard hosts",
    },
    "dry-run": {
      type: "boolean",
      description: "Print the plan and check it with `wrangler deploy --dry-run`; change nothing",
    },
    config: {
      type: "string",
      value: "FILE",
      description: "Wrangler configuration of the Worker (default wrangler.toml)",
    },
    ...COMPILE_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  examples: [
    "npm run routes -- domains routes-config/prod --zone example.com --dry-run",
    "npm run routes -- domains routes-config/prod --zone example.com --allow-wildcards",
  ],
  async run(context) {
    const { args, io, out } = context;
    const compiled = await compileInputs(args.positionals, context);
    if (compiled.counts.error > 0) {
      out.progress(`not planning: ${plural(compiled.counts.error, "error")} above; fix them first`);
      return 1;
    }
    const config = resolve(io.cwd, stringOption(args, "config") ?? "wrangler.toml");
    const plan = planDomains(compiled.result.admitted, compiled.diagnostics, {
      zone: stringOption(args, "zone"),
      config,
    });
    if (plan.customDomains.length === 0 && plan.zoneRoutes.length === 0) {
      throw new UserError("no admitted host can be attached to the Worker (see the skipped hosts); nothing to do");
    }
    const dryRun = flag(args, "dry-run");
    out.progress(
      `${dryRun ? "checking" : "applying"}: ${plural(plan.customDomains.length, "custom domain")}, ${plural(plan.zoneRoutes.length, "zone route")}`,
    );
    // The dry run's bundle goes to a temporary directory, so checking leaves nothing behind.
    const outdir = dryRun ? await mkdtemp(join(tmpdir(), "edgeroute-domains-")) : null;
    try {
      const wranglerArgs =
        outdir === null ? plan.wranglerArgs : [...plan.wranglerArgs, "--dry-run", "--outdir", outdir];
      const { code: exit } = await runWrangler(wranglerArgs, io.env, io.stderr);
      if (exit !== 0)
        throw new UserError(
          `wrangler ${dryRun ? "rejected the plan" : "deploy failed"} (exit ${exit}); its output is above`,
        );
    } finally {
      if (outdir !== null) await rm(outdir, { recursive: true, force: true });
    }
    out.result({ ...plan, applied: !dryRun }, () => formatPlan(plan, dryRun));
    return 0;
  },
});
