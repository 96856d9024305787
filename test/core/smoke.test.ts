import { expect, it } from "vitest";
import { normalizeHost } from "../../worker/core/host.ts";
it("host", () => { expect(normalizeHost("A.b.:80")).toBe("a.b"); });
