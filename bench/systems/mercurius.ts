// Fastify 5 + Mercurius with graphql-jit (queries compiled after their first run), the equivalent
// schema and resolvers on postgres.js. Fastify's logger off: no system writes a line per request.
import Fastify from "fastify";
import mercurius from "mercurius";
import { announceReady, makeResolvers, openSql, systemOptions, TYPE_DEFS } from "./common";

const { port, databaseUrl } = systemOptions();
const sql = openSql(databaseUrl);
const app = Fastify({ logger: false });
await app.register(mercurius, { schema: TYPE_DEFS, resolvers: makeResolvers(sql), jit: 1 });
await app.listen({ port, host: "127.0.0.1" });
announceReady("mercurius", port);
process.once("SIGTERM", () => {
  void app
    .close()
    .then(() => sql.end())
    .finally(() => process.exit(0));
});
