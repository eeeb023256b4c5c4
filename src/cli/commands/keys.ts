import { execute } from "../../client/opsClient";
import {
  OpsApiKeysDocument,
  OpsIssueApiKeyDocument,
  OpsRevokeApiKeyDocument,
  OpsRotateApiKeyDocument,
  type Role,
} from "../../generated/graphql/graphql";
import { instantOf, numberOf, type Options, oneOf, text } from "../framework";
import { idOption, type OpsCommand, outcomeOf, recordOf, type UserErrorView } from "../opsCommand";
import type { Row } from "../table";

export const ROLES = [
  "BUYER",
  "INTERNAL",
  "OPERATOR",
  "TENANT",
  "BUSINESS",
] as const satisfies readonly Role[];

type KeyView = {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  partnerId: string | null;
  tenantId: string | null;
  businessId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

type KeyPayload = { key: KeyView | null; apiKey: string | null; userErrors: UserErrorView[] };

const keyRow = (key: KeyView): Row => ({
  id: key.id,
  prefix: key.prefix,
  role: key.role,
  name: key.name,
  owner: key.partnerId ?? key.tenantId ?? key.businessId ?? null,
  createdAt: key.createdAt,
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
  lastUsedAt: key.lastUsedAt,
});

/** A payload with a new key: its plaintext alone on stdout, its details and the note on stderr. */
const withSecret = (payload: KeyPayload, note: string) =>
  outcomeOf(payload, (done) => ({
    kind: "record",
    record: done.key === null ? {} : keyRow(done.key),
    json: done,
    secret: done.apiKey ?? undefined,
    note,
  }));

/** `keys issue`'s options, the same for `npm run ops` (over HTTP) and `npm run cli` (on the database). */
export const ISSUE_KEY_OPTIONS: Options = {
  role: {
    type: "string",
    value: "ROLE",
    required: true,
    description: `What it may do: ${ROLES.join(", ")}.`,
  },
  name: { type: "string", value: "NAME", required: true, description: "Who or what it is for." },
  "partner-id": { type: "string", value: "ID", description: "BUYER keys: the buyer, outside_buyer_..." },
  "tenant-id": { type: "string", value: "ID", description: "TENANT keys: the tenant." },
  "business-id": {
    type: "string",
    value: "ID",
    description: "BUSINESS keys: the business whose own spots it may read.",
  },
  "expires-at": { type: "string", value: "ISO", description: "When it stops working (default: never)." },
};

/** `npm run ops` commands. API keys: list, issue, rotate, revoke (a new key alone on stdout). */
export const keysCommands: OpsCommand[] = [
  {
    path: ["keys", "list"],
    summary: "Every API key: prefix, role, owner, expiry, revocation, last use (never secrets).",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsApiKeysDocument, {});
      return { kind: "rows", rows: data.ops.apiKeys.map(keyRow), json: data.ops.apiKeys };
    },
  },
  {
    path: ["keys", "issue"],
    summary: "Issue a key; its plaintext is printed once, alone on stdout.",
    details:
      "BUYER needs --partner-id outside_buyer_<name>; TENANT needs --tenant-id; BUSINESS needs --business-id.",
    options: ISSUE_KEY_OPTIONS,
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsIssueApiKeyDocument, {
        input: {
          role: oneOf("role", text(values, "role"), ROLES) ?? "INTERNAL",
          name: text(values, "name") ?? "",
          partnerId: text(values, "partner-id") ?? null,
          tenantId: text(values, "tenant-id") ?? null,
          businessId: text(values, "business-id") ?? null,
          expiresAt: instantOf("expires-at", text(values, "expires-at")) ?? null,
        },
      });
      return withSecret(
        data.issueApiKey,
        "The key is printed once on stdout; store it now, it cannot be shown again.",
      );
    },
  },
  {
    path: ["keys", "rotate"],
    summary: "Replace a key; the old one keeps working for --overlap-seconds.",
    options: {
      ...idOption("The key to replace."),
      "overlap-seconds": {
        type: "string",
        value: "N",
        description: "Seconds the old key keeps working (0 to 2592000; default 0).",
      },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRotateApiKeyDocument, {
        input: {
          id: text(values, "id") ?? "",
          overlapSeconds: numberOf("overlap-seconds", text(values, "overlap-seconds"), true) ?? 0,
        },
      });
      return withSecret(
        data.rotateApiKey,
        "The new key is printed once on stdout; the old one keeps working for the overlap only.",
      );
    },
  },
  {
    path: ["keys", "revoke"],
    summary: "Revoke a key: refused from its very next request.",
    options: idOption("The key to revoke."),
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRevokeApiKeyDocument, {
        input: { id: text(values, "id") ?? "" },
      });
      return recordOf(data.revokeApiKey, (payload) => (payload.key === null ? {} : keyRow(payload.key)));
    },
  },
];
