/**
 * @module `npm start`: the whole gateway on this machine, on its embedded default.
 * 1. starts the demo backends that routes-config/ points at: blue on 127.0.0.1:8081, green on 127.0.0.1:8082, and
 *    green's second endpoint green-2 on 127.0.0.2:8082 as its own process (`npm run backend`), so it can be
 *    killed and started again to watch failover; and a local
 *    stand-in for cluster east's router (8083, ./router-standin.ts) in front of them for the export in
 *    routes-config/east/ (its ClusterIP Services store/frontend-blue, -green and store/inventory);
 * 2. publishes routes-config/ to the local KV with the routes CLI (`routes push --local`), mapping the router's
 *    canonical host name to the stand-in (`--resolve router-default.apps.east.example.com=127.0.0.1:8083`);
 * 3. runs the gateway (wrangler dev, workerd) on http://127.0.0.1:$PORT (8787) and https://127.0.0.1:$HTTPS_PORT
 *    (8443, wrangler's self-signed certificate), both serving that KV.
 * Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { startEchoBackend } from "./echo-backend.ts";
import { startRouterStandIn } from "./router-standin.ts";
import { PROJECT_ROOT, type RunningGateway, startGateway } from "./wrangler-dev.ts";

const PORT = Number(process.env.PORT ?? 8787);
const HTTPS_PORT = Number(process.env.HTTPS_PORT ?? 8443);
const ROUTER_PORT = Number(process.env.ROUTER_PORT ?? 8083);
const PERSIST_TO = resolve(PROJECT_ROOT, ".wrangler/state");
/** routerCanonicalHostname of the Routes in routes-config/east/. */
const EAST_ROUTER = "router-default.apps.east.example.com";

async function main(): Promise<void> {
  const blue = await startEchoBackend("blue", 8081);
  const green = await startEchoBackend("green", 8082);
  const green2 = spawn(
    resolve(PROJECT_ROOT, "node_modules/.bin/node"),
    [resolve(PROJECT_ROOT, "scripts/dev/backend.ts"), "green-2", "127.0.0.2:8082"],
    { cwd: PROJECT_ROOT, stdio: "inherit" },
  );
  const router = await startRouterStandIn({
    name: "east/default",
    manifests: [resolve(PROJECT_ROOT, "routes-config/east")],
    services: { "store/frontend-blue": blue.url, "store/frontend-green": green.url, "store/inventory": green.url },
    port: ROUTER_PORT,
  });
  console.log(
    `demo backends: blue ${blue.url}, green ${green.url} and green-2 http://127.0.0.2:8082; cluster east's router stand-in ${router.url}`,
  );

  const pushed = await run(resolve(PROJECT_ROOT, "node_modules/.bin/node"), [
    resolve(PROJECT_ROOT, "scripts/cli.ts"),
    "push",
    "--local",
    "--persist-to",
    PERSIST_TO,
    "--resolve",
    `${EAST_ROUTER}=127.0.0.1:${router.port}`,
    resolve(PROJECT_ROOT, "routes-config"),
  ]);
  if (pushed !== 0) {
    console.error("routes push failed: see the errors above. Nothing was started.");
    await Promise.all([blue.close(), green.close(), stopChild(green2), router.close()]);
    process.exit(1);
  }

  const gateways: RunningGateway[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all([blue.close(), green.close(), stopChild(green2), router.close()]);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());

  gateways.push(await startGateway({ port: PORT, persistTo: PERSIST_TO, stdio: "inherit" }));
  gateways.push(await startGateway({ port: HTTPS_PORT, persistTo: PERSIST_TO, protocol: "https", stdio: "inherit" }));
  console.log(`
edgeroute is serving routes-config/ on http://127.0.0.1:${PORT} and https://127.0.0.1:${HTTPS_PORT}
  curl -sk --resolve shop.example.com:${HTTPS_PORT}:127.0.0.1 https://shop.example.com:${HTTPS_PORT}/   # 90% blue, 10% green
  kill $(cat .wrangler/demo/green-2.pid)                                                                 # one green endpoint dies: no request fails
  curl -si -H 'Host: shop.example.com' http://127.0.0.1:${PORT}/                                        # 302 to https
  curl -sk --resolve frontend-store.apps.east.example.com:${HTTPS_PORT}:127.0.0.1 https://frontend-store.apps.east.example.com:${HTTPS_PORT}/   # edge → router stand-in → 75% blue
  npm run routes -- status                                                                               # the live table
Ctrl-C stops the gateway and the demo backends.`);
}

/** Stop the green-2 process if it still runs (the README has the user kill and restart it). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once("exit", () => resolvePromise());
    child.kill("SIGTERM");
  });
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
