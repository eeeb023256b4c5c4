import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents for internal tools (the ops command line, the demo activity, the operator console),
// generated from the committed, sorted schema.
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["src/cli/operations/**/*.graphql", "console/src/operations/**/*.graphql"],
  generates: {
    "src/generated/graphql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: "string" } },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
