/**
 * @module `routes validate FILE|DIR|-`: compile the manifests without publishing; print the diagnostics (stderr)
 * and the routes that would be admitted and rejected (stdout). Exit 1 when there is any error.
 */
import { compileInputs } from "../lib/compile-inputs.ts";
import { defineCommand } from "../lib/define-command.ts";
import { COMPILE_OPTIONS, OUTPUT_OPTIONS, TARGET_OPTIONS, ZONE_OPTIONS } from "../lib/options.ts";
import { formatTable } from "../lib/output.ts";
import { formatAuth, formatBackends, formatClusters, formatPath, formatSplit, formatTls } from "../lib/route-format.ts";

export const validate = defineCommand({
  name: "validate",
  summary: "Check manifests and show which routes would be admitted or rejected",
  usage: "FILE|DIR|- ... | NAME=PATH ... [options]",
  description: `
Reads Route, Ingress and Service manifests (YAML or JSON, as \`oc get -o yaml\` prints them; directories are read
recursively, - reads stdin) and compiles them exactly as push would, without touching KV. Diagnostics go to
stderr as FILE:LINE  SEVERITY  CODE  OBJECT  FIELD  MESSAGE; the admitted and rejected routes go to stdout,
each admitted route with who splits its traffic: the edge (its Services have load balancers of their own) or the
cluster router it is handed to (ClusterIP Services), from the object's status or --cluster-router; and the
authentication of every route that has one (client certificate, JWT, OpenShift or introspection token).
--local/--remote select which endpoint addresses are acceptable (loopback only locally). Label each cluster's
export NAME=PATH (east=east.yaml west=west.yaml): the same route in several clusters is served as one, with
endpoints in each; the admitted table then shows each route's clusters.`,
  options: { ...TARGET_OPTIONS, ...COMPILE_OPTIONS, ...ZONE_OPTIONS, ...OUTPUT_OPTIONS },
  examples: [
    "npm run routes -- validate routes-config/",
    "oc get routes,ingresses,services -n shop -o yaml | npm run routes -- validate --remote -",
    "npm run routes -- validate --strict --output json routes-config/shop/web-route.yaml",
    "npm run routes -- validate --cluster-router east=router-default.apps.east.example.com east=east-manifests/",
    "npm run routes -- validate east=east.yaml west=west.yaml",
  ],
  async run(context) {
    const { result, diagnostics, counts } = await compileInputs(context.args.positionals, context);
    context.out.result(
      { ok: counts.error === 0, counts, diagnostics, admitted: result.admitted, rejected: result.rejected },
      () => {
        // With NAME=PATH inputs, each route also shows its clusters in failover order (east, west / west → east).
        const clustered = result.admitted.some((route) => formatClusters(route) !== "");
        const admitted = formatTable(
          ["HOST", "PATH", "ROUTE", "TLS", "SPLIT BY", "BACKENDS", ...(clustered ? ["CLUSTERS"] : [])],
          result.admitted.map((route) => [
            route.host,
            formatPath(route),
            route.id,
            formatTls(route.tls),
            formatSplit(route),
            formatBackends(route.backends),
            ...(clustered ? [formatClusters(route)] : []),
          ]),
        );
        const rejected = formatTable(
          ["HOST", "PATH", "OBJECT", "REASON", "MESSAGE"],
          result.rejected.map((rejection) => [
            rejection.host || "-",
            rejection.path || "-",
            rejection.object,
            rejection.reason,
            rejection.message,
          ]),
        );
        const authenticated = result.admitted.flatMap((route) => {
          const auth = formatAuth(route);
          return auth === null ? [] : [[route.host, formatPath(route), route.id, auth]];
        });
        return (
          `Admitted routes (${result.admitted.length}):\n${admitted}` +
          (authenticated.length === 0
            ? ""
            : `\nAuthentication (${authenticated.length}):\n${formatTable(["HOST", "PATH", "ROUTE", "CHECK"], authenticated)}`) +
          (result.rejected.length === 0 ? "" : `\nRejected routes (${result.rejected.length}):\n${rejected}`)
        );
      },
    );
    return counts.error > 0 ? 1 : 0;
  },
});
