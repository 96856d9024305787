/**
 * @module Everything one `npm run bench` measured, as one JSON-able value (also written to
 * bench-out/results*.json for comparison between runs).
 */
import type { ColdStartOutcome } from "./cold-start.ts";
import type { ControlFailure, ControlOutcome } from "./control-child.ts";
import type { TargetResult } from "./e2e.ts";
import type { LookupOutcome } from "./lookup-child.ts";
import type { Machine } from "./machine.ts";
import type { ProfileOutcome } from "./phase-profile.ts";
import type { TokenCheckOutcome } from "./token-check.ts";
import type { ExamplePush } from "./worker-builds.ts";

export interface BenchResults {
  mode: "full" | "quick";
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  /** 1-minute load average when the run ended. */
  loadAverageAtEnd: number;
  /** Whether processes were pinned to cores (taskset, ≥ 2 cores). */
  pinned: boolean;
  settings: {
    lookupSizes: number[];
    lookupSamples: number;
    lookupSampleMs: number;
    lookupRepeats: number;
    coldSizes: number[];
    coldRepeats: number;
    e2eRoutes: number;
    e2eSeconds: number;
    e2eRounds: number;
    e2eRate: number;
    e2eDistinctUrls: number;
    /** Requests per case and round, and rounds, of the token-check section (absent in older results). */
    authRequests?: number;
    authRounds?: number;
  };
  lookup: LookupOutcome[];
  control: (ControlOutcome | ControlFailure)[];
  cold: ColdStartOutcome[];
  /** `npm run routes -- push routes-config/` (absent in older results), or why it was not measured. */
  examplePush?: ExamplePush | { reason: string };
  /** Why a section was not measured at all. */
  skipped: Record<string, string>;
  e2e: TargetResult[];
  /** The token-check section; `null` (or absent, in older results) when it did not run. */
  auth?: TokenCheckOutcome | null;
  /** Where workerd's CPU goes per request, phase by phase; `null` (or absent, in older results) when it did not run. */
  profile?: ProfileOutcome | null;
}
