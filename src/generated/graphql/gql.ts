/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query OpsBudgets {\n  ops {\n    privacyBudgetUsage {\n      partnerId\n      epsilonLimit\n      epsilonSpent\n      epsilonRemaining\n      windowDays\n      lastChargeAt\n    }\n  }\n}\n\nquery OpsFreshness {\n  ops {\n    cacheFreshness {\n      granularity\n      latestReleasedBucketUtc\n      lagHours\n      stale\n    }\n  }\n}\n\nquery OpsAuditLog($first: Int) {\n  ops {\n    auditLog(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          at\n          action\n          actor\n          target\n          outcome\n          requestId\n        }\n      }\n    }\n  }\n}\n\nquery OpsJobs {\n  ops {\n    jobs {\n      name\n      schedule\n      policyKey\n      runs24h\n      failures24h\n      nextDueAt\n      lastRun {\n        id\n        startedAt\n        finishedAt\n        outcome\n        rows\n        planned\n        error\n      }\n    }\n  }\n}": typeof types.OpsBudgetsDocument,
    "query Viewer {\n  viewer {\n    role\n    partnerId\n    tenantId\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "query OpsBudgets {\n  ops {\n    privacyBudgetUsage {\n      partnerId\n      epsilonLimit\n      epsilonSpent\n      epsilonRemaining\n      windowDays\n      lastChargeAt\n    }\n  }\n}\n\nquery OpsFreshness {\n  ops {\n    cacheFreshness {\n      granularity\n      latestReleasedBucketUtc\n      lagHours\n      stale\n    }\n  }\n}\n\nquery OpsAuditLog($first: Int) {\n  ops {\n    auditLog(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          at\n          action\n          actor\n          target\n          outcome\n          requestId\n        }\n      }\n    }\n  }\n}\n\nquery OpsJobs {\n  ops {\n    jobs {\n      name\n      schedule\n      policyKey\n      runs24h\n      failures24h\n      nextDueAt\n      lastRun {\n        id\n        startedAt\n        finishedAt\n        outcome\n        rows\n        planned\n        error\n      }\n    }\n  }\n}": types.OpsBudgetsDocument,
    "query Viewer {\n  viewer {\n    role\n    partnerId\n    tenantId\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query OpsBudgets {\n  ops {\n    privacyBudgetUsage {\n      partnerId\n      epsilonLimit\n      epsilonSpent\n      epsilonRemaining\n      windowDays\n      lastChargeAt\n    }\n  }\n}\n\nquery OpsFreshness {\n  ops {\n    cacheFreshness {\n      granularity\n      latestReleasedBucketUtc\n      lagHours\n      stale\n    }\n  }\n}\n\nquery OpsAuditLog($first: Int) {\n  ops {\n    auditLog(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          at\n          action\n          actor\n          target\n          outcome\n          requestId\n        }\n      }\n    }\n  }\n}\n\nquery OpsJobs {\n  ops {\n    jobs {\n      name\n      schedule\n      policyKey\n      runs24h\n      failures24h\n      nextDueAt\n      lastRun {\n        id\n        startedAt\n        finishedAt\n        outcome\n        rows\n        planned\n        error\n      }\n    }\n  }\n}"): (typeof documents)["query OpsBudgets {\n  ops {\n    privacyBudgetUsage {\n      partnerId\n      epsilonLimit\n      epsilonSpent\n      epsilonRemaining\n      windowDays\n      lastChargeAt\n    }\n  }\n}\n\nquery OpsFreshness {\n  ops {\n    cacheFreshness {\n      granularity\n      latestReleasedBucketUtc\n      lagHours\n      stale\n    }\n  }\n}\n\nquery OpsAuditLog($first: Int) {\n  ops {\n    auditLog(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          at\n          action\n          actor\n          target\n          outcome\n          requestId\n        }\n      }\n    }\n  }\n}\n\nquery OpsJobs {\n  ops {\n    jobs {\n      name\n      schedule\n      policyKey\n      runs24h\n      failures24h\n      nextDueAt\n      lastRun {\n        id\n        startedAt\n        finishedAt\n        outcome\n        rows\n        planned\n        error\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    role\n    partnerId\n    tenantId\n  }\n}"): (typeof documents)["query Viewer {\n  viewer {\n    role\n    partnerId\n    tenantId\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;