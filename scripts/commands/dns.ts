/**
 * @module `routes dns --zone Z FILE|DIR|-`: the DNS records a deployed route table needs, printed as a BIND
 * zone-file fragment (what Cloudflare's "Import DNS records" reads,
 * https://developers.cloudflare.com/dns/manage-dns-records/how-to/import-and-export/) or as JSON. It writes nothing.
 * The manifests are compiled for the deployed Worker (`--remote` rules, with the zones), so every name printed is
 * one the Worker can use.
 *
 * - Exact route hosts are Workers Custom Domains: Cloudflare creates their proxied records (`routes domains`).
 * - A wildcard route host needs a proxied record of its own (an originless `AAAA 100::`, docs/security.md).
 * - Each load-balancer name the Worker passes to `cf.resolveOverride`: with a hostname annotation, the records
 *   ExternalDNS would publish for it (A/AAAA for an address, CNAME for a hostname); a name read from the load
 *   balancer's status or `spec.externalName` must exist, but edgeroute does not know what it points to.
 */
import { isIpLiteral, zoneOf, type CompiledRoute } from "../../worker/core/index.ts";
import type { EndpointName } from "../../worker/core/compile/index.ts";
import { compileInputs } from "../lib/compile-inputs.ts";
import { plural } from "../lib/output.ts";
import { defineCommand } from "../lib/define-command.ts";
import { UserError } from "../lib/errors.ts";
import { COMPILE_OPTIONS, OUTPUT_OPTIONS, ZONE_OPTIONS, zonesOf } from "../lib/options.ts";

/** The TTL printed for records edgeroute can spell out (5 minutes; Cloudflare uses Auto for proxied ones). */
const TTL = 300;

export interface DnsRecord {
  name: string;
  type: "A" | "AAAA" | "CNAME";
  value: string;
  /** `true`: must be proxied (orange); `null`: proxied or DNS only, either works. */
  proxied: boolean | null;
  /** Why the table needs it. */
  reason: string;
}

export interface DnsPlan {
  zones: string[];
  /** Exact route hosts: Workers Custom Domains, whose records Cloudflare creates. */
  customDomains: string[];
  records: DnsRecord[];
  /** Names that must resolve to a load balancer, with values edgeroute cannot know. */
  mustExist: { name: string; service: string; field: string }[];
}

/** The records for the admitted routes and their endpoint names. Pure (tests call it with compiler output). */
export function planDns(admitted: readonly CompiledRoute[], names: readonly EndpointName[], zones: string[]): DnsPlan {
  const hosts = [...new Set(admitted.map((route) => route.host))].filter((host) => zoneOf(host, zones) !== undefined);
  const customDomains = hosts.filter((host) => !host.startsWith("*.")).sort();
  const records: DnsRecord[] = hosts
    .filter((host) => host.startsWith("*."))
    .sort()
    .map((host) => ({
      name: host,
      type: "AAAA",
      value: "100::",
      proxied: true,
      reason: `zone route ${host}/* of the Worker (an originless record; \`routes domains\` does not create it)`,
    }));
  const mustExist: DnsPlan["mustExist"] = [];
  for (const { name, service, field, targets } of names) {
    if (targets.length === 0) {
      mustExist.push({ name, service, field });
      continue;
    }
    for (const target of targets) {
      records.push({
        name,
        type: isIpLiteral(target) ? (target.includes(":") ? "AAAA" : "A") : "CNAME",
        value: target,
        proxied: null,
        reason: `load balancer of Service ${service} (${field})`,
      });
    }
  }
  return { zones, customDomains, records, mustExist };
}

/** The plan as a BIND zone-file fragment: records as lines, everything else as `;` comments. */
export function formatDns(plan: DnsPlan): string {
  const lines = [`; DNS records the route table needs in ${plan.zones.join(", ")} (BIND zone-file syntax)`];
  if (plan.customDomains.length > 0) {
    lines.push(
      "; Route hosts served as Workers Custom Domains: Cloudflare creates their proxied records (routes domains):",
    );
    for (const host of plan.customDomains) lines.push(`;   ${host}`);
  }
  const width = Math.max(0, ...plan.records.map((record) => record.name.length + 1));
  for (const record of plan.records) {
    const value = record.type === "CNAME" ? `${record.value}.` : record.value;
    const proxied = record.proxied === true ? "proxied" : "proxied or DNS only";
    lines.push(
      `${`${record.name}.`.padEnd(width)}  ${TTL}  IN  ${record.type.padEnd(5)}  ${value}  ; ${proxied}: ${record.reason}`,
    );
  }
  for (const { name, service, field } of plan.mustExist) {
    lines.push(
      `; ${name}: must resolve to the load balancer of Service ${service}${field === "" ? "" : ` (named by its ${field})`}; edgeroute does not know the address`,
    );
  }
  if (plan.records.length === 0 && plan.mustExist.length === 0 && plan.customDomains.length === 0)
    lines.push("; no records: no admitted route");
  return lines.map((line) => `${line}\n`).join("");
}

export const dns = defineCommand({
  name: "dns",
  summary: "Print the DNS records the deployed route table needs (writes nothing)",
  usage: "--zone Z[,Z…] FILE|DIR|- ... [options]",
  description: `
Compiles the manifests for the deployed Worker (the --remote rules, with --zone) and prints the DNS records the
table needs, as a BIND zone-file fragment that Cloudflare's "Import DNS records" reads, or with --output json:
the route hosts (Custom Domains, created by \`routes domains\`; a proxied record for each wildcard host) and every
load-balancer name the Worker passes to cf.resolveOverride, with the records ExternalDNS would publish for a
hostname annotation. Compare it with the zone, or apply it. Writes nothing; exit 1 when the manifests have errors
(then only the admitted routes' records are printed).`,
  options: { ...ZONE_OPTIONS, ...COMPILE_OPTIONS, ...OUTPUT_OPTIONS },
  examples: [
    "npm run routes -- dns --zone example.com routes-config/prod",
    "oc get routes,ingresses,services -A -o yaml | npm run routes -- dns --zone example.com -",
  ],
  async run(context) {
    const { args, out } = context;
    const zones = zonesOf(args);
    if (zones.length === 0)
      throw new UserError("dns needs the zone of the route hosts: pass --zone Z (e.g. --zone example.com)");
    const { result, counts, diagnostics } = await compileInputs(args.positionals, context, { target: "remote" });
    const plan = planDns(result.admitted, result.endpointNames, zones);
    out.result({ ok: counts.error === 0, ...plan, counts, diagnostics }, () => formatDns(plan));
    if (counts.error > 0) out.progress(`the records above leave out what the ${plural(counts.error, "error")} dropped`);
    return counts.error > 0 ? 1 : 0;
  },
});
