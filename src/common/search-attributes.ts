/**
 * Custom search attributes that let operators find requests in the Temporal UI
 * (e.g. `IscflowState = "AWAITING_OPERATOR"`). Ids only: never names, e-mails or other PII.
 * Workflow-safe: imported by workflow code, the worker, the CLI, deployment scripts and tests.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const IDENTITY_IDS = defineSearchAttributeKey('IscflowIdentityIds', SearchAttributeType.KEYWORD_LIST);
export const ITEM_IDS = defineSearchAttributeKey('IscflowItemIds', SearchAttributeType.KEYWORD_LIST);
export const REQUEST_TYPE = defineSearchAttributeKey('IscflowRequestType', SearchAttributeType.KEYWORD);
export const STATE = defineSearchAttributeKey('IscflowState', SearchAttributeType.KEYWORD);
export const ACCESS_REQUEST_IDS = defineSearchAttributeKey('IscflowAccessRequestIds', SearchAttributeType.KEYWORD_LIST);
/**
 * The caller's idempotency key of a change (an HR event id, a ticket number): how a replay of the same key
 * finds the change it repeats. Keys are references to records elsewhere, never personal data themselves.
 */
export const IDEMPOTENCY_KEY = defineSearchAttributeKey('IscflowIdempotencyKey', SearchAttributeType.KEYWORD);

/**
 * The pseudonym of an identity's key (an HMAC of its employee number or ISC id): how every workflow of one
 * identity is found without putting HR's key in clear into ids or visibility (`iscflow identity ref KEY`).
 */
export const IDENTITY_REF = defineSearchAttributeKey('IscflowIdentityRef', SearchAttributeType.KEYWORD);
/** Where an identity's lifecycle stands: PENDING_HIRE, WAITING_FOR_IDENTITY, ACTIVE, TERMINATED, ... */
export const LIFECYCLE_STATE = defineSearchAttributeKey('IscflowLifecycleState', SearchAttributeType.KEYWORD);
/** Why a workflow waits for a person (a stable code such as ITEM_FAILED or IDENTITY_NOT_FOUND); empty otherwise. */
export const OPERATOR_REASON = defineSearchAttributeKey('IscflowOperatorReason', SearchAttributeType.KEYWORD);

/**
 * What a lifecycle expects ISC to hold, for drift sweeps: its policy's hash and positions in that policy's
 * sorted item list (see src/domain/lifecycle/drift.ts). No names, no attributes, no personal data.
 */
export const ACCESS_DIGEST = defineSearchAttributeKey('IscflowAccessDigest', SearchAttributeType.KEYWORD);

/** Name -> type as the dev server's `--search-attribute Name=Type` and the SDK's test server take them. */
export const SEARCH_ATTRIBUTE_TYPES = {
  [IDENTITY_IDS.name]: 'KeywordList',
  [ITEM_IDS.name]: 'KeywordList',
  [REQUEST_TYPE.name]: 'Keyword',
  [STATE.name]: 'Keyword',
  [ACCESS_REQUEST_IDS.name]: 'KeywordList',
  [IDEMPOTENCY_KEY.name]: 'Keyword',
  [IDENTITY_REF.name]: 'Keyword',
  [LIFECYCLE_STATE.name]: 'Keyword',
  [OPERATOR_REASON.name]: 'Keyword',
  [ACCESS_DIGEST.name]: 'Keyword',
} as const;

/**
 * Every custom search attribute, as registered on the server. SQL visibility stores (SQLite, PostgreSQL)
 * offer three KeywordList columns: all three are taken, so new attributes must be Keywords.
 */
export const SEARCH_ATTRIBUTE_KEYS = [
  IDENTITY_IDS,
  ITEM_IDS,
  REQUEST_TYPE,
  STATE,
  ACCESS_REQUEST_IDS,
  IDEMPOTENCY_KEY,
  IDENTITY_REF,
  LIFECYCLE_STATE,
  OPERATOR_REASON,
  ACCESS_DIGEST,
];
