import type { ZodError } from "zod";

type Issue = ZodError["issues"][number];

/** Zod's own English messages all start like this; a schema's own message (e.g. "A valid integer is required.") is kept as written. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized)/;

const received = (issue: Issue) => /received (\w+)$/.exec(issue.message)?.[1];

const TYPE_MESSAGES: Record<string, string> = {
  number: "A valid number is required.",
  int: "A valid integer is required.",
  string: "Not a valid string.",
  boolean: "Must be a valid boolean.",
};

function bound(issue: Extract<Issue, { code: "too_small" | "too_big" }>): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case "string":
      if (small && limit === 1) return "This field may not be blank.";
      return `Ensure this field has ${small ? "at least" : "no more than"} ${limit} characters.`;
    case "array":
    case "set":
      return `Ensure this field has ${small ? "at least" : "no more than"} ${limit} elements.`;
    default: {
      const relation = small ? (issue.inclusive ? "greater than or equal to" : "greater than") : issue.inclusive ? "less than or equal to" : "less than";
      return `Ensure this value is ${relation} ${limit}.`;
    }
  }
}

/** The message a DRF client expects for one failed rule, written for people. */
export function humanMessage(issue: Issue): string {
  if (issue.code === "unrecognized_keys") return `Unknown field(s): ${issue.keys.join(", ")}.`;
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type": {
      const got = received(issue);
      if (got === "undefined") return "This field is required.";
      if (got === "null") return "This field may not be null.";
      if (issue.expected === "object") return `Invalid data. Expected a dictionary, but got ${got ?? "another type"}.`;
      if (issue.expected === "array") return `Expected a list of items but got type "${got ?? "another type"}".`;
      return TYPE_MESSAGES[issue.expected] ?? `Expected ${issue.expected}.`;
    }
    case "too_small":
    case "too_big":
      return bound(issue);
    case "invalid_format":
      if (issue.format === "email") return "Enter a valid email address.";
      if (issue.format === "url") return "Enter a valid URL.";
      if (issue.format === "datetime") return "Datetime has wrong format. Use ISO 8601, e.g. 2026-12-24T09:00:00Z.";
      return "Enter a valid value.";
    case "invalid_value":
      return `Not a valid choice; expected one of: ${issue.values.map((v: unknown) => JSON.stringify(v)).join(", ")}.`;
    case "not_multiple_of":
      return `Ensure this value is a multiple of ${issue.divisor}.`;
    default:
      return "Enter a valid value.";
  }
}
