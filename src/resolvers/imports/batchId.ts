import { createHash } from "node:crypto";
import { isUuid } from "../../db/uuid";

// A fixed namespace for batch ids that are not UUIDs (RFC 4122 name-based UUIDs, version 5).
const BATCH_ID_NAMESPACE = "5b1c7a0e-3f7d-4c1e-9d7a-6f3e2b8c4a10";

/** The batch id as stored: the tenant's own when it is a UUID, else a UUID v5 derived from it. */
export function storedBatchId(requested: string): { batchId: string; requestBatchId: string | null } {
  if (isUuid(requested)) return { batchId: requested.toLowerCase(), requestBatchId: null };
  return { batchId: uuidV5(requested), requestBatchId: requested };
}

function uuidV5(name: string): string {
  const namespace = Buffer.from(BATCH_ID_NAMESPACE.replace(/-/g, ""), "hex");
  const bytes = createHash("sha1").update(namespace).update(name, "utf8").digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
