/**
 * Wire bodies of the ISC endpoints iscflow uses, after the official OpenAPI documents
 * (`access-requests.v3.json`, `access-requests.v2025.json`).
 *
 * Response schemas are loose: unknown fields pass through and most fields are `.nullish()`, because live
 * ISC sends nulls where the documents promise values and adds fields without notice. Only what the app
 * relies on is required.
 */
import { z } from 'zod';
import { ITEM_TYPES, REQUEST_TYPES } from '../domain/model';

const stringMap = z.record(z.string(), z.string());

/** One requested item of `POST /access-requests`. */
export const accessRequestItemSchema = z.object({
  type: z.enum(ITEM_TYPES),
  id: z.string().min(1),
  comment: z.string().optional(),
  clientMetadata: stringMap.optional(),
  removeDate: z.string().optional(),
  startDate: z.string().optional(),
});
export type AccessRequestItem = z.infer<typeof accessRequestItemSchema>;

/** Body of `POST /{version}/access-requests`. */
export const accessRequestBodySchema = z.object({
  requestedFor: z.array(z.string().min(1)).min(1),
  requestType: z.enum(REQUEST_TYPES),
  requestedItems: z.array(accessRequestItemSchema).min(1),
  clientMetadata: stringMap.optional(),
});
export type AccessRequestBody = z.infer<typeof accessRequestBodySchema>;

/** `AccessRequestTracking`: which ISC access request(s) took which items for one identity. */
export const trackingSchema = z.looseObject({
  requestedFor: z.string(),
  requestedItemsDetails: z
    .array(z.looseObject({ type: z.string().nullish(), id: z.string() }))
    .nullish()
    .transform((v) => v ?? []),
  attributesHash: z.number().nullish(),
  accessRequestIds: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
});
export type Tracking = z.infer<typeof trackingSchema>;

/** The 202 body of current tenants (since December 2024). */
export const accessRequestResponseSchema = z.looseObject({
  newRequests: z
    .array(trackingSchema)
    .nullish()
    .transform((v) => v ?? []),
  existingRequests: z
    .array(trackingSchema)
    .nullish()
    .transform((v) => v ?? []),
});
export type AccessRequestResponse = z.infer<typeof accessRequestResponseSchema>;

/** The 202 body of older tenants: `{}`, without either list and without any id. */
export const legacyAccessRequestResponseSchema = z.looseObject({
  newRequests: z.never().optional(),
  existingRequests: z.never().optional(),
});

/**
 * Either 202 body, told apart: the legacy shape is tried first, because the current schema would read
 * `{}` as "two empty lists" and the caller would believe nothing was created.
 */
export const submitResponseSchema = z.union([
  legacyAccessRequestResponseSchema.transform(() => ({ kind: 'untracked' as const })),
  accessRequestResponseSchema.transform((r) => ({
    kind: 'tracked' as const,
    newRequests: r.newRequests,
    existingRequests: r.existingRequests,
  })),
]);
export type SubmitResponse = z.infer<typeof submitResponseSchema>;

export const errorMessageSchema = z.looseObject({
  locale: z.string().nullish(),
  localeOrigin: z.string().nullish(),
  text: z.string().nullish(),
});
export type ErrorMessage = z.infer<typeof errorMessageSchema>;

/** Error body of 400/403/404/500 answers. */
export const errorResponseDtoSchema = z.looseObject({
  detailCode: z.string().nullish(),
  trackingId: z.string().nullish(),
  messages: z.array(errorMessageSchema).nullish(),
  causes: z.array(errorMessageSchema).nullish(),
});
export type ErrorResponseDto = z.infer<typeof errorResponseDtoSchema>;

/** One row of `GET /{version}/access-request-status`: one identity x one item. */
export const requestedItemStatusSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  type: z.enum(ITEM_TYPES).nullish(),
  // A plain string, not an enum: unknown states must reach classifyIscState, not fail the parse.
  state: z.string(),
  accessRequestId: z.string().nullish(),
  accountActivityItemId: z.string().nullish(),
  requestType: z.enum(REQUEST_TYPES).nullish(),
  requestedFor: z.looseObject({ id: z.string(), type: z.string().nullish(), name: z.string().nullish() }).nullish(),
  created: z.string().nullish(),
  modified: z.string().nullish(),
  removeDate: z.string().nullish(),
  startDate: z.string().nullish(),
  cancelable: z.boolean().nullish(),
  clientMetadata: stringMap.nullish(),
  errorMessages: z.array(z.array(errorMessageSchema).nullish()).nullish(),
  cancelledRequestDetails: z
    .looseObject({
      comment: z.string().nullish(),
      owner: z.looseObject({ id: z.string().nullish(), name: z.string().nullish() }).nullish(),
      modified: z.string().nullish(),
    })
    .nullish(),
});
export type RequestedItemStatus = z.infer<typeof requestedItemStatusSchema>;
export const requestedItemStatusListSchema = z.array(requestedItemStatusSchema);

/** Body of `POST /{version}/access-requests/cancel`; the id is the access request id. */
export const cancelAccessRequestSchema = z.object({ accountActivityId: z.string().min(1), comment: z.string().min(1) });
export type CancelAccessRequest = z.infer<typeof cancelAccessRequestSchema>;

/** Body of `POST /v2025/access-requests/close` (1 to 500 ids). */
export const closeAccessRequestSchema = z.object({
  accessRequestIds: z.array(z.string().min(1)).min(1).max(500),
  message: z.string().optional(),
});
export type CloseAccessRequest = z.infer<typeof closeAccessRequestSchema>;

/**
 * One access entry of an identity search document (ISC's IdentityAccess); types other than the three
 * requestable ones exist. How it was granted is in ISC's flags: `revocable` (roles, access profiles)
 * is false for access assigned by a rule or birthright, `standalone` (entitlements) is false for an
 * entitlement that came with a role or access profile.
 */
export const identityAccessSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  name: z.string().nullish(),
  revocable: z.boolean().nullish(),
  standalone: z.boolean().nullish(),
});
export type IdentityAccessEntry = z.infer<typeof identityAccessSchema>;

/** An identity document from `POST /{version}/search` on the `identities` index. */
export const identityDocumentSchema = z.looseObject({
  id: z.string(),
  // BaseDocument requires a name; a tenant that leaves it out still has an id to go by.
  name: z.string().nullish(),
  employeeNumber: z.string().nullish(),
  attributes: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v) => v ?? {}),
  access: z
    .array(identityAccessSchema)
    .nullish()
    .transform((v) => v ?? []),
});
export type IdentityDocument = z.infer<typeof identityDocumentSchema>;
export const identitySearchResultSchema = z.array(identityDocumentSchema);

/**
 * One Role, AccessProfile or Entitlement of `GET /{version}/roles`, `/access-profiles`,
 * `/v2025/entitlements`: only what a look-up by name or id needs.
 */
export const catalogItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  requestable: z.boolean().nullish(),
});
export type CatalogItemResponse = z.infer<typeof catalogItemSchema>;
export const catalogItemListSchema = z.array(catalogItemSchema);

/** 200 body of `POST /oauth/token`; the other fields (scope, tenant_id, ...) are not needed. */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  expires_in: z.number().positive(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;
