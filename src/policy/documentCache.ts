import type { DocumentNode } from "graphql";
import { LRUCache } from "lru-cache";

/**
 * Who a document was parsed, stripped and validated for: buyers parse under their token limit and
 * are stripped and validated against the buyer schema, businesses likewise against theirs; staff (every other role) under theirs,
 * against the full schema; a request without a key (serverTime only) under the buyer limit against
 * the full schema. A cached document is only ever handed to the audience it was made for.
 */
export type DocumentAudience = "buyer" | "business" | "staff" | "anonymous";

export interface CachedDocument {
  /** The parsed document, after the strip for buyers: never edited once cached (the strip builds new nodes). */
  document: DocumentNode;
  /** What the strip removed (filter mode), reported again on every request that reuses the document. */
  strippedFields: readonly string[];
}

/** Sources longer than this are parsed every time (an import's inline rows, say): not worth a cache slot. */
export const MAX_CACHED_SOURCE_CHARS = 16_384;
const MAX_DOCUMENTS = 1_000;

/**
 * The parse and validation cache of the policy layer (Yoga's own is off, since its key is the source
 * alone and the policy's parse depends on the role). Only documents that parsed, passed the strip
 * and (later) validation are remembered: every refusal is recomputed, so its audit and report happen
 * on each request. A document's validation is remembered by its object, per audience.
 */
export class DocumentCache {
  private readonly documents = new LRUCache<string, CachedDocument>({ max: MAX_DOCUMENTS });
  private readonly valid: Record<DocumentAudience, WeakSet<DocumentNode>> = {
    buyer: new WeakSet(),
    business: new WeakSet(),
    staff: new WeakSet(),
    anonymous: new WeakSet(),
  };
  /** Documents that came from this cache: the ones worth compiling (graphql-jit). */
  private readonly cached = new WeakSet<DocumentNode>();

  parsed(audience: DocumentAudience, source: string): CachedDocument | undefined {
    if (source.length > MAX_CACHED_SOURCE_CHARS) return undefined;
    return this.documents.get(keyOf(audience, source));
  }

  rememberParsed(audience: DocumentAudience, source: string, entry: CachedDocument): void {
    if (source.length > MAX_CACHED_SOURCE_CHARS) return;
    this.documents.set(keyOf(audience, source), entry);
    this.cached.add(entry.document);
  }

  isValid(audience: DocumentAudience, document: DocumentNode): boolean {
    return this.valid[audience].has(document);
  }

  rememberValid(audience: DocumentAudience, document: DocumentNode): void {
    // Only cached documents: a one-off document's result would never be looked up again.
    if (this.cached.has(document)) this.valid[audience].add(document);
  }

  /** Whether the document is a cached one (parsed for some audience and kept). */
  isCached(document: DocumentNode): boolean {
    return this.cached.has(document);
  }
}

function keyOf(audience: DocumentAudience, source: string): string {
  return `${audience}\n${source}`;
}
