/**
 * @module IP addresses and networks: which hosts the gateway may ever forward to, and allowlist matching. Used at
 * compile time (the CLI refuses forbidden endpoints and key-set URLs) and again at request time in the Worker
 * (defence in depth), so both apply the very same rules through {@link classifyTarget}. Parsing is ipaddr.js,
 * after the host has been read the way `fetch` will read it ({@link canonicalHost}).
 */
import ipaddr from "ipaddr.js";

/** Why a host may not be a forwarding target, or `ok`. `invalid`: `fetch` would refuse it or read it otherwise. */
export type AddressClass =
  | "ok"
  | "invalid"
  | "link-local"
  | "metadata"
  | "unspecified"
  | "loopback"
  | "private"
  | "multicast";

/** Address classes that are never a forwarding target, whatever the table or the environment says. */
export const NEVER_A_TARGET: ReadonlySet<AddressClass> = new Set<AddressClass>([
  "invalid",
  "link-local",
  "metadata",
  "unspecified",
  "multicast",
]);

/**
 * Cloud metadata endpoints that are not link-local (169.254.0.0/16 is refused as a whole, which covers AWS, GCP,
 * Azure IMDS, OpenStack, DigitalOcean, Oracle, Hetzner, Tencent 169.254.0.23 and the ECS task endpoint 169.254.170.2):
 * - 168.63.129.16: Azure WireServer, https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16
 * - 100.100.100.200: Alibaba Cloud ECS metadata, https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata
 * - 192.0.0.192: Oracle Cloud legacy metadata, https://github.com/swisskyrepo/PayloadsAllTheThings/blob/master/Server%20Side%20Request%20Forgery/SSRF-Cloud-Instances.md
 * - fd00:ec2::254: AWS IMDS over IPv6, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 * - fd20:ce::254: Google Compute Engine metadata over IPv6, https://cloud.google.com/compute/docs/metadata/querying-metadata
 */
const METADATA_ADDRESSES = new Set([
  "168.63.129.16",
  "100.100.100.200",
  "192.0.0.192",
  "fd00:ec2::254",
  "fd20:ce::254",
]);
/** Names that resolve to a metadata API inside clouds (same sources as above, plus Tencent and IBM Cloud). */
const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.com",
  "metadata.platformequinix.com",
  "metadata.tencentyun.com",
  "api.metadata.cloud.ibm.com",
]);

/** True when `host` is an IPv4 or IPv6 literal as `fetch` reads it (`127.1` and `0x7f.0.0.1` are; brackets allowed). */
export function isIpLiteral(host: string): boolean {
  return isCanonicalIp(canonicalHost(host));
}

/** {@link isIpLiteral} of a host already put through {@link canonicalHost} (for callers that need both). */
export function isCanonicalIp(canonical: string | null): boolean {
  return canonical !== null && (canonical.startsWith("[") || IPV4_DOTTED.test(canonical));
}

const IPV4_DOTTED = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * A host as the WHATWG URL parser reads it (`new URL("http://" + host).hostname`, https://url.spec.whatwg.org/#host-parsing),
 * which is what `fetch` connects to: lowercased; IPv4 in any spelling the parser accepts (`0x7f.1`, `0177.0.0.1`,
 * `2130706433`, `127.0x.0x.1`) written as dotted decimal; IPv6 in brackets in ipaddr.js's compact form (a bare IPv6,
 * as a Service's `status.loadBalancer.ingress[].ip` holds it, is accepted too). `null` when the parser would fail,
 * including a name whose last label is a number or `0x…` but that is not a valid IPv4 address (`1.2.3.4.5`,
 * `999.1.1.1`), and for what the core does not decode: `%` escapes and non-ASCII (IDNA) names, which are refused
 * rather than guessed. A trailing dot is kept off the result.
 * @example canonicalHost("0x.0x.0x.0x") === "0.0.0.0"; canonicalHost("[::FFFF:127.0.0.1]") === "[::ffff:7f00:1]"
 */
export function canonicalHost(host: string): string | null {
  const text = host.toLowerCase();
  if (text.startsWith("[") || text.includes(":")) {
    const inner = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
    // No zone ids (`fe80::1%eth0`): the URL parser has none.
    if (inner.includes("%") || !ipaddr.IPv6.isValid(inner)) return null;
    return `[${ipaddr.IPv6.parse(inner).toString()}]`;
  }
  // Forbidden domain code points (https://url.spec.whatwg.org/#forbidden-domain-code-point), `%` (the parser would
  // percent-decode it first) and anything outside ASCII (IDNA mapping, e.g. full-width digits and dots).
  if (text === "" || !/^[a-z0-9._~!$&'()*+,;=-]+$/.test(text)) return null;
  if (!endsInNumber(text)) return text.endsWith(".") && text.length > 1 ? text.slice(0, -1) : text;
  return parseWhatwgIpv4(text);
}

/** https://url.spec.whatwg.org/#ends-in-a-number-checker */
function endsInNumber(text: string): boolean {
  const parts = text.split(".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
  const last = parts[parts.length - 1] ?? "";
  return /^\d+$/.test(last) || /^0x[0-9a-f]*$/.test(last);
}

/** https://url.spec.whatwg.org/#concept-ipv4-parser: dotted decimal, or `null` for an IPv4 parsing failure. */
function parseWhatwgIpv4(text: string): string | null {
  const parts = text.split(".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseWhatwgIpv4Number(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop() as number;
  if (numbers.some((n) => n > 255)) return null;
  if (last >= 256 ** (5 - parts.length)) return null;
  let value = last;
  numbers.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** https://url.spec.whatwg.org/#ipv4-number-parser: `0x` hex (may be empty: 0), leading `0` octal, else decimal. */
function parseWhatwgIpv4Number(part: string): number | null {
  if (part === "") return null;
  let digits = part;
  let radix = 10;
  if (part.startsWith("0x")) {
    digits = part.slice(2);
    radix = 16;
  } else if (part.length > 1 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
  }
  if (digits === "") return 0;
  const valid = radix === 16 ? /^[0-9a-f]+$/ : radix === 8 ? /^[0-7]+$/ : /^\d+$/;
  if (!valid.test(digits)) return null;
  // Values beyond 2^32 only need to be recognised as too large; parseInt keeps enough precision for that.
  return Number.parseInt(digits, radix);
}

/**
 * Classify a target host (IP literal or DNS name) as `fetch` will read it: the host is canonicalised first
 * ({@link canonicalHost}), then an IPv6 address that carries an IPv4 address (mapped `::ffff:a.b.c.d`, translated
 * `::ffff:0:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`,
 * Teredo `2001::/32`) is classified by that IPv4 address too, the stricter class winning. DNS names are `ok` unless
 * they are a metadata name or `localhost`; the addresses they resolve to cannot be seen from a Worker, which is why
 * the CLI asks for load-balancer addresses and the README tells operators to point names only at their load balancers.
 * @example classifyTarget("169.254.0x.1") === "link-local"; classifyTarget("[64:ff9b::7f00:1]") === "loopback"
 */
export function classifyTarget(host: string): AddressClass {
  const canonical = canonicalHost(host);
  if (canonical === null) return "invalid";
  if (canonical.startsWith("[")) return classifyIpv6(ipaddr.IPv6.parse(canonical.slice(1, -1)));
  if (IPV4_DOTTED.test(canonical)) return classifyIpv4(ipaddr.IPv4.parse(canonical));
  if (METADATA_HOSTS.has(canonical)) return "metadata";
  if (canonical === "localhost" || canonical.endsWith(".localhost")) return "loopback";
  return "ok";
}

/**
 * The request-time rule, the same classes the compiler refuses for every table: `null` when the Worker may connect
 * to `host`, else its class. Loopback only in local development (`ALLOW_LOOPBACK_TARGETS`); private ranges are a
 * publish-time decision (`--allow-private-endpoints`), so they pass here.
 */
export function forbiddenTarget(host: string, allowLoopback: boolean): AddressClass | null {
  const kind = classifiedTarget(host);
  if (NEVER_A_TARGET.has(kind) || (kind === "loopback" && !allowLoopback)) return kind;
  return null;
}

/**
 * `classifyTarget` remembered per host: the Worker checks every forwarded request's target, the hosts a table names
 * are few and their class never changes. Bounded, because a wildcard route's host comes from the request.
 */
const remembered = new Map<string, AddressClass>();
const REMEMBERED_HOSTS = 4096;

function classifiedTarget(host: string): AddressClass {
  let kind = remembered.get(host);
  if (kind === undefined) {
    if (remembered.size >= REMEMBERED_HOSTS) remembered.clear();
    kind = classifyTarget(host);
    remembered.set(host, kind);
  }
  return kind;
}

/** The order in which classes win when an IPv6 address and its embedded IPv4 address disagree. */
const SEVERITY: readonly AddressClass[] = [
  "invalid",
  "metadata",
  "link-local",
  "unspecified",
  "multicast",
  "loopback",
  "private",
  "ok",
];

function classifyIpv6(addr: ipaddr.IPv6): AddressClass {
  const own = classifyAddress(addr);
  const embedded = embeddedIpv4(addr);
  if (embedded === null) return own;
  const inner = classifyIpv4(embedded);
  return SEVERITY.indexOf(inner) < SEVERITY.indexOf(own) ? inner : own;
}

function classifyIpv4(addr: ipaddr.IPv4): AddressClass {
  return classifyAddress(addr);
}

function classifyAddress(addr: ipaddr.IPv4 | ipaddr.IPv6): AddressClass {
  if (METADATA_ADDRESSES.has(addr.toString())) return "metadata";
  switch (addr.range()) {
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

/**
 * The IPv4 address an IPv6 address carries, or `null`. Prefixes: RFC 4291 §2.5.5 (compatible, mapped,
 * https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5), RFC 2765 §2.1 (translated), RFC 6052 §2.1-2.2 (NAT64
 * well-known `64:ff9b::/96`) and RFC 8215 (local-use `64:ff9b:1::/48`, IPv4 in bits 48-63 and 72-95 around the `u`
 * octet), RFC 3056 §2 (6to4, bits 16-47), RFC 4380 §4 (Teredo: the client's IPv4 is the last 32 bits inverted).
 */
function embeddedIpv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const w = addr.parts; // eight 16-bit words
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const [w0, w1, w2, w3, w4, w5, w6, w7] = w as [number, number, number, number, number, number, number, number];
  if (zero(0, 5) && w5 === 0xffff) return v4(w6, w7); // ::ffff:a.b.c.d
  if (zero(0, 4) && w4 === 0xffff && w5 === 0) return v4(w6, w7); // ::ffff:0:a.b.c.d
  if (zero(0, 6) && !(w6 === 0 && w7 <= 1)) return v4(w6, w7); // ::a.b.c.d (not :: or ::1)
  if (w0 === 0x64 && w1 === 0xff9b && zero(2, 6)) return v4(w6, w7); // 64:ff9b::/96
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 1) return new ipaddr.IPv4([w3 >> 8, w3 & 0xff, w4 & 0xff, w5 >> 8]);
  if (w0 === 0x2002) return v4(w1, w2); // 2002:AABB:CCDD::/48
  if (w0 === 0x2001 && w1 === 0) return v4(w6 ^ 0xffff, w7 ^ 0xffff); // Teredo client
  return null;
}

/** A parsed network for allowlist checks. */
export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** IPv4 as Go's `net.ParseIP` reads it: four decimal parts of 0-255 without leading zeros (Go 1.17+). */
const GO_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * An address as Go's `net.ParseIP` accepts it (https://pkg.go.dev/net#ParseIP): IPv4 only as four decimal parts
 * without leading zeros (`203.0.113.010` and `10.1` are refused, never read as octal or short forms), IPv6 without
 * a zone, an embedded IPv4 tail under the same rule.
 */
function goParseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (GO_IPV4.test(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes(":") || text.includes("%") || !ipaddr.IPv6.isValid(text)) return null;
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".") && !GO_IPV4.test(tail)) return null;
  return ipaddr.IPv6.parse(text);
}

/**
 * Parse one allowlist entry (`10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`) as the router does with Go's `net.ParseIP`
 * and `net.ParseCIDR` (https://pkg.go.dev/net#ParseCIDR): a bare address is a host network; the prefix length is
 * decimal without leading zeros. An IPv4-mapped address stands for its IPv4 address. Returns `null` for anything else.
 */
export function parseNetwork(entry: string): Network | null {
  const slash = entry.indexOf("/");
  const address = goParseIp(slash < 0 ? entry : entry.slice(0, slash));
  if (address === null) return null;
  const max = address.kind() === "ipv4" ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const text = entry.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(text) || Number(text) > max) return null;
    bits = Number(text);
  }
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) {
    return [address.toIPv4Address(), bits - 96];
  }
  return [address, bits];
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
