import { describe, expect, it } from "vitest";
import { remoteKeySet } from "../../../worker/policy/jwks.ts";

const url = (i: number) => `https://id${i}.example.com/jwks`;

describe("remote key sets", () => {
  it("keeps one resolver per JWKS URL, so jose's key cache survives between requests", () => {
    expect(remoteKeySet(url(0))).toBe(remoteKeySet(url(0)));
    expect(remoteKeySet(url(0))).not.toBe(remoteKeySet(url(1)));
  });

  it("holds at most 32 URLs and drops the least recently used one", () => {
    const first = remoteKeySet(url(100));
    const kept = remoteKeySet(url(101));
    for (let i = 102; i < 132; i++) remoteKeySet(url(i));
    // 32 URLs are held now; touching 101 makes 100 the least recently used.
    expect(remoteKeySet(url(101))).toBe(kept);
    remoteKeySet(url(132));
    expect(remoteKeySet(url(101))).toBe(kept);
    expect(remoteKeySet(url(100))).not.toBe(first);
  });
});
