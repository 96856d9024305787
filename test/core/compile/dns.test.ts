import { describe, expect, it } from "vitest";
import { dnsSubdomainProblem } from "../../../worker/core/compile/dns.ts";

describe("dnsSubdomainProblem", () => {
  it.each(["a", "shop.example.com", "x-1.y2.z", `${"a".repeat(63)}.com`])("accepts %s", (name) => {
    expect(dnsSubdomainProblem(name)).toBeNull();
  });
  it.each([
    ["", "empty"],
    ["Shop.com", "upper-case"],
    ["a..b", "empty label"],
    ["a.", "empty label"],
    ["-a.com", "invalid label"],
    ["a-.com", "invalid label"],
    ["a_b.com", "invalid label"],
    [`${"a".repeat(64)}.com`, "more than 63"],
    [`${"a.".repeat(127)}ab`, "more than 253"],
  ])("refuses %j (%s)", (name, fragment) => {
    expect(dnsSubdomainProblem(name)).toContain(fragment);
  });
});
