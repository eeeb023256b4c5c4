import type { Logger } from "pino";
import type { Clock } from "../clock";
import type { Config } from "../config";
import type { DatabaseHandle } from "../db/client";
import type { Principal } from "../policy/principal";

/**
 * What every admin domain function works with besides who acts and on what. Every admin change has
 * the one signature `(deps, actor, input)`: the request context is a deps (schema/ passes it as it
 * is); a job or the CLI builds one.
 */
export interface AdminDeps {
  database: DatabaseHandle;
  clock: Clock;
  config: Config;
  logger: Logger;
}

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

/** The actor of a change no key asked for: a scheduled job, the CLI's bootstrap, the demo seed. */
export function systemActor(name: string): AdminActor {
  return { actor: name, actorKeyId: null, requestId: null };
}
