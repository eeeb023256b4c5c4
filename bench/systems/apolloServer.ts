// Apollo Server 5 (its standalone node:http server) with the equivalent schema and resolvers on postgres.js.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { announceReady, makeResolvers, openSql, systemOptions, TYPE_DEFS } from "./common";

const { port, databaseUrl } = systemOptions();
const sql = openSql(databaseUrl);
const server = new ApolloServer({ typeDefs: TYPE_DEFS, resolvers: makeResolvers(sql) });
await startStandaloneServer(server, { listen: { port, host: "127.0.0.1" } });
announceReady("apollo_server", port);
process.once("SIGTERM", () => {
  void server
    .stop()
    .then(() => sql.end())
    .finally(() => process.exit(0));
});
