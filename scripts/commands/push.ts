/**
 * @module `routes push FILE|DIR|-`: compile, refuse on any error, write the shards KV does not hold yet and the
 * index, flip `routes:current`, update `routes:history` and delete the keys only versions that fell out of it
 * used (lib/publish.ts).
 * `--dry-run` compiles and shows what would be written, and writes nothing.
 */
import { flag } from "../lib/args.ts";
import { compileInputs } from "../lib/compile-inputs.ts";
import { defineCommand, type CommandContext } from "../lib/define-command.ts";
import { UserError } from "../lib/errors.ts";
import { bulkChunks, type KvPair } from "../lib/kv.ts";
import { readLiveState, type LiveState } from "../lib/live-table.ts";
import { inputBytes } from "../lib/read-sources.ts";
import {
  COMPILE_OPTIONS,
  KV_OPTIONS,
  OUTPUT_OPTIONS,
  TARGET_OPTIONS,
  ZONE_OPTIONS,
  kvTargetOf,
} from "../lib/options.ts";
import { type LocatedDiagnostic, plural } from "../lib/output.ts";
import { DEFAULT_KEEP, MIN_KEEP, pairsToWrite, planPublish, publish, type PublishPlan } from "../lib/publish.ts";
import { describeOutcome, keepOf, publishMeta } from "../lib/publish-report.ts";

/**
 * Manifests from this size on keep the command busy (reading, compiling, serialising: about 90 ms per MiB of JSON on
 * the 2-CPU development VM, 4 s for the 46 MB of 100,000 generated routes) for longer than starting a worker thread
 * for the local platform costs (about 60 ms), so the platform starts in one (./lib/kv.ts `OpenKvOptions`). Below
 * it, the platform starts on this thread: `routes push routes-config/` (24 KB) would only wait for the thread.
 */
const BUSY_INPUT_BYTES = 1024 * 1024;

export const push = defineCommand({
  name: "push",
  summary: "Compile manifests and publish the route table to KV atomically",
  usage: "FILE|DIR|- ... | NAME=PATH ... [--dry-run] [--keep N] [options]",
  description: `
Compiles like validate and refuses to publish when there is any error (exit 1, KV untouched). Otherwise writes
the new version's index and those of its shards KV does not already hold (shards are content-addressed: a push
that changes one route writes one shard), and only then points routes:current at it. routes:history keeps the
last --keep versions for rollback; keys that only older versions used are deleted (routes gc does the same for
anything left over).
Pushing the live content again changes nothing. Several clusters: label each export NAME=PATH
(east=east.yaml west=west.yaml); see docs/cli.md#several-clusters.`,
  options: {
    "dry-run": { type: "boolean", description: "Compile and show what would be written; write nothing" },
    keep: {
      type: "string",
      value: "N",
      description: `Versions kept for rollback, at least ${MIN_KEEP} (default ${DEFAULT_KEEP})`,
    },
    "allow-empty": {
      type: "boolean",
      description: "Publish even a table without any route (every request gets the not-found status)",
    },
    ...TARGET_OPTIONS,
    ...KV_OPTIONS,
    ...COMPILE_OPTIONS,
    ...ZONE_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  examples: [
    "npm run routes -- push routes-config/",
    "npm run routes -- push --dry-run routes-config/",
    "npm run routes -- push east=east.yaml west=west.yaml",
    "oc get routes,ingresses,services -A -o yaml | npm run routes -- push --remote -",
  ],
  async run(context) {
    const { args, io, out } = context;
    const keep = keepOf(args);
    const target = await kvTargetOf(args, io.cwd);
    // Opened before compiling: the local namespace starts while the manifests are read and compiled, in a thread of
    // its own when they keep this one busy for longer than starting a thread takes.
    const busy = (await inputBytes(args.positionals, io.cwd)) >= BUSY_INPUT_BYTES;
    const kv = io.openKv(target, { busy });
    const { counts, diagnostics, result } = await compileInputs(args.positionals, context);
    if (counts.error > 0) {
      out.result({ published: false, counts, diagnostics }, () => "");
      out.progress(`not published: ${plural(counts.error, "error")}; nothing was written to KV`);
      return 1;
    }
    if (result.admitted.length === 0 && !flag(args, "allow-empty")) {
      throw new UserError(
        "no route would be admitted: publishing this table would take every host offline; pass --allow-empty if that is intended",
      );
    }
    const plan = planPublish(result.table);
    const started = performance.now();
    const live = await readLiveState(kv);
    if (flag(args, "dry-run")) return dryRun(context, live, plan, diagnostics);
    const writes = pairsToWrite(plan, live);
    const chunks = bulkChunks(writes).length;
    if (live.pointer?.version !== plan.version) {
      const kept = plan.pairs.length - writes.length;
      out.progress(
        `writing version ${plan.version}: ${plural(writes.length, "key")}, ${size(bytesOf(writes))} ` +
          `to ${kv.description}${kept > 0 ? ` (${plural(kept, "key")} already there)` : ""}`,
      );
    }
    const outcome = await publish(kv, plan, publishMeta(io, keep), live, (written, total) => {
      if (chunks > 1) out.progress(`  ${written.toLocaleString("en")}/${total.toLocaleString("en")} keys written`);
    });
    const seconds = (performance.now() - started) / 1000;
    for (const call of kv.calls) out.debugLine(`${call.command}: ${(call.ms / 1000).toFixed(2)} s`);
    if (outcome.kind === "published" && outcome.retireError !== undefined) {
      out.progress(`warning: published, but deleting retired versions failed: ${outcome.retireError}`);
    }
    const timing = { seconds: Number(seconds.toFixed(2)), wranglerCalls: kv.calls.length };
    out.result(
      {
        published: outcome.kind === "published",
        ...outcome,
        keys: plan.pairs.length,
        bytes: plan.bytes,
        keysWritten: outcome.kind === "published" ? outcome.written.length : 0,
        ...timing,
        diagnostics,
      },
      () =>
        `${describeOutcome(outcome, "push")}(${seconds.toFixed(1)} s, ${plural(kv.calls.length, "wrangler call")})\n`,
    );
    return 0;
  },
});

/** Large tables have hundreds of shards; the text form shows the first few. */
const DRY_RUN_KEYS_SHOWN = 10;

function dryRun(context: CommandContext, live: LiveState, plan: PublishPlan, diagnostics: LocatedDiagnostic[]): number {
  const unchanged = live.pointer?.version === plan.version;
  const writes = pairsToWrite(plan, live);
  const keys = writes.map((pair) => ({ key: pair.key, bytes: Buffer.byteLength(pair.value) }));
  context.out.result(
    { dryRun: true, unchanged, version: plan.version, live: live.pointer, keys, bytes: bytesOf(writes), diagnostics },
    () => {
      if (unchanged) return `dry run: version ${plan.version} is already live; push would change nothing\n`;
      const { index } = plan;
      return [
        `dry run: would write ${plural(keys.length, "key")} (${size(bytesOf(writes))})` +
          `${writes.length < plan.pairs.length ? `; ${plural(plan.pairs.length - writes.length, "key")} already in KV` : ""}:\n`,
        ...keys.slice(0, DRY_RUN_KEYS_SHOWN).map((key) => `  ${key.key}  ${key.bytes} bytes\n`),
        keys.length > DRY_RUN_KEYS_SHOWN
          ? `  … and ${keys.length - DRY_RUN_KEYS_SHOWN} more (--output json lists them all)\n`
          : "",
        `then point routes:current at ${plan.version} (${plural(index.routeCount, "route")}, ${plural(index.hostCount, "host")}, `,
        `${plural(index.shardCount, "shard")})${live.pointer === null ? "" : `, replacing ${live.pointer.version}`}\n`,
        "nothing was written\n",
      ].join("");
    },
  );
  return 0;
}

function bytesOf(pairs: readonly KvPair[]): number {
  return pairs.reduce((sum, pair) => sum + Buffer.byteLength(pair.value), 0);
}

/** @example size(2048) === "2.0 KiB" */
function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
