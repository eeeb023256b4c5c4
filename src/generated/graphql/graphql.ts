/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What an API key may do. */
export type Role =
  /** Outside data buyer: insights, quotes, viewer and the dataset export. */
  | 'BUYER'
  /** Internal tool: every read, including diagnostics and ops views. */
  | 'INTERNAL'
  /** Operator: everything INTERNAL may, plus admin mutations. */
  | 'OPERATOR'
  /** Import tenant: importProjects for its own tenant only. */
  | 'TENANT';

/** Width of a time bucket. Buckets are aligned in UTC; weeks are ISO weeks starting Monday. */
export type TimeGranularity =
  /** One UTC day (the default). */
  | 'DAY'
  /** One hour (stricter profile: 168 h delay, k-min 300). */
  | 'HOUR'
  /** One ISO week, Monday 00:00 UTC to the next Monday. */
  | 'WEEK';

export type OpsBudgetsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsBudgetsQuery = { ops: { privacyBudgetUsage: Array<{ partnerId: string, epsilonLimit: number, epsilonSpent: number, epsilonRemaining: number, windowDays: number, lastChargeAt: string | null }> } };

export type OpsFreshnessQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsFreshnessQuery = { ops: { cacheFreshness: Array<{ granularity: TimeGranularity, latestReleasedBucketUtc: string | null, lagHours: number | null, stale: boolean }> } };

export type OpsAuditLogQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type OpsAuditLogQuery = { ops: { auditLog: { totalCount: number, edges: Array<{ node: { id: string, at: string, action: string, actor: string, target: string | null, outcome: string, requestId: string | null } }> } } };

export type OpsJobsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsJobsQuery = { ops: { jobs: Array<{ name: string, schedule: string | null, policyKey: string | null, runs24h: number, failures24h: number, nextDueAt: string | null, lastRun: { id: string, startedAt: string, finishedAt: string | null, outcome: string, rows: number | null, planned: number | null, error: string | null } | null }> } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { role: Role, partnerId: string | null, tenantId: string | null } };


export const OpsBudgetsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsBudgets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"privacyBudgetUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonLimit"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonSpent"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonRemaining"}},{"kind":"Field","name":{"kind":"Name","value":"windowDays"}},{"kind":"Field","name":{"kind":"Name","value":"lastChargeAt"}}]}}]}}]}}]} as unknown as DocumentNode<OpsBudgetsQuery, OpsBudgetsQueryVariables>;
export const OpsFreshnessDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsFreshness"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cacheFreshness"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"latestReleasedBucketUtc"}},{"kind":"Field","name":{"kind":"Name","value":"lagHours"}},{"kind":"Field","name":{"kind":"Name","value":"stale"}}]}}]}}]}}]} as unknown as DocumentNode<OpsFreshnessQuery, OpsFreshnessQueryVariables>;
export const OpsAuditLogDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsAuditLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpsAuditLogQuery, OpsAuditLogQueryVariables>;
export const OpsJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsJobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"schedule"}},{"kind":"Field","name":{"kind":"Name","value":"policyKey"}},{"kind":"Field","name":{"kind":"Name","value":"runs24h"}},{"kind":"Field","name":{"kind":"Name","value":"failures24h"}},{"kind":"Field","name":{"kind":"Name","value":"nextDueAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}},{"kind":"Field","name":{"kind":"Name","value":"planned"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpsJobsQuery, OpsJobsQueryVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;