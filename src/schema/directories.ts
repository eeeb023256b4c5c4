import type { UserError } from "../errors";
import { type BackfillCounts, backfillMemberships } from "../resolvers/imports/backfill";
import {
  type DirectoryEntry,
  type PartnerNormalizationEntry,
  partnerKey,
  upsertDirectoryEntry,
  upsertPartnerNormalization,
} from "../resolvers/imports/directories";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";

// What imports match tenants' spellings against: partner normalization, the DS and RM directories,
// and the backfill that re-applies them to projects already imported.

const PartnerNormalization = builder.objectRef<PartnerNormalizationEntry>("PartnerNormalization").implement({
  description: "How one raw delivery-partner spelling maps to its canonical organisation.",
  fields: (t) => ({
    rawKey: t.exposeString("rawKey", {
      description: "The raw spelling, trimmed and lowercased (the lookup key).",
    }),
    canonicalName: t.exposeString("canonicalName", { description: "The canonical organisation name." }),
    updatedAt: t.field({
      type: "DateTime",
      description: "When it was last set.",
      resolve: (e) => e.updatedAt,
    }),
  }),
});

const UpsertPartnerNormalizationInput = builder.inputType("UpsertPartnerNormalizationInput", {
  description: "A delivery-partner spelling and the organisation it stands for.",
  fields: (t) => ({
    rawName: t.string({
      required: true,
      description: "The spelling as tenants send it (matched trimmed, case-insensitively).",
    }),
    canonicalName: t.string({ required: true, description: "The canonical organisation name." }),
  }),
});

const UpsertPartnerNormalizationPayload = mutationPayload<{
  partnerNormalization: PartnerNormalizationEntry | null;
  userErrors: UserError[];
}>("UpsertPartnerNormalizationPayload", "The result of upsertPartnerNormalization.", (t) => ({
  partnerNormalization: t.field({
    type: PartnerNormalization,
    nullable: true,
    description: "The mapping as it now stands.",
    resolve: (p) => p.partnerNormalization,
  }),
}));

adminMutationField("upsertPartnerNormalization", {
  payload: UpsertPartnerNormalizationPayload,
  description: "Add or correct a delivery-partner normalization (operators only); audited.",
  input: { type: UpsertPartnerNormalizationInput, description: "The mapping." },
  auditTarget: (input) => partnerKey(input.rawName),
  run: upsertPartnerNormalization,
  refused: { partnerNormalization: null },
});

// ---- DS and RM directories ----------------------------------------------------------------------

const DirectoryKind = builder.enumType("DirectoryKind", {
  description: "Which user directory an entry belongs to.",
  values: {
    DS: { value: "ds", description: "Deployment specialists (matched on preferred username)." },
    RM: {
      value: "rm",
      description: "Relationship managers (matched on preferred username or display name).",
    },
  } as const,
});

const DirectoryEntryType = builder.objectRef<DirectoryEntry>("DirectoryEntry").implement({
  description: "A deployment specialist or relationship manager that imports may link projects to.",
  fields: (t) => ({
    directory: t.field({ type: DirectoryKind, description: "Which directory.", resolve: (e) => e.directory }),
    preferredUsername: t.exposeString("preferredUsername", { description: "The user's preferred username." }),
    displayName: t.exposeString("displayName", { nullable: true, description: "The user's display name." }),
    active: t.exposeBoolean("active", {
      description: "Only active entries are matched by imports and backfill.",
    }),
    updatedAt: t.field({
      type: "DateTime",
      description: "When it was last set.",
      resolve: (e) => e.updatedAt,
    }),
  }),
});

const UpsertDirectoryEntryInput = builder.inputType("UpsertDirectoryEntryInput", {
  description: "A directory entry to add or correct.",
  fields: (t) => ({
    directory: t.field({ type: DirectoryKind, required: true, description: "DS or RM." }),
    preferredUsername: t.string({ required: true, description: "The user's preferred username (the key)." }),
    displayName: t.string({
      required: false,
      description: "Display name; required for a new RM entry, unchanged when absent.",
    }),
    active: t.boolean({
      required: false,
      description: "Whether imports may match the entry; a new entry starts active, unchanged when absent.",
    }),
  }),
});

const UpsertDirectoryEntryPayload = mutationPayload<{
  entry: DirectoryEntry | null;
  userErrors: UserError[];
}>("UpsertDirectoryEntryPayload", "The result of upsertDirectoryEntry.", (t) => ({
  entry: t.field({
    type: DirectoryEntryType,
    nullable: true,
    description: "The entry as it now stands.",
    resolve: (p) => p.entry,
  }),
}));

adminMutationField("upsertDirectoryEntry", {
  payload: UpsertDirectoryEntryPayload,
  description:
    "Add or correct a DS or RM directory entry, including its active flag (operators only); audited.",
  input: { type: UpsertDirectoryEntryInput, description: "The entry." },
  auditTarget: (input) => `${input.directory}_directory:${input.preferredUsername.trim()}`,
  run: upsertDirectoryEntry,
  refused: { entry: null },
});

// ---- membership backfill ------------------------------------------------------------------------

const BackfillMembershipsInput = builder.inputType("BackfillMembershipsInput", {
  description: "Which projects to backfill.",
  fields: (t) => ({
    tenantId: t.string({
      required: false,
      description: "Only this tenant's projects; absent = all tenants.",
    }),
  }),
});

const BackfillMembershipsPayload = mutationPayload<BackfillCounts & { userErrors: UserError[] }>(
  "BackfillMembershipsPayload",
  "The result of backfillMemberships: what changed (0 when everything was in place).",
  (t) => ({
    projectsScanned: t.exposeInt("projectsScanned", {
      description: "Projects whose canonical fields were read.",
    }),
    orgMembershipsUpserted: t.exposeInt("orgMembershipsUpserted", {
      description: "Delivery-partner memberships inserted or changed.",
    }),
    userMembershipsUpserted: t.exposeInt("userMembershipsUpserted", {
      description: "DS and RM memberships inserted or changed.",
    }),
  }),
);

adminMutationField("backfillMemberships", {
  payload: BackfillMembershipsPayload,
  description:
    "Materialise org and user memberships from projects' canonical fields through the current directories (operators only); idempotent, audited.",
  input: { type: BackfillMembershipsInput, description: "Which projects." },
  auditTarget: (input) => input.tenantId?.trim() || "all tenants",
  run: backfillMemberships,
  refused: { projectsScanned: 0, orgMembershipsUpserted: 0, userMembershipsUpserted: 0 },
});
