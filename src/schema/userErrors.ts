import { builder } from "./builder";

export const UserErrorType = builder
  .objectRef<{ field: string[]; code: string; message: string }>("UserError")
  .implement({
    description: "Why a mutation did not do what was asked, for one input field.",
    fields: (t) => ({
      field: t.exposeStringList("field", {
        description: "Path to the input field, e.g. [input, partnerId].",
      }),
      code: t.exposeString("code", { description: "Stable UPPER_SNAKE code of the problem." }),
      message: t.exposeString("message", { description: "What was wrong and what to do." }),
    }),
  });
