import { builder } from "./builder";
import "./scalars";
import "./viewer";
import "./insights";

builder.queryType({ description: "Reads: insights for buyers, anomalies and ops views for internal tools." });

export const schema = builder.toSchema({ sortSchema: true });
