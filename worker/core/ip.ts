/**
 * @module IP addresses and networks: which endpoint addresses the gateway may ever forward to, and allowlist
 * matching. Used at compile time (the CLI refuses forbidden endpoints) and again at request time in the Worker
 * (defence in depth), so both apply the very same rules. Parsing is ipaddr.js.
 */
import ipaddr from "ipaddr.js";

/** Why an address may not be a forwarding target, or `ok`. */
export type AddressClass = "ok" | "link-local" | "metadata" | "unspecified" | "loopback" | "private" | "multicast";

/** Address classes that are never a forwarding target, whatever the table or the environment says. */
export const NEVER_A_TARGET: ReadonlySet<AddressClass> = new Set<AddressClass>([
  "link-local",
  "metadata",
  "unspecified",
  "multicast",
]);

/** Cloud metadata endpoints that are not link-local (OpenShift `checkRestrictedIP` drops these too). */
const METADATA_ADDRESSES = new Set(["168.63.129.16", "100.100.100.200", "fd00:ec2::254"]);
/** Names that resolve to a metadata API inside clouds. */
const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.com",
  "metadata.platformequinix.com",
]);

/** True when `host` is an IPv4 or IPv6 literal (brackets allowed). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(stripBrackets(host));
}

/**
 * Classify a target host (IP literal or DNS name). DNS names are `ok` unless they are a metadata name or
 * `localhost`; the addresses they resolve to cannot be seen from a Worker, which is why the CLI asks for
 * load-balancer addresses and the README tells operators to point names only at their load balancers.
 * @example classifyTarget("169.254.169.254") === "link-local"; classifyTarget("[::ffff:127.0.0.1]") === "loopback"
 */
export function classifyTarget(host: string): AddressClass {
  const bare = stripBrackets(host.toLowerCase()).replace(/\.$/, "");
  if (METADATA_HOSTS.has(bare)) return "metadata";
  if (bare === "localhost" || bare.endsWith(".localhost")) return "loopback";
  if (!ipaddr.isValid(bare)) return "ok";
  // process() folds IPv4-mapped IPv6 (::ffff:169.254.169.254) into IPv4, so a mapped spelling cannot slip through.
  const addr = ipaddr.process(bare);
  if (METADATA_ADDRESSES.has(addr.toString())) return "metadata";
  const range = addr.range();
  switch (range) {
    case "linkLocal":
      return "link-local";
    case "unspecified":
      return "unspecified";
    case "loopback":
      return "loopback";
    case "multicast":
    case "broadcast":
      return "multicast";
    case "private":
    case "uniqueLocal":
    case "carrierGradeNat":
      return "private";
    default:
      return "ok";
  }
}

/** A parsed network for allowlist checks. */
export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Parse one allowlist entry (`10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`) as the router does: a bare address is a
 * host network. Returns `null` for anything else.
 */
export function parseNetwork(entry: string): Network | null {
  try {
    if (entry.includes("/")) {
      if (!ipaddr.isValidCIDR(entry)) return null;
      return ipaddr.parseCIDR(entry);
    }
    if (!ipaddr.isValid(entry)) return null;
    const addr = ipaddr.process(entry);
    return [addr, addr.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}

/** The canonical CIDR text of a network (`10.0.0.0/8`), as stored in the route table. */
export function formatNetwork([addr, bits]: Network): string {
  return `${addr.toString()}/${bits}`;
}

/** True when the client address is inside one of the networks. An unparsable client address matches nothing. */
export function addressInNetworks(client: string, networks: readonly Network[]): boolean {
  if (!ipaddr.isValid(client)) return false;
  const addr = ipaddr.process(client);
  for (const [net, bits] of networks) {
    if (net.kind() === addr.kind() && addr.match(net as never, bits)) return true;
  }
  return false;
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
