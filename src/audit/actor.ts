import type { AppContext } from "../context";
import type { AdminActor } from "../resolvers/admin/apiKeys";

/** Who made an admin change, for its audit row: the key's prefix and name, and the request. */
export function actorOf(context: Pick<AppContext, "principal" | "requestId">): AdminActor {
  return {
    actor: `${context.principal?.keyPrefix ?? "?"} (${context.principal?.keyName ?? "?"})`,
    actorKeyId: context.principal?.keyId ?? null,
    requestId: context.requestId,
  };
}
