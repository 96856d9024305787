/**
 * Hosts are classified as `fetch` reads them: the core's WHATWG host parser must agree with the URL parser of the
 * runtime (Node's `URL`, the same WHATWG algorithm as workerd's), spelling by spelling.
 */
import { describe, expect, it } from "vitest";
import { canonicalHost, classifyTarget, parseNetwork } from "../../worker/core/ip.ts";

/** What `new URL` makes of a host, in the core's form (IPv6 compact, no trailing dot), or null when it throws. */
function urlHost(host: string): string | null {
  try {
    const parsed = new URL(`http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}/`).hostname;
    return parsed.endsWith(".") ? parsed.slice(0, -1) : parsed;
  } catch {
    return null;
  }
}

const SPELLINGS = [
  "0x.0x.0x.0x",
  "127.0x.0x.1",
  "169.254.0x.1",
  "0x7f.1",
  "0177.0.0.1",
  "2130706433",
  "0xa9fea9fe",
  "169.254.43518",
  "127.1",
  "127.0.0.1.",
  "1.2.3.4.5",
  "999.1.1.1",
  "1.2.3.0x",
  "1.2.3.09",
  "0x100.1.1.1",
  "4294967296",
  "lb.example.com",
  "LB.Example.COM.",
  "a.0x1g",
  "a.1x",
  "203.0.113.10",
  "::1",
  "[::ffff:127.0.0.1]",
  "[64:ff9b::a9fe:a9fe]",
];

describe("canonicalHost agrees with the WHATWG URL parser", () => {
  it.each(SPELLINGS)("%s", (host) => {
    const ours = canonicalHost(host);
    const theirs = urlHost(host);
    if (theirs === null) expect(ours).toBeNull();
    else expect(ours).toBe(theirs.startsWith("[") ? `[${theirs.slice(1, -1)}]` : theirs);
  });
  it.each(["127.0.0.%31", "１２７.0.0.1", "fe80::1%25eth0", "a b", ""])("refuses %j rather than guessing", (host) => {
    expect(canonicalHost(host)).toBeNull();
  });
});

describe("classifyTarget reads every spelling", () => {
  it.each([
    ["0x.0x.0x.0x", "unspecified"],
    ["127.0x.0x.1", "loopback"],
    ["169.254.0x.1", "link-local"],
    ["0xa9.0xfe.0xa9.0xfe", "link-local"],
    ["2852039166", "link-local"],
    ["0251.0376.0251.0376", "link-local"],
    ["1.2.3.4.5", "invalid"],
    ["999.1.1.1", "invalid"],
    ["evil.0x1g", "ok"],
    ["evil.1", "invalid"],
    ["::ffff:169.254.169.254", "link-local"],
    ["[::ffff:0:a9fe:a9fe]", "link-local"],
    ["::127.0.0.1", "loopback"],
    ["64:ff9b::169.254.169.254", "link-local"],
    ["64:ff9b:1:a9fe:a9:fe00::", "link-local"],
    ["2002:a9fe:a9fe::1", "link-local"],
    ["2002:7f00:1::", "loopback"],
    ["2001:0:4136:e378:8000:63bf:5601:5601", "link-local"],
    ["192.0.0.192", "metadata"],
    ["100.100.100.200", "metadata"],
    ["168.63.129.16", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["[fd20:ce::254]", "metadata"],
    ["64:ff9b::c000:c0", "metadata"],
    ["metadata.tencentyun.com", "metadata"],
    ["2002:0a00:0001::", "private"],
    ["2606:4700::1111", "ok"],
  ])("%s is %s", (host, expected) => expect(classifyTarget(host)).toBe(expected));
});

describe("allowlist entries are parsed as Go's net.ParseIP / ParseCIDR do", () => {
  it.each([
    "203.0.113.010",
    "10.1/16",
    "10.1",
    "0x7f.0.0.1",
    "1.2.3.4/08",
    "::ffff:1.2.3.04",
    "fe80::1%eth0",
    "2130706433",
  ])("refuses %s", (entry) => expect(parseNetwork(entry)).toBeNull());
  it.each([
    ["203.0.113.10", "203.0.113.10/32"],
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["::ffff:192.0.2.1", "192.0.2.1/32"],
    ["2001:db8::/32", "2001:db8::/32"],
  ])("reads %s as %s", (entry, text) => {
    const network = parseNetwork(entry);
    expect(network && `${network[0].toString()}/${network[1]}`).toBe(text);
  });
});
