/**
 * @module The pure core's public surface: what the Worker, the routes CLI and the benchmarks import.
 * Nothing in worker/core does I/O or touches a runtime global; tsconfig.core.json enforces it.
 */
export * from "./table/types.ts";
export { CATCH_ALL_HOST, normalizeHost, wildcardSuffix } from "./host.ts";
export { canaryDecision, type CanaryDecision } from "./canary.ts";
export {
  compareConditions,
  conditionsHold,
  isConditional,
  modifyPath,
  plainRequest,
  redirectLocation,
  type RedirectRequest,
  type RequestFacts,
} from "./gateway.ts";
export { matchedPrefixEnd, matchingPath, normalizePath, type PathResult } from "./path.ts";
export {
  HostIndex,
  ShardLookup,
  describeConditions,
  explainRoute,
  insecureRedirectLocation,
  matchRoute,
  ownedHeadersFor,
  resolveRoute,
  servedOver,
  tableLookup,
} from "./match.ts";
export type { Considered, Explanation, HostKind, Resolution, RouteLookup, Walk } from "./match.ts";
export { eligibleEndpoints, endpointKey, newBalanceState, pickBackend, pickEndpoint, sourceHash } from "./pick.ts";
export type { BackendChoice, BalanceState, Usable } from "./pick.ts";
export {
  endpointAddress,
  HEALTH_CHECK_USER_AGENT,
  healthKey,
  healthKvKey,
  healthObjectOf,
  parseHealthSnapshot,
  probeKey,
  statusExpected,
} from "./health.ts";
export type { HealthSnapshot, ProbeState } from "./health.ts";
export { FAILURES_TO_EJECT, FIRST_EJECTION_MS, MAX_EJECTION_MS, PassiveHealth, Registrations } from "./passive.ts";
export type { Failure } from "./passive.ts";
export {
  addressInNetworks,
  canonicalHost,
  classifyTarget,
  forbiddenTarget,
  formatNetwork,
  isIpLiteral,
  NEVER_A_TARGET,
  parseNetwork,
} from "./ip.ts";
export type { AddressClass, Network } from "./ip.ts";
export { PROXY_PORTS, unreachableReasons, zoneOf } from "./reach.ts";
export { contentHashOf, fnv1a, fnv1aHex } from "./hash.ts";
export * from "./table/index.ts";
