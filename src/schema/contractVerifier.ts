import type { ContractCheck } from "../db/schema/contractViolations";
import { MAX_SAMPLE_RECORDS, MAX_WINDOW_DAYS } from "../db/timingPolicyRegistry";
import type { UserError } from "../errors";
import {
  CONTRACT_CHECKS,
  type ContractViolationRow,
  listContractViolations,
  runContractVerifier,
  type VerificationResult,
} from "../jobs/contractVerifier";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";
import { connectionOf, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageRequest } from "./connection";
import { Ops } from "./ops";

const ContractCheckEnum = builder.enumType("ContractCheck", {
  description:
    "A data-contract invariant the contract verifier re-checks (001 seed, applied as the 004 seed's verify_gold_contracts).",
  values: Object.fromEntries(
    (Object.keys(CONTRACT_CHECKS) as ContractCheck[]).map((check) => [
      check.toUpperCase(),
      { value: check, description: CONTRACT_CHECKS[check] },
    ]),
  ) as Record<Uppercase<ContractCheck>, { value: ContractCheck; description: string }>,
});

const ContractViolationStatusEnum = builder.enumType("ContractViolationStatus", {
  description: "Whether a violation is still found.",
  values: {
    OPEN: { value: "open", description: "The newest run that re-checked its subject still found it." },
    RESOLVED: {
      value: "resolved",
      description: "A later run re-checked its subject and no longer found it.",
    },
  } as const,
});

const ContractViolation = builder.objectRef<ContractViolationRow>("ContractViolation").implement({
  description:
    "One broken contract invariant found by the contract verifier, per check and subject (a release, a ledger day or a city); an open one is updated by later runs, never duplicated.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The violation's id." }),
    check: t.field({
      type: ContractCheckEnum,
      description: "Which invariant is broken.",
      resolve: (row) => row.checkName,
    }),
    releaseId: t.exposeID("releaseId", {
      nullable: true,
      description:
        "The release (for RELEASE_WITHOUT_LEDGER its family's first release); null for a ledger day or a city.",
    }),
    subject: t.exposeString("subject", {
      description: "What it is about: the release id, the UTC day (YYYY-MM-DD) or city:<code>.",
    }),
    count: t.int({
      description:
        "How many cells, records, ledger days, families or names break it (the newest run's count).",
      resolve: (row) => row.rowCount,
    }),
    detail: t.exposeString("detail", { description: "What was found, and the limit it breaks." }),
    detectedAt: t.field({
      type: "DateTime",
      description: "The run that first found it.",
      resolve: (row) => row.detectedAt,
    }),
    lastSeenAt: t.field({
      type: "DateTime",
      description: "The newest run that still found it.",
      resolve: (row) => row.lastSeenAt,
    }),
    resolvedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When a run re-checked its subject and no longer found it; null while open.",
      resolve: (row) => row.resolvedAt,
    }),
    feedItemId: t.exposeID("feedItemId", {
      nullable: true,
      description: "The ops feed item (severity ERROR) opened when it was found.",
    }),
  }),
});

const ContractViolationConnection = builder.connectionObject(
  {
    type: ContractViolation,
    name: "ContractViolationConnection",
    description: "A page of contract violations, newest first.",
    fields: (t) => ({
      totalCount: t.int({
        description: "All violations matching the status and check.",
        resolve: (connection) => (connection as { totalCount?: number }).totalCount ?? 0,
      }),
    }),
  },
  { name: "ContractViolationEdge", description: "A contract violation with its cursor." },
);

builder.objectFields(Ops, (t) => ({
  contractViolations: t.field({
    type: ContractViolationConnection,
    description:
      "What the contract verifier found (table contract_violations): check, release, count and when it was detected, newest first.",
    args: {
      status: t.arg({
        type: ContractViolationStatusEnum,
        required: false,
        description: "Only open or only resolved violations (default: both).",
      }),
      check: t.arg({ type: ContractCheckEnum, required: false, description: "Only this check." }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: `Page size, at most ${MAX_PAGE_SIZE}.`,
      }),
      after: t.arg.string({ required: false, description: "Cursor of the last item of the previous page." }),
    },
    resolve: async (_ops, { status, check, first, after }, context) => {
      const request = pageRequest("contractViolations", { first, after });
      const page = await listContractViolations(context.database, {
        open: status === null || status === undefined ? null : status === "open",
        check: check ?? null,
        ...request,
      });
      return connectionOf(request, { ...page, rows: page.items }, (item) => ({
        at: item.detectedAt,
        id: item.id,
      }));
    },
  }),
}));

const VerifyContractsInput = builder.inputType("VerifyContractsInput", {
  description:
    "How far back and how many export records one run of the contract verifier checks; each left out is the contract_verifier_v1 policy's.",
  fields: (t) => ({
    windowDays: t.int({
      required: false,
      description: `Re-check releases whose bucket starts, or which were made, within this many days (1..${MAX_WINDOW_DAYS}; policy default 35).`,
    }),
    sampleRecords: t.int({
      required: false,
      description: `Served cells rendered as dataset export records and checked as a buyer receives them (0..${MAX_SAMPLE_RECORDS}; policy default 200).`,
    }),
  }),
});

const VerifyContractsPayload = mutationPayload<{
  result: VerificationResult | null;
  userErrors: UserError[];
}>(
  "VerifyContractsPayload",
  "The result of verifyContracts: what was re-checked, and the violations it opened, kept open or resolved.",
  (t) => ({
    windowDays: t.int({
      nullable: true,
      description: "The window used, in days.",
      resolve: (p) => p.result?.windowDays ?? null,
    }),
    windowStart: t.field({
      type: "DateTime",
      nullable: true,
      description: "Releases whose bucket starts, or which were made, from this instant on were re-checked.",
      resolve: (p) => p.result?.windowStart ?? null,
    }),
    checkedReleases: t.int({
      nullable: true,
      description: "Releases (every version not retired) re-checked.",
      resolve: (p) => p.result?.checkedReleases ?? null,
    }),
    checkedCells: t.int({
      nullable: true,
      description: "Served cells (current versions) re-checked as stored.",
      resolve: (p) => p.result?.checkedCells ?? null,
    }),
    sampledRecords: t.int({
      nullable: true,
      description: "Served cells rendered as export records and checked.",
      resolve: (p) => p.result?.sampledRecords ?? null,
    }),
    checkedDays: t.int({
      nullable: true,
      description: "Participant-day ledger days checked against the cap.",
      resolve: (p) => p.result?.checkedDays ?? null,
    }),
    found: t.int({
      nullable: true,
      description: "Violations this run found, new and already open.",
      resolve: (p) => p.result?.found ?? null,
    }),
    newViolations: t.field({
      type: [ContractViolation],
      nullable: true,
      description: "Violations this run opened, each with an ops feed item (severity ERROR).",
      resolve: (p) => p.result?.newViolations ?? null,
    }),
    stillOpen: t.int({
      nullable: true,
      description: "Violations found again while open: updated, not duplicated.",
      resolve: (p) => p.result?.stillOpen ?? null,
    }),
    resolved: t.int({
      nullable: true,
      description: "Open violations whose subject this run re-checked and no longer found.",
      resolve: (p) => p.result?.resolved ?? null,
    }),
  }),
);

adminMutationField("verifyContracts", {
  payload: VerifyContractsPayload,
  description:
    "Run the contract verifier now, whether or not its hourly job is enabled: re-check recent releases (cells under k, suppression causes, metrics on suppressed cells, geo finer than a city, denied keys, receipts, ledger entries, days over the cap) and a sample of export records; new violations open ops feed items (operators only); audited.",
  input: {
    type: VerifyContractsInput,
    description: "The window and sample; each left out is the policy's.",
    required: false,
  },
  auditTarget: () => "contract_violations",
  run: runContractVerifier,
  refused: { result: null },
});
