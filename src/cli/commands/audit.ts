import { execute } from "../../client/opsClient";
import { OpsAuditLogDocument, OpsVerifyAuditChainDocument } from "../../generated/graphql/graphql";
import { firstOf, firstOption, type OpsCommand } from "../opsCommand";

/** `npm run ops` commands. The audit log and its hash chain. */
export const auditCommands: OpsCommand[] = [
  {
    path: ["audit", "list"],
    summary: "The audit log, newest first.",
    options: firstOption,
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsAuditLogDocument, { first: firstOf(values) });
      const rows = data.ops.auditLog.edges.map(({ node }) => ({
        id: node.id,
        at: node.at,
        action: node.action,
        actor: node.actor,
        target: node.target ?? null,
        outcome: node.outcome,
        requestId: node.requestId ?? null,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["audit", "verify"],
    summary: "Recompute the audit hash chain; exit code 1 names the first entry that no longer matches.",
    async run({ endpoint }) {
      const report = (await execute(endpoint, OpsVerifyAuditChainDocument, {})).ops.verifyAuditChain;
      const record = { ...report };
      return report.valid
        ? { kind: "record", record, json: report }
        : {
            kind: "failed",
            code: "AUDIT_CHAIN_BROKEN",
            message: `audit entry ${report.firstBrokenId} no longer matches its hash or link`,
            record,
            json: report,
          };
    },
  },
];
