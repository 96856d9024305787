import { describe, expect, it } from "vitest";
import { endpointRefusal } from "../../../worker/core/compile/endpoint-safety.ts";

const local = { target: "local" as const, allowPrivateEndpoints: false };
const remote = { target: "remote" as const, allowPrivateEndpoints: false };
const remotePrivate = { target: "remote" as const, allowPrivateEndpoints: true };

describe("endpointRefusal", () => {
  it.each([
    "169.254.169.254",
    "fe80::1",
    "::ffff:169.254.169.254",
    "0.0.0.0",
    "::",
    "metadata.google.internal",
    "fd00:ec2::254",
    "224.0.0.1",
  ])("never allows %s", (host) => {
    for (const options of [local, remote, remotePrivate]) expect(endpointRefusal(host, options)).not.toBeNull();
  });
  it.each(["127.0.0.1", "::1", "localhost"])("allows loopback %s only locally", (host) => {
    expect(endpointRefusal(host, local)).toBeNull();
    expect(endpointRefusal(host, remotePrivate)).toContain("loopback");
  });
  it.each(["10.0.0.1", "172.16.0.1", "192.168.1.1", "fc00::1"])("allows private %s locally or when allowed", (host) => {
    expect(endpointRefusal(host, local)).toBeNull();
    expect(endpointRefusal(host, remote)).toContain("private range");
    expect(endpointRefusal(host, remotePrivate)).toBeNull();
  });
  it.each(["203.0.113.10", "2001:db8::1", "origin.example.com"])("allows public %s everywhere", (host) => {
    expect(endpointRefusal(host, remote)).toBeNull();
  });
});
