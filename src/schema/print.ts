import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "./index";

/** The committed schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
