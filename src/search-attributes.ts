/**
 * Custom search attributes that let operators find requests in the Temporal UI
 * (e.g. `IscflowState = "AWAITING_OPERATOR"`). Ids only: never names, e-mails or other PII.
 * Pure: imported by workflow code, the worker, the CLI and the dev-server launcher.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const IDENTITY_IDS = defineSearchAttributeKey('IscflowIdentityIds', SearchAttributeType.KEYWORD_LIST);
export const ITEM_IDS = defineSearchAttributeKey('IscflowItemIds', SearchAttributeType.KEYWORD_LIST);
export const REQUEST_TYPE = defineSearchAttributeKey('IscflowRequestType', SearchAttributeType.KEYWORD);
export const STATE = defineSearchAttributeKey('IscflowState', SearchAttributeType.KEYWORD);
export const ACCESS_REQUEST_IDS = defineSearchAttributeKey('IscflowAccessRequestIds', SearchAttributeType.KEYWORD_LIST);

/** Name -> type as the dev server's `--search-attribute Name=Type` and the SDK's test server take them. */
export const SEARCH_ATTRIBUTE_TYPES = {
  [IDENTITY_IDS.name]: 'KeywordList',
  [ITEM_IDS.name]: 'KeywordList',
  [REQUEST_TYPE.name]: 'Keyword',
  [STATE.name]: 'Keyword',
  [ACCESS_REQUEST_IDS.name]: 'KeywordList',
} as const;

export const SEARCH_ATTRIBUTE_KEYS = [IDENTITY_IDS, ITEM_IDS, REQUEST_TYPE, STATE, ACCESS_REQUEST_IDS];
