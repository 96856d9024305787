/**
 * The warm-up (worker/warm-up.ts) really runs the request path: its one-route table is read with the current
 * shard reader and its request is forwarded to that route. If the table format moves on and the warm-up's literal
 * shard no longer reads, this fails (in service the warm-up would only log `warm-up-failed`).
 */
import { expect, it } from "vitest";
import { warmUp } from "../../worker/warm-up.ts";

it("reads its one-route table and routes its request to that route", async () => {
  expect(await warmUp()).toBe("warm/web");
});
