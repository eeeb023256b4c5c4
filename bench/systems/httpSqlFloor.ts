// The floor: plain node:http + postgres.js. It reads the filter from the GraphQL request's variables
// (no parsing, validation or execution of the document), runs the one SELECT every system needs
// and writes the same JSON response.
import { createServer } from "node:http";
import { announceReady, type FilterInput, openSql, readInsights, systemOptions } from "./common";

const { port, databaseUrl } = systemOptions();
const sql = openSql(databaseUrl);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    void (async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          variables?: { f?: FilterInput; first?: number };
        };
        const filter = body.variables?.f;
        if (filter === undefined) throw new Error("variables.f is required");
        const insights = await readInsights(sql, filter, Math.min(body.variables?.first ?? 500, 500));
        const json = JSON.stringify({ data: { insights } });
        response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        response.end(json);
      } catch (error) {
        response.writeHead(400, { "content-type": "application/json; charset=utf-8" });
        response.end(
          JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : "error" }] }),
        );
      }
    })();
  });
});
server.listen(port, "127.0.0.1", () => announceReady("http_sql_floor", port));
process.once("SIGTERM", () => {
  server.close();
  server.closeIdleConnections();
  void sql.end().finally(() => process.exit(0));
});
