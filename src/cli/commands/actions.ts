import { execute } from "../../client/opsClient";
import {
  type ActionDecision,
  type ApprovalStatus,
  OpsActionsDocument,
  OpsDecideActionDocument,
} from "../../generated/graphql/graphql";
import { oneOf, text } from "../framework";
import { idOption, type OpsCommand, recordOf } from "../opsCommand";

const APPROVAL_STATUSES = ["PENDING", "APPROVED", "REJECTED"] as const satisfies readonly ApprovalStatus[];

/** `npm run ops` commands. The action ledger: what the monitors proposed, approved or rejected. */
export const actionsCommands: OpsCommand[] = [
  {
    path: ["actions", "list"],
    summary: "Actions the monitors proposed, newest first.",
    options: {
      status: { type: "string", value: "S", description: `Only ${APPROVAL_STATUSES.join(", ")} actions.` },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsActionsDocument, {
        approvalStatus: oneOf("status", text(values, "status"), APPROVAL_STATUSES) ?? null,
      });
      const rows = data.ops.actions.map((action) => ({
        id: action.id,
        createdAt: action.createdAt,
        action: action.actionType,
        target: action.target,
        approval: action.approvalStatus,
        status: action.status,
        proposedBy: action.proposedBy,
      }));
      return { kind: "rows", rows, json: data.ops.actions };
    },
  },
  ...(["approve", "reject"] as const).map(
    (verb): OpsCommand => ({
      path: ["actions", verb],
      summary:
        verb === "approve"
          ? "Approve a PENDING action: it is executed at once (e.g. the buyer's keys revoked)."
          : "Reject a PENDING action: nothing is done.",
      options: {
        ...idOption("The proposed action."),
        reason: {
          type: "string",
          value: "TEXT",
          required: true,
          description: "Why (kept with the decision).",
        },
      },
      async run({ endpoint, values }) {
        const decision: ActionDecision = verb === "approve" ? "APPROVE" : "REJECT";
        const data = await execute(endpoint, OpsDecideActionDocument, {
          input: { id: text(values, "id") ?? "", decision, reason: text(values, "reason") ?? "" },
        });
        return recordOf(data.decideAction, (payload) => ({ ...payload.action }));
      },
    }),
  ),
];
