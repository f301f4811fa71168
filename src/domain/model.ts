/**
 * The access-change model shared by the ingress, the CLI, activities and workflows.
 *
 * Pure: imported by Temporal workflow code, so no Node modules, no clock, no randomness.
 */
import { z } from 'zod';

/** The kinds of access ISC can grant or revoke through an access request. */
export const ITEM_TYPES = ['ROLE', 'ACCESS_PROFILE', 'ENTITLEMENT'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** `MODIFY_ACCESS` exists in newer API versions but iscflow does not use it. */
export const REQUEST_TYPES = ['GRANT_ACCESS', 'REVOKE_ACCESS'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/**
 * An ISC object id: 32 hexadecimal characters, the only form ISC issues (no dashes).
 *
 * Upper case is accepted and normalised to lower case, because ISC answers with lower-case ids and the
 * tracker matches status rows to requested items by id: a mixed-case id would never match.
 */
export const iscIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'must be an ISC id: 32 hexadecimal characters without dashes')
  .transform((id) => id.toLowerCase());

/** One requested item: what kind of access and which object. */
export const accessItemSchema = z.strictObject({
  type: z.enum(ITEM_TYPES),
  id: iscIdSchema,
});
export type AccessItem = z.infer<typeof accessItemSchema>;

/**
 * One access change as a caller states it: grant or revoke these items for these identities.
 *
 * Strict objects: an unknown key (a typo such as `removedate`) is refused instead of dropped, because a
 * grant sent without its `removeDate` silently clears the sunset in ISC.
 * Dates are plain strings here; `validateAccessChange` checks their format, zone and order against an
 * explicit `now`, which a schema cannot do deterministically.
 */
export const accessChangeSchema = z.strictObject({
  requestType: z.enum(REQUEST_TYPES),
  identityIds: z.array(iscIdSchema).min(1),
  items: z.array(accessItemSchema).min(1),
  comment: z.string().optional(),
  removeDate: z.string().optional(),
  startDate: z.string().optional(),
  clientMetadata: z.record(z.string(), z.string()).optional(),
});
export type AccessChange = z.infer<typeof accessChangeSchema>;

/** The final outcome of one (identity, item) row of a request. */
export const ITEM_OUTCOMES = ['GRANTED', 'REVOKED', 'ALREADY_SATISFIED', 'REJECTED', 'FAILED', 'CANCELLED'] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];
