/**
 * @module `routes status`: the live version, when and by whom it was published, its counts, and the history.
 */
import { defineCommand } from "../lib/define-command.ts";
import { UserError } from "../lib/errors.ts";
import { type EndpointHealth, endpointHealth, readHealth } from "../lib/health.ts";
import { listEndpoints } from "../lib/endpoint-list.ts";
import { readLiveState, readTable } from "../lib/live-table.ts";
import { KV_OPTIONS, OUTPUT_OPTIONS, TARGET_OPTIONS, kvTargetOf } from "../lib/options.ts";
import { formatTable } from "../lib/output.ts";
import { describeCounts } from "../lib/publish-report.ts";
import { formatEndpoint } from "../lib/route-format.ts";
import { routesOf } from "../lib/table-diff.ts";

export const status = defineCommand({
  name: "status",
  summary: "Show the live route table version and the history",
  usage: "[options]",
  description: `
Reads routes:current and routes:history (one wrangler call), then the live table (one more), and prints the live
version, when and by whom it was published, its route, host and shard counts, every backend endpoint with its
cluster (NAME of a NAME=PATH input, - for unlabelled input), failover priority and number of routes, and the
versions kept for rollback, newest first. Then the health of every endpoint of the live table as the health checks
last published it (docs/health.md): per route, backend and endpoint its cluster, up/down/unknown (not probed: no
traffic in the last 10 minutes), since when, the last probe error, and whether the Worker sends requests there now.`,
  options: { ...TARGET_OPTIONS, ...KV_OPTIONS, ...OUTPUT_OPTIONS },
  examples: ["npm run routes -- status", "npm run routes -- status --remote --output json"],
  async run({ args, io, out }) {
    if (args.positionals.length > 0)
      throw new UserError(`status takes no arguments (got ${args.positionals.join(" ")})`);
    const kv = io.openKv(await kvTargetOf(args, io.cwd));
    const { pointer, history } = await readLiveState(kv);
    // The live table is read once, for the endpoint list and for the health rows.
    const table = pointer === null ? null : await readTable(kv, pointer);
    const endpoints = table === null ? [] : listEndpoints(routesOf(table.shards));
    const health = table === null ? [] : await readEndpointHealth(kv, table);
    out.result({ live: pointer, history, endpoints, kv: kv.description, health }, () => {
      if (pointer === null) return `no route table is published in ${kv.description}\n`;
      // A history lost or never written shows the live pointer alone (the next push rebuilds it the same way).
      const rows = (history.length > 0 ? history : [pointer]).map((entry) => [
        entry.version === pointer.version ? "*" : "",
        entry.version,
        entry.publishedAt,
        entry.publishedBy,
        String(entry.routeCount),
        String(entry.hostCount),
        String(entry.shardCount),
      ]);
      return [
        `live version   ${pointer.version}\n`,
        `published      ${pointer.publishedAt} by ${pointer.publishedBy} (${ago(io.now(), pointer.publishedAt)})\n`,
        `table          ${describeCounts(pointer)}\n`,
        `kv             ${kv.description}\n`,
        `\nEndpoints (${endpoints.length}):\n`,
        formatTable(
          ["SERVICE", "CLUSTER", "ENDPOINT", "PRIORITY", "ROUTES"],
          endpoints.map((row) => [
            row.service,
            row.cluster ?? "-",
            formatEndpoint(row.endpoint),
            String(row.priority),
            String(row.routes.length),
          ]),
        ),
        `\nHistory (newest first, * = live):\n`,
        formatTable(["", "VERSION", "PUBLISHED", "BY", "ROUTES", "HOSTS", "SHARDS"], rows),
        `\nHealth (per route and endpoint, from the health checks; eligible = the Worker sends requests there now):\n`,
        formatTable(
          ["ROUTE", "BACKEND", "CLUSTER", "ENDPOINT", "HOST", "STATE", "SINCE", "ELIGIBLE", "LAST ERROR"],
          health.map((h) => [
            h.route,
            h.backend,
            h.cluster ?? "-",
            h.endpoint,
            h.host,
            h.state,
            h.since === null ? "-" : `${h.since} (${ago(io.now(), h.since)})`,
            h.eligible ? "yes" : "no",
            h.lastError ?? "-",
          ]),
        ),
      ].join("");
    });
    return 0;
  },
});

async function readEndpointHealth(
  kv: Parameters<typeof readHealth>[0],
  table: Awaited<ReturnType<typeof readTable>>,
): Promise<EndpointHealth[]> {
  const states = await readHealth(kv);
  const rows: EndpointHealth[] = [];
  for (const shard of table.shards) {
    for (const group of [shard.hosts, shard.wildcards]) {
      for (const routes of Object.values(group))
        for (const route of routes) rows.push(...endpointHealth(route, states));
    }
  }
  return rows;
}

/** @example ago(now, now − 90 s) === "1 minute ago" */
function ago(now: Date, iso: string): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  const [count, unit] =
    seconds < 60
      ? [seconds, "second"]
      : seconds < 3600
        ? [Math.floor(seconds / 60), "minute"]
        : seconds < 86400
          ? [Math.floor(seconds / 3600), "hour"]
          : [Math.floor(seconds / 86400), "day"];
  return Number.isNaN(count) ? "unknown time" : `${count} ${unit}${count === 1 ? "" : "s"} ago`;
}
