/**
 * @module Route `spec.httpHeaders.actions` (API `RouteHTTPHeaderActions`, LIBGO `validateHeaders`, docs/design-notes.md#route-fields):
 * at most 20 request and 20 response actions, token names, a few names no route may touch, and `Set` values in
 * HAProxy's log-format subset. Dynamic `%[...]` values need HAProxy's fetches, which the edge does not have.
 */
import type { HeaderAction } from "../table/types.ts";
import type { Field } from "./model.ts";
import type { Report, Subject } from "./report.ts";
import { isRecord, recordOf, show } from "./values.ts";

const MAX_ACTIONS = 20;
/** RFC 7230 token, as LIBGO's header name regex. */
export const HEADER_NAME_PATTERN = /^[-!#$%&'*+.0-9A-Z^_`a-z|~]+$/;
/** Route level forbids the first four (LIBGO `notAllowedHTTPHeaders`); `Host` is forbidden at IngressController level and we forbid it here too. */
export const FORBIDDEN_HEADER_NAMES: readonly string[] = [
  "strict-transport-security",
  "proxy",
  "cookie",
  "set-cookie",
  "host",
];

export interface HeaderActions {
  request: HeaderAction[];
  response: HeaderAction[];
}

export function readHeaderActions(
  actions: Field<unknown> | undefined,
  subject: Subject,
  report: Report,
): HeaderActions {
  if (actions === undefined) return { request: [], response: [] };
  if (!isRecord(actions.value)) {
    report.error(
      subject,
      "InvalidField",
      actions.field,
      `must be a mapping with request and/or response lists, got ${show(actions.value)}`,
    );
    return { request: [], response: [] };
  }
  return {
    request: readList(actions.value.request, `${actions.field}.request`, subject, report),
    response: readList(actions.value.response, `${actions.field}.response`, subject, report),
  };
}

function readList(value: unknown, field: string, subject: Subject, report: Report): HeaderAction[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report.error(subject, "InvalidField", field, `must be a list of header actions, got ${show(value)}`);
    return [];
  }
  if (value.length > MAX_ACTIONS) {
    report.error(subject, "InvalidField", field, `has ${value.length} actions; at most ${MAX_ACTIONS} are allowed`);
    return [];
  }
  const out: HeaderAction[] = [];
  const names = new Set<string>();
  value.forEach((entryValue, i) => {
    const at = `${field}[${i}]`;
    const entry = recordOf(entryValue);
    const name = entry.name;
    if (typeof name !== "string" || name.length < 1 || name.length > 255 || !HEADER_NAME_PATTERN.test(name)) {
      report.error(
        subject,
        "InvalidField",
        `${at}.name`,
        `header name ${show(name)} is not valid; use 1-255 characters of an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`,
      );
      return;
    }
    if (FORBIDDEN_HEADER_NAMES.includes(name.toLowerCase())) {
      report.error(
        subject,
        "InvalidField",
        `${at}.name`,
        `header ${name} may not be set or deleted by a route; forbidden: Strict-Transport-Security (use the hsts_header annotation), Proxy, Cookie, Set-Cookie, Host`,
      );
      return;
    }
    if (names.has(name.toLowerCase())) {
      report.error(
        subject,
        "InvalidField",
        `${at}.name`,
        `header ${name} already has an action in this list; each name may appear once`,
      );
      return;
    }
    names.add(name.toLowerCase());
    const action = recordOf(entry.action);
    const type = action.type;
    const set = action.set;
    if (type === "Delete") {
      if (set !== undefined && set !== null)
        report.error(
          subject,
          "InvalidField",
          `${at}.action.set`,
          `set is only allowed with type Set; remove it or use type: Set`,
        );
      else out.push({ name, action: "Delete" });
      return;
    }
    if (type !== "Set") {
      report.error(
        subject,
        "InvalidField",
        `${at}.action.type`,
        `action type ${show(type)} is not supported; allowed: Set, Delete`,
      );
      return;
    }
    const headerValue = recordOf(set).value;
    if (typeof headerValue !== "string" || headerValue.length < 1 || headerValue.length > 16384) {
      report.error(
        subject,
        "MissingField",
        `${at}.action.set.value`,
        `type Set needs set.value, a string of 1-16384 characters`,
      );
      return;
    }
    if (/%[[{]/.test(headerValue)) {
      report.warning(
        subject,
        "UnsupportedFeature",
        `${at}.action.set.value`,
        `dynamic HAProxy values (%[...], %{...}[...]) are not supported at the edge, so this action is ignored; use a literal value (write %% for a literal %)`,
      );
      return;
    }
    // Literal text and %% only (LIBGO `permittedHeaderValueTemplate` without the dynamic parts), no control characters.
    if (/[\u0000-\u001f\u007f]/.test(headerValue) || /%(?!%)/.test(headerValue.replace(/%%/g, ""))) {
      report.error(
        subject,
        "InvalidField",
        `${at}.action.set.value`,
        `value ${show(headerValue)} is not valid; allowed: literal text without control characters, with %% for a literal %`,
      );
      return;
    }
    out.push({ name, action: "Set", value: headerValue.replace(/%%/g, "%") });
  });
  return out;
}
