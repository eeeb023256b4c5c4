import type { UserError } from "../errors";
import { listTimingPolicies, setTimingPolicy, type TimingPolicyRow } from "../jobs/timingPolicies";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";

const TimingPolicy = builder.objectRef<TimingPolicyRow>("TimingPolicy").implement({
  description: "A schedule and its parameters, read by a job at every tick (changes need no restart).",
  fields: (t) => ({
    policyKey: t.exposeString("policyKey", { description: "e.g. outside_buyer_precompute_v1." }),
    payload: t.string({
      description: "The parameters as JSON text.",
      resolve: (policy) => JSON.stringify(policy.payload),
    }),
    description: t.exposeString("description", { nullable: true, description: "What the policy drives." }),
    updatedAt: t.field({
      type: "DateTime",
      description: "Last change.",
      resolve: (policy) => policy.updatedAt,
    }),
    updatedBy: t.exposeString("updatedBy", { nullable: true, description: "Who changed it last." }),
  }),
});

builder.queryField("timingPolicies", (t) =>
  t.field({
    type: [TimingPolicy],
    description: "Every timing policy (INTERNAL and OPERATOR).",
    authScopes: { internal: true },
    resolve: (_root, _args, context) => listTimingPolicies(context.database),
  }),
);

const SetTimingPolicyInput = builder.inputType("SetTimingPolicyInput", {
  description: "A timing policy's new parameters.",
  fields: (t) => ({
    policyKey: t.string({ required: true, description: "Which policy." }),
    payload: t.string({ required: true, description: "The parameters as JSON text; validated per policy." }),
  }),
});

const SetTimingPolicyPayload = mutationPayload<{ policy: TimingPolicyRow | null; userErrors: UserError[] }>(
  "SetTimingPolicyPayload",
  "The result of setTimingPolicy.",
  (t) => ({
    policy: t.field({
      type: TimingPolicy,
      nullable: true,
      description: "The policy as it now stands.",
      resolve: (p) => p.policy,
    }),
  }),
);

adminMutationField("setTimingPolicy", {
  payload: SetTimingPolicyPayload,
  description: "Change a timing policy (operators); the job uses it from its next tick. Audited.",
  input: { type: SetTimingPolicyInput, description: "Which policy and its parameters." },
  auditTarget: (input) => input.policyKey,
  run: setTimingPolicy,
  refused: { policy: null },
});
