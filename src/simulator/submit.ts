import { z } from 'zod';
import { type Catalog, type CatalogItem } from './catalog';
import { type IdentityDirectory } from './identities';
import { type SimulatorProfile } from './config';
import { type Engine, type PlannedItem, type SubmissionPlan } from './engine';
import { badRequest } from './errors';

/**
 * POST /access-requests: body shape (zod) and every documented rule, turned into a plan of
 * (identity, item) rows for the engine. Any violation is a 400 ErrorResponseDto, as ISC answers.
 */
const itemType = z.enum(['ACCESS_PROFILE', 'ROLE', 'ENTITLEMENT']);
const metadata = z.record(z.string(), z.string());

const requestedItemSchema = z.object({
  type: itemType,
  id: z.string().min(1),
  comment: z.string().optional(),
  clientMetadata: metadata.optional(),
  removeDate: z.string().optional(),
  startDate: z.string().optional(),
  assignmentId: z.string().nullable().optional(),
  nativeIdentity: z.string().nullable().optional(),
});

const accessRequestBodySchema = z.object({
  requestedFor: z.array(z.string()).optional(),
  requestType: z.enum(['GRANT_ACCESS', 'REVOKE_ACCESS', 'MODIFY_ACCESS']).nullable().optional(),
  requestedItems: z.array(requestedItemSchema).optional(),
  clientMetadata: metadata.optional(),
  requestedForWithRequestedItems: z
    .array(
      z.object({
        identityId: z.string(),
        requestedItems: z.array(requestedItemSchema.omit({ assignmentId: true, nativeIdentity: true })),
      }),
    )
    .nullable()
    .optional(),
});

type RequestedItem = z.infer<typeof requestedItemSchema>;

export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

/** ISO-8601 with an explicit UTC designator: "Z" or "+00:00". */
const UTC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|\+00:00|\+0000)$/;

function checkDate(field: 'removeDate' | 'startDate', value: string, now: number): void {
  if (!UTC_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw badRequest(`${field} ${value} is invalid: it must be an ISO-8601 date-time in the UTC timezone.`);
  }
  if (Date.parse(value) <= now) throw badRequest(`${field} ${value} must be a date-time in the future.`);
}

function mustItem(catalog: Catalog, id: string): CatalogItem {
  const item = catalog.itemById.get(id);
  if (!item) throw badRequest(`Item ${id} was not found.`);
  return item;
}

export function planSubmission(
  body: unknown,
  engine: Engine,
  catalog: Catalog,
  identities: IdentityDirectory,
  profile: SimulatorProfile,
  now: number,
): SubmissionPlan {
  const parsed = accessRequestBodySchema.safeParse(body);
  if (!parsed.success) throw badRequest(`Invalid access request: ${zodMessage(parsed.error)}`);
  const request = parsed.data;
  const requestType = request.requestType ?? 'GRANT_ACCESS';
  if (requestType === 'MODIFY_ACCESS') throw badRequest('requestType MODIFY_ACCESS is not supported for this request.');

  let pairs: { identityId: string; items: RequestedItem[] }[];
  if (request.requestedForWithRequestedItems && request.requestedForWithRequestedItems.length > 0) {
    if (requestType === 'REVOKE_ACCESS')
      throw badRequest('requestedForWithRequestedItems is not supported for REVOKE_ACCESS requests.');
    pairs = request.requestedForWithRequestedItems.map((x) => ({ identityId: x.identityId, items: x.requestedItems }));
  } else {
    if (!request.requestedFor || request.requestedFor.length === 0)
      throw badRequest('requestedFor is required and must not be empty.');
    if (!request.requestedItems || request.requestedItems.length === 0)
      throw badRequest('requestedItems is required and must not be empty.');
    const items = request.requestedItems;
    pairs = request.requestedFor.map((identityId) => ({ identityId, items }));
  }
  if (pairs.some((p) => p.items.length === 0)) throw badRequest('requestedItems must not be empty.');

  const identityIds = [...new Set(pairs.map((p) => p.identityId))];
  const allItems = pairs.flatMap((p) => p.items);
  const entitlementIds = new Set(allItems.filter((i) => i.type === 'ENTITLEMENT').map((i) => i.id));
  if (entitlementIds.size > 0) {
    if (entitlementIds.size > 25) throw badRequest('A request with entitlements may contain at most 25 entitlements.');
    if (identityIds.length > 10) throw badRequest('A request with entitlements may be made for at most 10 identities.');
  }

  for (const identityId of identityIds) {
    if (!identities.has(identityId)) throw badRequest(`Identity ${identityId} was not found.`);
  }
  for (const item of allItems) {
    const known = catalog.itemById.get(item.id);
    if (!known || known.type !== item.type) throw badRequest(`${item.type} ${item.id} was not found.`);
    if (item.removeDate !== undefined) checkDate('removeDate', item.removeDate, now);
    if (item.startDate !== undefined) checkDate('startDate', item.startDate, now);
    if (
      item.removeDate !== undefined &&
      item.startDate !== undefined &&
      Date.parse(item.removeDate) <= Date.parse(item.startDate)
    ) {
      throw badRequest('removeDate must be later than startDate.');
    }
    if (profile === 'legacy') {
      if (item.startDate !== undefined) throw badRequest('startDate is not supported.');
      if (item.removeDate !== undefined && item.type === 'ENTITLEMENT')
        throw badRequest('removeDate is not supported for entitlements.');
    }
  }

  if (requestType === 'REVOKE_ACCESS') {
    if (identityIds.length !== 1) throw badRequest('A REVOKE_ACCESS request must be for exactly one identity.');
    if (entitlementIds.size > 1) throw badRequest('A REVOKE_ACCESS request may contain at most 1 entitlement.');
    const identityId = identityIds[0] ?? '';
    for (const item of allItems) {
      if (!item.comment || item.comment.trim() === '')
        throw badRequest('comment is required for every item of a REVOKE_ACCESS request.');
      if (item.startDate !== undefined) throw badRequest('startDate is not allowed in a REVOKE_ACCESS request.');
      const held = engine.holding(identityId, item.type, item.id);
      if (held && held.source !== 'REQUEST') {
        throw badRequest(
          `${item.type} ${item.id} was granted by ${held.source === 'ROLE' ? 'role membership' : 'birthright provisioning'} and cannot be revoked by an access request.`,
        );
      }
      if (
        held &&
        item.removeDate !== undefined &&
        held.removeDate !== null &&
        Date.parse(item.removeDate) >= Date.parse(held.removeDate)
      ) {
        throw badRequest(`removeDate must be earlier than the existing sunset date ${held.removeDate}.`);
      }
    }
  }

  if (profile === 'legacy') {
    // Older IdentityNow: no removeDate where the role or access profile already has a sunset date.
    for (const { identityId, items } of pairs) {
      for (const item of items) {
        const held = engine.holding(identityId, item.type, item.id);
        if (item.removeDate !== undefined && held?.removeDate)
          throw badRequest(`${item.type} ${item.id} already has a sunset date; removeDate cannot be set.`);
      }
    }
  }

  return {
    requestType,
    perIdentity: pairs.map(({ identityId, items }) => ({
      identityId,
      items: items.map((i): PlannedItem => ({
        item: mustItem(catalog, i.id),
        comment: i.comment ?? null,
        clientMetadata: i.clientMetadata ?? null,
        removeDate: i.removeDate ?? null,
        startDate: i.startDate ?? null,
      })),
    })),
  };
}
