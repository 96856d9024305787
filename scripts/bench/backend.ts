/**
 * @module The end-to-end backend: `node backend.ts [port]` answers every request with a fixed 1 KiB body over
 * keep-alive and prints `listening <port>` when ready. Kept trivial so that it is never the bottleneck (the report
 * shows its direct throughput next to everything else).
 */
import { createServer } from "node:http";

const BODY = Buffer.alloc(1024, "x");

const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { "content-type": "text/plain", "content-length": String(BODY.length) });
  response.end(BODY);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : 0}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
