import { apiError } from "../errors";
import { importProjects } from "../resolvers/imports/importProjects";
import type { ImportMetrics } from "../resolvers/imports/mergeBatch";
import type { RowError } from "../resolvers/imports/projectRows";
import { builder } from "./builder";

const ProjectRowInput = builder.inputType("ProjectRowInput", {
  description:
    "One project row as in the 002 seed, in camelCase. Every field is a string as the tenant's export holds it; the service trims and validates them and reports problems per row.",
  fields: (t) => ({
    stageApplication: t.string({ required: false, description: "The project key (required, non-blank)." }),
    deliveryPartner: t.string({
      required: false,
      description: "Delivery partner as spelled by the tenant; normalized via partner normalization.",
    }),
    developerClass: t.string({ required: false, description: "Developer class, e.g. Class 2." }),
    relationshipManager: t.string({
      required: false,
      description: "Relationship manager's display name (or preferred username) in the RM directory.",
    }),
    rmPreferredUsername: t.string({
      required: false,
      description: "Relationship manager's preferred username, when the tenant has it.",
    }),
    deploymentSpecialist: t.string({
      required: false,
      description: "Deployment specialist's preferred username in the DS directory.",
    }),
    residential: t.string({
      required: false,
      description: "Residential premises: a non-negative integer; blank is 0.",
    }),
    commercial: t.string({
      required: false,
      description: "Commercial premises: a non-negative integer; blank is 0.",
    }),
    essential: t.string({
      required: false,
      description: "Essential premises: a non-negative integer; blank is 0.",
    }),
    premisesCount: t.string({
      required: false,
      description: "Total premises: a non-negative integer; blank is 0.",
    }),
    stageApplicationCreated: t.string({
      required: false,
      description: "When the stage application was created (YYYY-MM-DD).",
    }),
  }),
});

const ImportProjectsInput = builder.inputType("ImportProjectsInput", {
  description: "A batch of project rows for the calling TENANT key's tenant.",
  fields: (t) => ({
    source: t.string({ required: true, description: "Which system sent the batch, e.g. projects-import." }),
    batchId: t.string({
      required: true,
      description: "The tenant's batch id; a non-UUID is kept and mapped to a deterministic UUID.",
    }),
    correlationId: t.string({
      required: false,
      description: "A UUID to trace the batch by; generated when absent.",
    }),
    dryRun: t.boolean({
      required: false,
      defaultValue: false,
      description: "True validates and reports row errors only; nothing is stored.",
    }),
    rows: t.field({
      type: [ProjectRowInput],
      required: true,
      description: "1..5000 rows, at most 5 MB in all and 8 KB each.",
    }),
  }),
});

const ImportMetricsType = builder.objectRef<ImportMetrics>("ImportMetrics").implement({
  description: "What a merge changed; a replay answers the original merge's metrics.",
  fields: (t) => ({
    insertedProjects: t.exposeInt("inserted_projects", { description: "Projects created." }),
    updatedProjects: t.exposeInt("updated_projects", { description: "Existing projects overwritten." }),
    orgMembershipsUpserted: t.exposeInt("org_memberships_upserted", {
      description: "Delivery-partner memberships created or changed.",
    }),
    userMembershipsUpserted: t.exposeInt("user_memberships_upserted", {
      description: "DS and RM memberships created or changed.",
    }),
    anomaliesCount: t.exposeInt("anomalies_count", {
      description: "Anomalies recorded (unknown delivery partner, DS or RM).",
    }),
    stagingId: t.exposeID("staging_id", { description: "The staging row that holds the batch." }),
  }),
});

const ImportRowErrorType = builder.objectRef<RowError>("ImportRowError").implement({
  description: "A problem with one field of one row.",
  fields: (t) => ({
    rowIndex: t.exposeInt("rowIndex", { description: "0-based index of the row in the batch." }),
    field: t.exposeString("field", { description: "The seed's snake_case field name, or row." }),
    code: t.exposeString("code", {
      description:
        "REQUIRED, WRONG_TYPE, NOT_AN_INTEGER, NEGATIVE, OUT_OF_RANGE, TOO_LONG, INVALID_DATE, DUPLICATE_KEY, ROW_TOO_LARGE or NOT_AN_OBJECT.",
    }),
    message: t.exposeString("message", { description: "What was wrong and what to do." }),
  }),
});

interface ImportProjectsResult {
  batchId: string;
  correlationId: string;
  tenantId: string;
  replayed: boolean;
  metrics: ImportMetrics | null;
  rowErrors: RowError[];
}

const ImportProjectsPayload = builder.objectRef<ImportProjectsResult>("ImportProjectsPayload").implement({
  description: "The result of importProjects, in the 002 seed's response shape.",
  fields: (t) => ({
    batchId: t.exposeID("batchId", {
      description: "The batch's UUID (derived from batchId when that was not one).",
    }),
    correlationId: t.exposeID("correlationId", {
      description: "The batch's correlation id (the original on replays).",
    }),
    tenantId: t.exposeString("tenantId", { description: "The tenant the batch was imported for." }),
    replayed: t.exposeBoolean("replayed", {
      description: "True when this exact batch was merged before and its original result is returned.",
    }),
    metrics: t.field({
      type: ImportMetricsType,
      nullable: true,
      description: "What the merge changed; null on dry runs.",
      resolve: (payload) => payload.metrics,
    }),
    rowErrors: t.field({
      type: [ImportRowErrorType],
      description: "Every problem of every row (dry runs); empty when the batch was merged.",
      resolve: (payload) => payload.rowErrors,
    }),
  }),
});

builder.mutationField("importProjects", (t) =>
  t.field({
    type: ImportProjectsPayload,
    description:
      "Import a batch of projects for the TENANT key's tenant: idempotent by batch content, merged in one transaction.",
    authScopes: { tenant: true },
    args: { input: t.arg({ type: ImportProjectsInput, required: true, description: "The batch." }) },
    resolve: async (_root, { input }, context) => {
      const result = await importProjects(
        context.database,
        context.principal!,
        {
          source: input.source,
          batchId: input.batchId,
          correlationId: input.correlationId,
          dryRun: input.dryRun,
          rows: input.rows.map(toSeedRow),
        },
        { clock: context.clock },
      );
      if (!result.ok) {
        throw apiError(
          result.code,
          result.message,
          result.rowErrors.length > 0 ? { rowErrors: result.rowErrors } : {},
        );
      }
      return result;
    },
  }),
);

type RowInput = {
  stageApplication?: string | null;
  deliveryPartner?: string | null;
  developerClass?: string | null;
  relationshipManager?: string | null;
  rmPreferredUsername?: string | null;
  deploymentSpecialist?: string | null;
  residential?: string | null;
  commercial?: string | null;
  essential?: string | null;
  premisesCount?: string | null;
  stageApplicationCreated?: string | null;
};

function toSeedRow(row: RowInput): Record<string, string | null | undefined> {
  return {
    stage_application: row.stageApplication,
    delivery_partner: row.deliveryPartner,
    developer_class: row.developerClass,
    relationship_manager: row.relationshipManager,
    rm_preferred_username: row.rmPreferredUsername,
    deployment_specialist: row.deploymentSpecialist,
    residential: row.residential,
    commercial: row.commercial,
    essential: row.essential,
    premises_count: row.premisesCount,
    stage_application_created: row.stageApplicationCreated,
  };
}
