/**
 * @module The route compiler: parsed manifests (Route, Ingress, Service) in, a route table plus diagnostics out.
 * Pure and deterministic: no I/O, no clock, no randomness; the same objects in any order give the same table.
 * Bad input never throws: every problem is a Diagnostic and the offending object is dropped.
 *
 * The stages run in the order of {@link STAGES}: read → validate → resolve → merge → gateway → admit → build.
 * Serialisation for publishing is separate (the table format, worker/core/table/): `compile().table` is one
 * in-memory shard; `serializeTable` re-shards it.
 */
import type { RouteTable } from "../table/types.ts";
import type { CompileOptions, CompileResult, Diagnostic, Rejection, RouteParentStatus, SourceObject } from "./types.ts";

export type * from "./types.ts";
import { admit, compareAge } from "./admit.ts";
import { build } from "./build.ts";
import { mergeIngressCanaries } from "./canary.ts";
import { compileGateway, emptyGatewayInputs, type GatewayInputs } from "./gateway.ts";
import type { CandidateRoute, RouteDraft, ServiceInfo, ValidRoute } from "./model.ts";
import { mergeClusters } from "./merge.ts";
import { read } from "./read.ts";
import { compareSources, createReport, type Report } from "./report.ts";
import { endpointNames, resolveServices } from "./resolve.ts";
import { validate } from "./validate.ts";

export { listItems } from "./read.ts";
export { CLUSTER_NAME_RULE, CLUSTER_ORDER_ANNOTATION, inCluster, isClusterName } from "./clusters.ts";
export { CONTROLLER_NAME, DEFAULT_GATEWAY_CLASS, intersectHostnames } from "./gateway.ts";
export { RATE_LIMIT_TIERS, rateLimitFor } from "./rate-limit.ts";

/** The gateway's defaults: a local table, our ingress class, Strict ownership, no wildcard routes, 503 for no route. */
export const DEFAULT_COMPILE_OPTIONS: CompileOptions = {
  target: "local",
  ingressClass: "edgeroute",
  interNamespaceAllowed: false,
  allowWildcards: false,
  allowPrivateEndpoints: false,
  zones: [],
  notFound: 503,
  requiredHsts: [],
  clusterRouters: {},
  resolve: {},
};

/** What the stages hand each other: each stage reads the previous stage's field and fills its own. */
interface CompileState {
  readonly options: CompileOptions;
  readonly report: Report;
  readonly objects: readonly SourceObject[];
  drafts: RouteDraft[];
  services: Map<string, ServiceInfo>;
  gatewayInputs: GatewayInputs;
  /** Cluster names of the input (sorted), empty when unlabelled. */
  clusters: string[];
  valid: ValidRoute[];
  candidates: CandidateRoute[];
  /** HTTPRoute matches: attached by ./gateway.ts, never subject to Route host ownership. */
  gatewayRoutes: CandidateRoute[];
  gatewayStatus: RouteParentStatus[];
  admitted: CandidateRoute[];
  rejected: Rejection[];
  table: RouteTable | undefined;
}

/** The compile stages, in execution order. */
export const STAGES: readonly { name: string; run: (state: CompileState) => void }[] = [
  {
    name: "read",
    run: (s) => {
      const out = read(s.objects, s.options, s.report);
      s.drafts = out.routes;
      s.services = out.services;
      s.gatewayInputs = out.gateway;
      s.clusters = out.clusters;
    },
  },
  {
    name: "validate",
    run: (s) => {
      const out = validate(s.drafts, s.options, s.clusters, s.report);
      s.valid = out.routes;
      s.rejected = out.notServed;
    },
  },
  {
    name: "resolve",
    run: (s) => {
      const out = resolveServices(s.valid, s.services, s.options, s.report);
      s.candidates = out.candidates;
      s.rejected = [...s.rejected, ...out.notAdmitted];
    },
  },
  {
    name: "merge",
    run: (s) => {
      // Copies of one route from several clusters first, so a canary Ingress joins the merged primary once;
      // ingress-nginx canary Ingresses join their primary before admission, which would see them as duplicates.
      s.candidates = mergeIngressCanaries(mergeClusters(s.candidates, s.report), s.report);
    },
  },
  {
    name: "gateway",
    run: (s) => {
      const out = compileGateway(s.gatewayInputs, s.services, s.options, s.clusters, s.report);
      s.gatewayRoutes = out.candidates;
      s.gatewayStatus = out.status;
    },
  },
  {
    name: "admit",
    run: (s) => {
      const out = admit(s.candidates, s.options, s.report);
      // HTTPRoutes share hosts with any route (Gateway API has no host ownership); age still breaks ties.
      s.admitted = [...out.admitted, ...s.gatewayRoutes].sort(compareAge);
      s.rejected = [...s.rejected, ...out.rejected];
    },
  },
  { name: "build", run: (s) => void (s.table = build(s.admitted, s.options.notFound)) },
];

/**
 * `earlier`: diagnostics found before compiling (the CLI's YAML reader's), so that every diagnostic of a run is
 * ordered here, once, in one order: by source, then by the field's line, then in the order they were found.
 */
export function compile(
  objects: SourceObject[],
  options: CompileOptions,
  earlier: readonly Diagnostic[] = [],
): CompileResult {
  const state: CompileState = {
    options,
    report: createReport(),
    objects,
    drafts: [],
    services: new Map(),
    gatewayInputs: emptyGatewayInputs(),
    gatewayRoutes: [],
    gatewayStatus: [],
    clusters: [],
    valid: [],
    candidates: [],
    admitted: [],
    rejected: [],
    table: undefined,
  };
  for (const stage of STAGES) stage.run(state);
  const table = state.table ?? build([], options.notFound);
  // Stable sort, so diagnostics of one field keep the order the reader and then the stages found them.
  const diagnostics = [...earlier, ...state.report.diagnostics].sort(
    (a, b) => compareSources(a.source, b.source) || (a.source.line ?? 0) - (b.source.line ?? 0),
  );
  const admitted = state.admitted.map((c) => c.route);
  return {
    table,
    diagnostics,
    admitted,
    rejected: state.rejected,
    endpointNames: endpointNames(admitted, state.services),
    gatewayStatus: state.gatewayStatus,
  };
}
