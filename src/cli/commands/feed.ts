import { execute } from "../../client/opsClient";
import {
  type FeedStatus,
  OpsAcknowledgeFeedItemDocument,
  OpsFeedDocument,
  OpsRetentionCountsDocument,
  OpsRunFeedRetentionDocument,
  type RetentionCountKind,
} from "../../generated/graphql/graphql";
import { numberOf, oneOf, text } from "../framework";
import { firstOf, firstOption, idOption, type OpsCommand, recordOf } from "../opsCommand";

const FEED_STATUSES = ["NEW", "READ", "ARCHIVED"] as const satisfies readonly FeedStatus[];

const RETENTION_KINDS = ["FEED_ITEM", "MONITOR_EVENT"] as const satisfies readonly RetentionCountKind[];

/** `npm run ops` commands. The ops feed: list, acknowledge, retention and what the retention deleted. */
export const feedCommands: OpsCommand[] = [
  {
    path: ["feed", "list"],
    summary: "The ops feed, newest first.",
    options: {
      status: { type: "string", value: "S", description: `Only ${FEED_STATUSES.join(", ")} items.` },
      ...firstOption,
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsFeedDocument, {
        status: oneOf("status", text(values, "status"), FEED_STATUSES) ?? null,
        first: firstOf(values),
      });
      const rows = data.ops.feed.nodes.map((item) => ({
        id: item.id,
        createdAt: item.createdAt,
        severity: item.severity,
        status: item.status,
        source: item.source,
        title: item.title,
      }));
      return { kind: "rows", rows, json: data.ops.feed };
    },
  },
  {
    path: ["feed", "ack"],
    summary: "Mark a feed item READ (default) or ARCHIVED.",
    options: {
      ...idOption("The feed item."),
      status: { type: "string", value: "S", description: "READ or ARCHIVED (default READ)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsAcknowledgeFeedItemDocument, {
        input: {
          id: text(values, "id") ?? "",
          status: oneOf("status", text(values, "status"), ["READ", "ARCHIVED"] as const) ?? "READ",
        },
      });
      return recordOf(data.acknowledgeFeedItem, (payload) => ({ ...payload.item }));
    },
  },
  {
    path: ["feed", "retention"],
    summary:
      "Run the feed retention now: archive old READ items, delete old feed items and monitor events (their counts kept).",
    details:
      "Each age left out is the ops_feed_retention_v1 policy's (30, 90 and 180 days by default); 0 needs --confirm.",
    options: {
      "archive-read-days": {
        type: "string",
        value: "N",
        description: "Archive READ items older than N days.",
      },
      "delete-days": { type: "string", value: "N", description: "Delete feed items older than N days." },
      "monitor-events-days": {
        type: "string",
        value: "N",
        description: "Delete monitor events older than N days (each monitor's newest kept).",
      },
      confirm: { type: "boolean", description: "Allow an age of 0 (every row of that kind)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRunFeedRetentionDocument, {
        input: {
          archiveReadDays: numberOf("archive-read-days", text(values, "archive-read-days"), true) ?? null,
          deleteDays: numberOf("delete-days", text(values, "delete-days"), true) ?? null,
          monitorEventsDays:
            numberOf("monitor-events-days", text(values, "monitor-events-days"), true) ?? null,
          confirm: values.confirm === true,
        },
      });
      return recordOf(data.runFeedRetention, ({ userErrors: _userErrors, ...result }) => ({ ...result }));
    },
  },
  {
    path: ["feed", "counts"],
    summary: "What the feed retention deleted, per UTC day, monitor and severity (oldest first).",
    options: {
      kind: { type: "string", value: "K", description: `Only ${RETENTION_KINDS.join(" or ")} counts.` },
      from: {
        type: "string",
        value: "DATE",
        description: "First UTC day, YYYY-MM-DD (default: 399 days before --to).",
      },
      to: { type: "string", value: "DATE", description: "Last UTC day, YYYY-MM-DD (default: today)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRetentionCountsDocument, {
        kind: oneOf("kind", text(values, "kind"), RETENTION_KINDS) ?? null,
        fromDay: text(values, "from") ?? null,
        toDay: text(values, "to") ?? null,
      });
      const rows = data.ops.retentionCounts.map((row) => ({ ...row }));
      return { kind: "rows", rows, json: rows };
    },
  },
];
