/**
 * @module `npm run dev`: only the gateway (wrangler dev, workerd) against the local KV, on $PORT (8787).
 * Publish to that KV with `npm run routes -- push --local routes-config`; start your own backends.
 */
import { resolve } from "node:path";
import { PROJECT_ROOT, startGateway } from "./wrangler-dev.ts";

const gateway = await startGateway({
  port: Number(process.env.PORT ?? 8787),
  persistTo: resolve(PROJECT_ROOT, ".wrangler/state"),
  protocol: process.env.LOCAL_PROTOCOL === "https" ? "https" : "http",
  stdio: "inherit",
});
console.log(`edgeroute (dev) is serving the local KV on ${gateway.url}`);
process.once("SIGINT", () => void gateway.stop().then(() => process.exit(0)));
process.once("SIGTERM", () => void gateway.stop().then(() => process.exit(0)));
