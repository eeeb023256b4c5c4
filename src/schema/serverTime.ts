import { builder } from "./builder";

builder.queryField("serverTime", (t) =>
  t.field({
    type: "DateTime",
    description:
      "The server's clock, in UTC with millisecond precision, so clients can sync their clocks before they sign in. The only field a request may select without an API key (alone, or with __typename).",
    subGraphs: ["internal", "buyer", "business"],
    // Always with milliseconds (the DateTime scalar passes a full ISO string through).
    resolve: (_root, _args, context) => context.clock.now().toISOString() as unknown as Date,
  }),
);
