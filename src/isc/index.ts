/** The ISC HTTP client. Node code: never import it from workflows (lint enforces this). */
export { createIscClient } from './client';
export type {
  IscClient,
  IscClientOptions,
  SubmitResult,
  AccessRequestStatusQuery,
  HeldAccess,
  IscIdentity,
  SearchedIdentity,
  IdentityPageRequest,
  IdentityPage,
  CatalogItem,
  CatalogLookup,
} from './types';
export { ISC_ERROR_CODES, type IscErrorCode, IscError } from './errors';
export {
  accessRequestItemSchema,
  type AccessRequestItem,
  accessRequestBodySchema,
  type AccessRequestBody,
  trackingSchema,
  type Tracking,
  accessRequestResponseSchema,
  type AccessRequestResponse,
  legacyAccessRequestResponseSchema,
  submitResponseSchema,
  errorResponseDtoSchema,
  type ErrorResponseDto,
  requestedItemStatusSchema,
  type RequestedItemStatus,
} from './schemas';
