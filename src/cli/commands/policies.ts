import { execute } from "../../client/opsClient";
import { OpsSetTimingPolicyDocument, OpsTimingPoliciesDocument } from "../../generated/graphql/graphql";
import { inlineOrFile, text, UsageError } from "../framework";
import { type OpsCommand, recordOf } from "../opsCommand";

/** `npm run ops` commands. Timing policies. */
export const policiesCommands: OpsCommand[] = [
  {
    path: ["policy", "list"],
    summary: "Every timing policy and its parameters.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsTimingPoliciesDocument, {});
      const rows = data.timingPolicies.map((policy) => ({
        policy: policy.policyKey,
        updatedAt: policy.updatedAt,
        updatedBy: policy.updatedBy ?? null,
        payload: policy.payload,
      }));
      return { kind: "rows", rows, json: data.timingPolicies };
    },
  },
  {
    path: ["policy", "set"],
    summary:
      "Replace a timing policy's parameters (validated per policy); the job uses them from its next tick.",
    options: {
      policy: {
        type: "string",
        value: "KEY",
        required: true,
        description: "The policy, e.g. ops_monitors_v1.",
      },
      payload: { type: "string", value: "JSON", description: "The parameters as a JSON object." },
      "payload-file": { type: "string", value: "PATH", description: "Read the parameters from a file." },
    },
    async run({ endpoint, values }) {
      const payload = inlineOrFile(values, "payload");
      if (payload === undefined) throw new UsageError("give --payload or --payload-file");
      const data = await execute(endpoint, OpsSetTimingPolicyDocument, {
        input: { policyKey: text(values, "policy") ?? "", payload },
      });
      return recordOf(data.setTimingPolicy, (result) => ({ ...result.policy }));
    },
  },
];
