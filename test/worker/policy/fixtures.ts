/** Shared builders for the policy tests: a plain route with no policy, and requests with a `cf` object. */
import type { CompiledRoute } from "../../../worker/core/table/types.ts";
import { route as buildRoute } from "../../support/route-builder.ts";

/** An admitted route without any policy; tests switch on the one they exercise. */
export function route(overrides: Partial<CompiledRoute> = {}): CompiledRoute {
  return buildRoute({
    id: "shop/web",
    host: "shop.example.com",
    tls: { termination: "edge", insecure: "None" },
    backends: [
      { service: "shop/web", weight: 100, id: "b1", endpoints: [{ scheme: "http", host: "192.0.2.10", port: 80 }] },
    ],
    ...overrides,
  });
}

/** A request to the route's host, with the given headers and `cf` object (omitted: no `cf` at all). */
export function request(init: { headers?: Record<string, string>; cf?: Record<string, unknown> } = {}): Request {
  const req: Request = new Request("https://shop.example.com/cart", {
    headers: init.headers,
    ...(init.cf === undefined ? {} : { cf: init.cf as RequestInitCfProperties }),
  });
  return req;
}
