import { execute } from "../../client/opsClient";
import { OpsAnomaliesDocument } from "../../generated/graphql/graphql";
import { numberOf, text } from "../framework";
import { firstOf, firstOption, type OpsCommand } from "../opsCommand";

/** `npm run ops` commands. Import anomalies. */
export const anomaliesCommands: OpsCommand[] = [
  {
    path: ["anomalies"],
    summary: "Import anomalies of the last hours, newest first.",
    options: {
      hours: { type: "string", value: "N", description: "Window in hours (default 24)." },
      ...firstOption,
    },
    async run({ endpoint, values }) {
      const windowHours = numberOf("hours", text(values, "hours"), true) ?? 24;
      const data = await execute(endpoint, OpsAnomaliesDocument, { windowHours, first: firstOf(values) });
      const rows = data.anomalies.nodes.map((row) => ({ ...row }));
      return { kind: "rows", rows, json: data.anomalies };
    },
  },
];
