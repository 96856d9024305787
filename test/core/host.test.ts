import { describe, expect, it } from "vitest";
import { normalizeHost, wildcardSuffix } from "../../worker/core/host.ts";
import { classifyTarget } from "../../worker/core/ip.ts";
import { addressInNetworks, formatNetwork, parseNetwork } from "../../worker/core/ip.ts";

describe("normalizeHost", () => {
  it.each([
    ["Shop.Example.COM", "shop.example.com"],
    ["shop.example.com:443", "shop.example.com"],
    ["shop.example.com.", "shop.example.com"],
    ["SHOP.example.com.:8443", "shop.example.com"],
    ["[::1]:8080", "[::1]"],
    ["127.0.0.1:8787", "127.0.0.1"],
  ])("%s → %s", (raw, expected) => expect(normalizeHost(raw)).toBe(expected));

  it.each(["", ":80", "a b", "shop.example.com:http", "[::1", "a/b", "x".repeat(254)])("refuses %j", (raw) => {
    expect(normalizeHost(raw)).toBeNull();
  });

  it("wildcard suffix drops exactly one label", () => {
    expect(wildcardSuffix("a.apps.example.com")).toBe("apps.example.com");
    expect(wildcardSuffix("localhost")).toBeNull();
  });
});

describe("classifyTarget", () => {
  it.each([
    ["169.254.169.254", "link-local"],
    ["[fe80::1]", "link-local"],
    ["::ffff:169.254.169.254", "link-local"],
    ["metadata.google.internal", "metadata"],
    ["METADATA.google.internal.", "metadata"],
    ["168.63.129.16", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["localhost", "loopback"],
    ["10.1.2.3", "private"],
    ["192.168.0.1", "private"],
    ["fc00::1", "private"],
    ["203.0.113.9", "ok"],
    ["lb.example.com", "ok"],
  ])("%s is %s", (host, expected) => expect(classifyTarget(host)).toBe(expected));
});

describe("networks", () => {
  it("matches IPv4 and IPv6 clients against allowlist entries", () => {
    const nets = ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"].map((e) => parseNetwork(e));
    expect(nets.every((n) => n !== null)).toBe(true);
    const list = nets.filter((n) => n !== null);
    expect(list.map(formatNetwork)).toEqual(["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
    expect(addressInNetworks("10.9.8.7", list)).toBe(true);
    expect(addressInNetworks("192.0.2.7", list)).toBe(true);
    expect(addressInNetworks("192.0.2.8", list)).toBe(false);
    expect(addressInNetworks("2001:db8::1", list)).toBe(true);
    expect(addressInNetworks("::ffff:10.0.0.1", list)).toBe(true);
    expect(addressInNetworks("2001:db9::1", list)).toBe(false);
    expect(addressInNetworks("not-an-ip", list)).toBe(false);
  });

  it("refuses what is not an address or network", () => {
    expect(parseNetwork("10.0.0.0/33")).toBeNull();
    expect(parseNetwork("example.com")).toBeNull();
    expect(parseNetwork("")).toBeNull();
  });
});
