/**
 * @module `npm start`: the whole gateway on this machine, on its embedded default.
 * 1. starts the two demo backends (blue on 8081, green on 8082) that routes-config/ points at;
 * 2. publishes routes-config/ to the local KV with the routes CLI (`routes push --local`);
 * 3. runs the gateway (wrangler dev, workerd) on http://127.0.0.1:$PORT (8787) and https://127.0.0.1:$HTTPS_PORT
 *    (8443, wrangler's self-signed certificate), both serving that KV.
 * Ctrl-C stops everything.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { startEchoBackend } from "./echo-backend.ts";
import { PROJECT_ROOT, type RunningGateway, startGateway } from "./wrangler-dev.ts";

const PORT = Number(process.env.PORT ?? 8787);
const HTTPS_PORT = Number(process.env.HTTPS_PORT ?? 8443);
const PERSIST_TO = resolve(PROJECT_ROOT, ".wrangler/state");

async function main(): Promise<void> {
  const blue = await startEchoBackend("blue", 8081);
  const green = await startEchoBackend("green", 8082);
  console.log(`demo backends: blue ${blue.url}, green ${green.url}`);

  const pushed = await run(resolve(PROJECT_ROOT, "node_modules/.bin/node"), [
    resolve(PROJECT_ROOT, "scripts/cli.ts"),
    "push",
    "--local",
    "--persist-to",
    PERSIST_TO,
    resolve(PROJECT_ROOT, "routes-config"),
  ]);
  if (pushed !== 0) {
    console.error("routes push failed: see the errors above. Nothing was started.");
    await Promise.all([blue.close(), green.close()]);
    process.exit(1);
  }

  const gateways: RunningGateway[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all([blue.close(), green.close()]);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());

  gateways.push(await startGateway({ port: PORT, persistTo: PERSIST_TO, stdio: "inherit" }));
  gateways.push(await startGateway({ port: HTTPS_PORT, persistTo: PERSIST_TO, protocol: "https", stdio: "inherit" }));
  console.log(`
edgeroute is serving routes-config/ on http://127.0.0.1:${PORT} and https://127.0.0.1:${HTTPS_PORT}
  curl -sk --resolve shop.example.com:${HTTPS_PORT}:127.0.0.1 https://shop.example.com:${HTTPS_PORT}/   # 90% blue, 10% green
  curl -si -H 'Host: shop.example.com' http://127.0.0.1:${PORT}/                                        # 302 to https
  npm run routes -- status                                                                               # the live table
Ctrl-C stops the gateway and the demo backends.`);
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      stdio: "inherit",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    child.on("close", (code) => resolvePromise(code ?? 1));
  });
}

await main();
