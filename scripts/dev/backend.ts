/**
 * @module `npm run backend -- NAME HOST:PORT`: one demo backend as its own process, so it can be stopped and
 * started again while the gateway runs (README: watching failover). Writes its process id to
 * `.wrangler/demo/NAME.pid`; `kill $(cat .wrangler/demo/NAME.pid)` stops it.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { startEchoBackend } from "./echo-backend.ts";
import { PROJECT_ROOT } from "./wrangler-dev.ts";

export const DEMO_PID_DIR = resolve(PROJECT_ROOT, ".wrangler/demo");

const [name, address] = process.argv.slice(2);
const match = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(address ?? "");
if (name === undefined || !/^[\w-]+$/.test(name) || match === null) {
  console.error("usage: npm run backend -- NAME HOST:PORT   (e.g. green-2 127.0.0.2:8082)");
  process.exit(2);
}
const backend = await startEchoBackend(name, Number(match[2]), match[1]);
const pidFile = resolve(DEMO_PID_DIR, `${name}.pid`);
await mkdir(DEMO_PID_DIR, { recursive: true });
await writeFile(pidFile, `${process.pid}\n`);
console.log(`demo backend ${name} on ${backend.url} (pid ${process.pid}, ${pidFile})`);
const stop = async (): Promise<void> => {
  await rm(pidFile, { force: true });
  await backend.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
