import { describe, expect, it } from "vitest";
import { createOutput, formatDiagnostic, formatTable } from "../../../scripts/lib/output.ts";
import type { Diagnostic } from "../../../worker/core/compile/index.ts";
import { captureIo } from "../helpers.ts";

const diagnostic: Diagnostic = {
  severity: "error",
  code: "HostAlreadyClaimed",
  source: { file: "routes-config/shop/web.yaml", doc: 0, line: 1 },
  object: "Route shop/web",
  field: "spec.host",
  message: "host shop.example.com is claimed by Route other/web, which is older",
};

describe("formatDiagnostic", () => {
  it("prints file:line, severity, code, object, field and message, two spaces apart", () => {
    expect(formatDiagnostic({ ...diagnostic, line: 12 })).toBe(
      "routes-config/shop/web.yaml:12  error  HostAlreadyClaimed  Route shop/web  spec.host  host shop.example.com is claimed by Route other/web, which is older",
    );
  });

  it("prints - for an empty object or field, and the bare file when the line is unknown", () => {
    expect(formatDiagnostic({ ...diagnostic, object: "", field: "" })).toBe(
      "routes-config/shop/web.yaml  error  HostAlreadyClaimed  -  -  host shop.example.com is claimed by Route other/web, which is older",
    );
  });
});

describe("formatTable", () => {
  it("pads columns to the widest cell without trailing spaces", () => {
    expect(
      formatTable(
        ["HOST", "PATH"],
        [
          ["shop.example.com", "/"],
          ["a", "/healthz (exact)"],
        ],
      ),
    ).toBe("HOST              PATH\nshop.example.com  /\na                 /healthz (exact)\n");
  });
});

describe("createOutput", () => {
  it("json: exactly one JSON document on stdout; progress and nothing else on stderr", () => {
    const { io, stdout, stderr } = captureIo();
    const out = createOutput(io, "json", false);
    out.progress("working");
    out.diagnostics(["a diagnostic line"]);
    out.debugLine("hidden");
    out.result({ ok: true, n: 1 }, () => "text form\n");
    expect(JSON.parse(stdout())).toEqual({ ok: true, n: 1 });
    expect(stderr()).toBe("working\n");
    expect(() => out.result({}, () => "")).toThrow(/two results/);
  });

  it("text: the text form on stdout, diagnostics and debug lines on stderr", () => {
    const { io, stdout, stderr } = captureIo();
    const out = createOutput(io, "text", true);
    out.diagnostics(["d1", "d2"]);
    out.debugLine("took 1 s");
    out.result({ ok: true }, () => "text form\n");
    expect(stdout()).toBe("text form\n");
    expect(stderr()).toBe("d1\nd2\ndebug: took 1 s\n");
  });
});
