const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a text is a UUID in its canonical form, either case (PostgreSQL's uuid type reads both). Ids
 * and cursors from outside are checked with it before they reach a `::uuid` cast, which would fail
 * the statement instead of answering "not found" or "not a cursor".
 */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
