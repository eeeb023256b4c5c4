import { builder } from "./builder";

export const UserErrorType = builder
  .objectRef<{ field: string[]; code: string; message: string }>("UserError")
  .implement({
    description:
      "Why a mutation (or a read such as cityGeohash3Bounds) did not do what was asked, for one input field.",
    // Buyers read the field and the code; `message` is a denied response key of the data contract.
    subGraphs: ["internal", "buyer"],
    fields: (t) => ({
      field: t.exposeStringList("field", {
        description: "Path to the input field, e.g. [input, partnerId].",
      }),
      code: t.exposeString("code", { description: "Stable UPPER_SNAKE code of the problem." }),
      message: t.exposeString("message", {
        subGraphs: ["internal"],
        description: "What was wrong and what to do (not for BUYER keys: message is a denied response key).",
      }),
    }),
  });
