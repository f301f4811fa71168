/** The ISC HTTP client. Node code: never import it from workflows (lint enforces this). */
export {
  type IscClient,
  type IscClientOptions,
  type SubmitResult,
  type AccessRequestStatusQuery,
  type HeldAccess,
  type IscIdentity,
  type CatalogItem,
  type CatalogLookup,
  createIscClient,
} from './client';
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
