/**
 * @module What push and rollback share around lib/publish.ts: the `--keep` option, who and when a pointer
 * records, and how an outcome is told.
 */
import type { Pointer } from "../../worker/core/index.ts";
import { stringOption, type ParsedArgs } from "./args.ts";
import { UserError } from "./errors.ts";
import type { Io } from "./io.ts";
import { plural } from "./output.ts";
import { DEFAULT_KEEP, MIN_KEEP, type PublishMeta, type PublishOutcome } from "./publish.ts";

export function keepOf(args: ParsedArgs): number {
  const text = stringOption(args, "keep");
  if (text === undefined) return DEFAULT_KEEP;
  const keep = Number(text);
  if (!/^\d+$/.test(text) || keep < MIN_KEEP) {
    throw new UserError(
      `--keep must be a whole number of at least ${MIN_KEEP} (the version being replaced is still served for a while)`,
    );
  }
  return keep;
}

/** `publishedBy` is EDGEROUTE_PUBLISHED_BY when set (CI), else `$USER@hostname`. */
export function publishMeta(io: Io, keep: number): PublishMeta {
  const by = io.env.EDGEROUTE_PUBLISHED_BY;
  return { publishedAt: io.now().toISOString(), publishedBy: by !== undefined && by !== "" ? by : io.whoami(), keep };
}

/** @example "3 routes, 2 hosts, 1 shard" */
export function describeCounts(pointer: Pointer): string {
  return `${plural(pointer.routeCount, "route")}, ${plural(pointer.hostCount, "host")}, ${plural(pointer.shardCount, "shard")}`;
}

export function describeOutcome(outcome: PublishOutcome, verb: "push" | "rollback"): string {
  if (outcome.kind === "unchanged") {
    const { pointer } = outcome;
    return `version ${pointer.version} is already live (published ${pointer.publishedAt} by ${pointer.publishedBy}); nothing changed\n`;
  }
  const { pointer, previous, history, retired } = outcome;
  return [
    `${verb === "push" ? "published" : "rolled back to"} version ${pointer.version}: ${describeCounts(pointer)}\n`,
    `routes:current → ${pointer.version}${previous === null ? " (first publish)" : ` (was ${previous.version})`}\n`,
    `routes:history: ${plural(history.length, "version")} kept for rollback`,
    retired.length === 0 ? "\n" : `; deleted ${retired.map((entry) => entry.version).join(", ")}\n`,
  ].join("");
}
