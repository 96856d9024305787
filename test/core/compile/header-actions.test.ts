import { describe, expect, it } from "vitest";
import { only, problems, route, run, service } from "./fixtures.ts";

const withActions = (actions: Record<string, unknown>) =>
  run([route("web", { spec: { httpHeaders: { actions } } }), service("web")]);
const set = (name: string, value: string) => ({ name, action: { type: "Set", set: { value } } });

describe("spec.httpHeaders.actions", () => {
  it("compiles Set and Delete actions in order, %% read as %", () => {
    const result = withActions({
      request: [set("X-Env", "prod 100%%"), { name: "X-Debug", action: { type: "Delete" } }],
      response: [set("X-Frame-Options", "DENY")],
    });
    const r = only(result.admitted);
    expect(r.requestHeaders).toEqual([
      { name: "X-Env", action: "Set", value: "prod 100%" },
      { name: "X-Debug", action: "Delete" },
    ]);
    expect(r.responseHeaders).toEqual([{ name: "X-Frame-Options", action: "Set", value: "DENY" }]);
  });

  it.each(["Strict-Transport-Security", "proxy", "Cookie", "Set-Cookie", "Host"])("forbids %s", (name) => {
    const d = only(problems(withActions({ request: [set(name, "x")] })));
    expect(d).toMatchObject({
      severity: "error",
      code: "InvalidField",
      field: "spec.httpHeaders.actions.request[0].name",
    });
    expect(d.message).toContain("forbidden");
  });

  it("refuses bad names, missing values, more than 20 actions and duplicates", () => {
    expect(only(problems(withActions({ request: [set("Bad Name", "x")] }))).field).toBe(
      "spec.httpHeaders.actions.request[0].name",
    );
    expect(only(problems(withActions({ response: [{ name: "X-A", action: { type: "Set" } }] })))).toMatchObject({
      code: "MissingField",
      field: "spec.httpHeaders.actions.response[0].action.set.value",
    });
    const many = Array.from({ length: 21 }, (_, i) => set(`X-${i}`, "v"));
    expect(only(problems(withActions({ request: many }))).message).toContain("at most 20");
    expect(only(problems(withActions({ request: [set("X-A", "1"), set("x-a", "2")] }))).field).toBe(
      "spec.httpHeaders.actions.request[1].name",
    );
    expect(only(problems(withActions({ request: [set("X-A", "50%")] }))).message).toContain("%%");
  });

  it("ignores dynamic HAProxy values with a warning", () => {
    const result = withActions({ request: [set("X-Client", "%[req.hdr(Host)]"), set("X-Static", "ok")] });
    const d = only(problems(result));
    expect(d).toMatchObject({
      severity: "warning",
      code: "UnsupportedFeature",
      field: "spec.httpHeaders.actions.request[0].action.set.value",
    });
    expect(d.message).toContain("not supported at the edge");
    expect(only(result.admitted).requestHeaders).toEqual([{ name: "X-Static", action: "Set", value: "ok" }]);
  });
});
