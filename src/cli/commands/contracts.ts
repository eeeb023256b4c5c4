import { execute } from "../../client/opsClient";
import {
  type ContractCheck,
  OpsContractViolationsDocument,
  OpsVerifyContractsDocument,
} from "../../generated/graphql/graphql";
import { numberOf, oneOf, text } from "../framework";
import { firstOf, firstOption, type OpsCommand, outcomeOf } from "../opsCommand";

const CONTRACT_CHECKS = [
  "RELEASED_BELOW_K",
  "SUPPRESSION_CAUSE_VISIBLE",
  "METRIC_ON_SUPPRESSED",
  "GEO_FINER_THAN_CITY",
  "DENIED_KEY",
  "RELEASE_WITHOUT_RECEIPT",
  "RELEASE_WITHOUT_LEDGER",
  "DAY_OVER_CAP",
] as const satisfies readonly ContractCheck[];

/** `npm run ops` commands. The contract verifier: what it found, and running it now. */
export const contractsCommands: OpsCommand[] = [
  {
    path: ["contracts", "list"],
    summary:
      "What the contract verifier found: check, release or day, count, detected and resolved, newest first.",
    options: {
      status: { type: "string", value: "S", description: "Only OPEN or only RESOLVED violations." },
      check: { type: "string", value: "C", description: `Only one check: ${CONTRACT_CHECKS.join(", ")}.` },
      ...firstOption,
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsContractViolationsDocument, {
        status: oneOf("status", text(values, "status"), ["OPEN", "RESOLVED"] as const) ?? null,
        check: oneOf("check", text(values, "check"), CONTRACT_CHECKS) ?? null,
        first: firstOf(values),
      });
      const rows = data.ops.contractViolations.nodes.map((violation) => ({
        check: violation.check,
        subject: violation.subject,
        count: violation.count,
        detectedAt: violation.detectedAt,
        resolvedAt: violation.resolvedAt,
        detail: violation.detail,
      }));
      return { kind: "rows", rows, json: data.ops.contractViolations };
    },
  },
  {
    path: ["contracts", "verify"],
    summary:
      "Run the contract verifier now: re-check recent releases and a sample of export records; new violations open ERROR feed items.",
    details:
      "The window and sample left out are the contract_verifier_v1 policy's (35 days, 200 records by default). Exit 0 even when violations are found: they are listed.",
    options: {
      "window-days": {
        type: "string",
        value: "N",
        description: "Re-check releases of the last N days (1 to 400).",
      },
      "sample-records": {
        type: "string",
        value: "N",
        description: "Export records to render and check (0 to 10000).",
      },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsVerifyContractsDocument, {
        input: {
          windowDays: numberOf("window-days", text(values, "window-days"), true) ?? null,
          sampleRecords: numberOf("sample-records", text(values, "sample-records"), true) ?? null,
        },
      });
      return outcomeOf(data.verifyContracts, ({ userErrors: _userErrors, newViolations, ...result }) => ({
        kind: "record",
        record: { ...result, newViolations: (newViolations ?? []).length },
        json: data.verifyContracts,
        ...((newViolations ?? []).length > 0
          ? {
              note: (newViolations ?? [])
                .map((violation) => `new: ${violation.check} ${violation.subject}: ${violation.detail}`)
                .join("\n"),
            }
          : {}),
      }));
    },
  },
];
