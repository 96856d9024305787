/**
 * @module The refusals of the access policies: a code (worker/answers.ts gives its status and page), a sentence
 * for humans that names what the client must change and nothing about the route table, backends or
 * configuration, and extra headers.
 */
import { logEvent, type PolicyCode } from "../answers.ts";

export interface Refusal {
  code: PolicyCode;
  message: string;
  headers?: [string, string][];
}

/** A policy could not be evaluated (configuration or dependency fault): fail closed, reveal nothing. */
export const POLICY_UNAVAILABLE: Refusal = {
  code: "PolicyUnavailable",
  message: "This site is temporarily unavailable. Try again later.",
};

/**
 * Log a server-side fault of a policy (missing binding, unreachable key set) for the operator. Client mistakes
 * are not logged here: they are ordinary refusals.
 */
export function logPolicyFault(route: string, policy: string, message: string): void {
  logEvent("error", "policy-fault", { policy, route, message });
}
