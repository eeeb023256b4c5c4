import type { UserError } from "../errors";
import type { ApiKeyRow } from "../resolvers/admin/apiKeys";
import { issueApiKey, revokeApiKey, rotateApiKey } from "../resolvers/admin/apiKeys";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";
import { RoleEnum } from "./viewer";

/** What operators see of a key: never its hash. */
export type ApiKeyView = Pick<
  ApiKeyRow,
  | "id"
  | "name"
  | "prefix"
  | "role"
  | "partnerId"
  | "tenantId"
  | "businessId"
  | "createdAt"
  | "expiresAt"
  | "revokedAt"
  | "lastUsedAt"
>;

export const ApiKey = builder.objectRef<ApiKeyView>("ApiKey").implement({
  description: "An API key as operators see it: never its secret or hash.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The key's id (used to rotate or revoke it)." }),
    name: t.exposeString("name", { description: "Who or what the key is for." }),
    prefix: t.exposeString("prefix", { description: "The first 12 characters, for recognising the key." }),
    role: t.field({ type: RoleEnum, description: "What the key may do.", resolve: (key) => key.role }),
    partnerId: t.exposeString("partnerId", { nullable: true, description: "The buyer (BUYER keys)." }),
    tenantId: t.exposeString("tenantId", { nullable: true, description: "The tenant (TENANT keys)." }),
    businessId: t.exposeString("businessId", {
      nullable: true,
      description: "The business whose spots the key may read (BUSINESS keys).",
    }),
    createdAt: t.field({
      type: "DateTime",
      description: "When it was issued.",
      resolve: (key) => key.createdAt,
    }),
    expiresAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it stops working, if ever.",
      resolve: (key) => key.expiresAt,
    }),
    revokedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it was revoked, if it was.",
      resolve: (key) => key.revokedAt,
    }),
    lastUsedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "Last use, to the minute (not written on every request).",
      resolve: (key) => key.lastUsedAt,
    }),
  }),
});

interface KeyPayloadShape {
  apiKey?: string | null;
  key: ApiKeyRow | null;
  userErrors: UserError[];
}

const keyPayload = (name: string, description: string, withSecret: boolean) =>
  mutationPayload<KeyPayloadShape>(name, description, (t) => ({
    ...(withSecret
      ? {
          apiKey: t.string({
            nullable: true,
            description: "The new key's plaintext: shown this once, never stored.",
            resolve: (payload) => payload.apiKey ?? null,
          }),
        }
      : {}),
    key: t.field({
      type: ApiKey,
      nullable: true,
      description: "The key as it now stands.",
      resolve: (payload) => payload.key,
    }),
  }));

const IssueApiKeyPayload = keyPayload("IssueApiKeyPayload", "The result of issueApiKey.", true);
const RotateApiKeyPayload = keyPayload("RotateApiKeyPayload", "The result of rotateApiKey.", true);
const RevokeApiKeyPayload = keyPayload("RevokeApiKeyPayload", "The result of revokeApiKey.", false);

const IssueApiKeyInput = builder.inputType("IssueApiKeyInput", {
  description: "A new API key.",
  fields: (t) => ({
    role: t.field({ type: RoleEnum, required: true, description: "What the key may do." }),
    name: t.string({ required: true, description: "Who or what it is for (1 to 100 characters)." }),
    partnerId: t.string({ required: false, description: "BUYER keys: the buyer, starting outside_buyer_." }),
    tenantId: t.string({ required: false, description: "TENANT keys: the tenant it may import for." }),
    businessId: t.string({
      required: false,
      description: "BUSINESS keys (required for them): the business whose own spots the key may read.",
    }),
    expiresAt: t.field({
      type: "DateTime",
      required: false,
      description: "When it stops working; never when absent.",
    }),
  }),
});

const RotateApiKeyInput = builder.inputType("RotateApiKeyInput", {
  description: "Which key to replace, and how long the old one keeps working.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The key to replace." }),
    overlapSeconds: t.int({
      required: false,
      defaultValue: 0,
      description: "Seconds the old key keeps working (0: refused from now on; at most 30 days).",
    }),
  }),
});

const RevokeApiKeyInput = builder.inputType("RevokeApiKeyInput", {
  description: "Which key to revoke.",
  fields: (t) => ({ id: t.id({ required: true, description: "The key to revoke." }) }),
});

adminMutationField("issueApiKey", {
  payload: IssueApiKeyPayload,
  description: "Issue an API key (operators only); the plaintext is in the payload once. Audited.",
  input: { type: IssueApiKeyInput, description: "The new key." },
  auditTarget: (input) => `${input.role}:${input.name}`,
  run: issueApiKey,
  refused: { apiKey: null, key: null },
});

adminMutationField("rotateApiKey", {
  payload: RotateApiKeyPayload,
  description: "Replace a key; the old one keeps working for overlapSeconds. Audited.",
  input: { type: RotateApiKeyInput, description: "Which key, and the overlap." },
  auditTarget: (input) => String(input.id),
  run: rotateApiKey,
  refused: { apiKey: null, key: null },
});

adminMutationField("revokeApiKey", {
  payload: RevokeApiKeyPayload,
  description: "Revoke a key: refused from its very next request, on every process. Audited.",
  input: { type: RevokeApiKeyInput, description: "Which key." },
  auditTarget: (input) => String(input.id),
  run: revokeApiKey,
  refused: { key: null },
});
