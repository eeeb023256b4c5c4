import type { Principal } from "../policy/principal";

/** Who asked for an admin change, for the audit row written with it. */
export interface AdminActor {
  actor: string;
  actorKeyId: string | null;
  requestId: string | null;
}

/** How the audit log names the key that acted: its display prefix and its name. */
export function actorOf(principal: Pick<Principal, "keyPrefix" | "keyName">): string {
  return `${principal.keyPrefix} (${principal.keyName})`;
}

/** The actor of an admin change made in a request: the calling key and the request's id. */
export function adminActorOf(request: {
  principal: Pick<Principal, "keyId" | "keyPrefix" | "keyName"> | null;
  requestId: string | null;
}): AdminActor {
  const { principal } = request;
  return {
    // Admin mutations are scoped to a key; "? (?)" only names a call that slipped past the scope.
    actor: principal === null ? "? (?)" : actorOf(principal),
    actorKeyId: principal?.keyId ?? null,
    requestId: request.requestId,
  };
}
