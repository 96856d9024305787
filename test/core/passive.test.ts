import { describe, expect, it } from "vitest";
import { FAILURES_TO_EJECT, MAX_EJECTION_MS, PassiveHealth } from "../../worker/core/passive.ts";

describe("passive health", () => {
  const key = "http://10.0.0.1:80 shop.example.com";

  it("ejects at once on a refused connection, for 1 s, doubling on each ejection in a row up to 30 s", () => {
    const health = new PassiveHealth();
    expect(health.quiet).toBe(true);
    expect(health.failure(key, "refused", 0)).toBe(true);
    expect(health.ejectedFor(key, 0)).toBe(1000);
    expect(health.failure(key, "refused", 1000)).toBe(true);
    expect(health.ejectedFor(key, 1000)).toBe(2000);
    let now = 3000;
    for (let i = 0; i < 10; i++) {
      health.failure(key, "failed", now);
      now += health.ejectedFor(key, now);
    }
    expect(health.ejectedFor(key, now - 1)).toBe(1);
    health.failure(key, "failed", now);
    expect(health.ejectedFor(key, now)).toBe(MAX_EJECTION_MS);
  });

  it(`ejects after ${FAILURES_TO_EJECT} failed answers in a row; a success forgets everything`, () => {
    const health = new PassiveHealth();
    for (let i = 1; i < FAILURES_TO_EJECT; i++) expect(health.failure(key, "failed", 0)).toBe(false);
    health.success(key);
    expect(health.quiet).toBe(true);
    for (let i = 1; i < FAILURES_TO_EJECT; i++) health.failure(key, "failed", 0);
    expect(health.ejected(key, 0)).toBe(false);
    expect(health.failure(key, "failed", 0)).toBe(true);
    expect(health.ejected(key, 999)).toBe(true);
    expect(health.ejected(key, 1000)).toBe(false);
    expect(health.ejected("http://10.0.0.2:80 shop.example.com", 0)).toBe(false);
  });
});
