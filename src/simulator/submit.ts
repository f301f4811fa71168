/**
 * POST /access-requests: body shape (zod) and every documented rule, turned into a plan of
 * (identity, item) rows for the engine. Any violation is a 400 ErrorResponseDto, as ISC answers.
 */
import { z } from 'zod';
import { type Catalog, type CatalogItem, type Holding } from './catalog';
import { type IdentityDirectory } from './identities';
import { type SimulatorProfile } from './config';
import { type Engine, type PlannedItem, type SubmissionPlan } from './engine';
import { badRequest } from './errors';

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

type AccessRequestBody = z.infer<typeof accessRequestBodySchema>;
type SubmittedType = 'GRANT_ACCESS' | 'REVOKE_ACCESS';

/** One identity with the items requested for it, as the body pairs them. */
interface Pair {
  identityId: string;
  items: RequestedItem[];
}

/** What the per-item rules read besides the item. */
interface ItemContext {
  catalog: Catalog;
  profile: SimulatorProfile;
  now: number;
}

/** The body as a typed request; MODIFY_ACCESS is documented but refused, as ISC refuses it. */
function parseBody(body: unknown): { request: AccessRequestBody; requestType: SubmittedType } {
  const parsed = accessRequestBodySchema.safeParse(body);
  if (!parsed.success) throw badRequest(`Invalid access request: ${zodMessage(parsed.error)}`);
  const requestType = parsed.data.requestType ?? 'GRANT_ACCESS';
  if (requestType === 'MODIFY_ACCESS') throw badRequest('requestType MODIFY_ACCESS is not supported for this request.');
  return { request: parsed.data, requestType };
}

/** Either form of the body as (identity, items) pairs: per-identity items, or one item list for everyone. */
function pairsOf(request: AccessRequestBody, requestType: SubmittedType): Pair[] {
  const perIdentity = request.requestedForWithRequestedItems;
  if (perIdentity && perIdentity.length > 0) {
    if (requestType === 'REVOKE_ACCESS')
      throw badRequest('requestedForWithRequestedItems is not supported for REVOKE_ACCESS requests.');
    return perIdentity.map((x) => ({ identityId: x.identityId, items: x.requestedItems }));
  }
  if (!request.requestedFor || request.requestedFor.length === 0)
    throw badRequest('requestedFor is required and must not be empty.');
  const items = request.requestedItems;
  if (!items || items.length === 0) throw badRequest('requestedItems is required and must not be empty.');
  return request.requestedFor.map((identityId) => ({ identityId, items }));
}

/** ISC's limits on requests with entitlements: 25 entitlements, 10 identities. */
function checkEntitlementLimits(identityIds: string[], entitlementIds: Set<string>): void {
  if (entitlementIds.size === 0) return;
  if (entitlementIds.size > 25) throw badRequest('A request with entitlements may contain at most 25 entitlements.');
  if (identityIds.length > 10) throw badRequest('A request with entitlements may be made for at most 10 identities.');
}

/** Every item exists with its declared type, and its dates are valid for the profile. */
function checkItem(item: RequestedItem, { catalog, profile, now }: ItemContext): void {
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

/** A revocation: one identity, at most one entitlement, a comment on every item, only access a request gave. */
function checkRevocation(
  identityIds: string[],
  entitlementIds: Set<string>,
  items: RequestedItem[],
  engine: Engine,
): void {
  if (identityIds.length !== 1) throw badRequest('A REVOKE_ACCESS request must be for exactly one identity.');
  if (entitlementIds.size > 1) throw badRequest('A REVOKE_ACCESS request may contain at most 1 entitlement.');
  const identityId = identityIds[0] ?? '';
  for (const item of items) {
    if (!item.comment || item.comment.trim() === '')
      throw badRequest('comment is required for every item of a REVOKE_ACCESS request.');
    if (item.startDate !== undefined) throw badRequest('startDate is not allowed in a REVOKE_ACCESS request.');
    checkRevocable(engine.holding(identityId, item.type, item.id), item);
  }
}

function checkRevocable(held: Holding | undefined, item: RequestedItem): void {
  if (!held) return;
  if (held.source !== 'REQUEST') {
    const by = held.source === 'ROLE' ? 'role membership' : 'birthright provisioning';
    throw badRequest(`${item.type} ${item.id} was granted by ${by} and cannot be revoked by an access request.`);
  }
  if (
    item.removeDate !== undefined &&
    held.removeDate !== null &&
    Date.parse(item.removeDate) >= Date.parse(held.removeDate)
  ) {
    throw badRequest(`removeDate must be earlier than the existing sunset date ${held.removeDate}.`);
  }
}

/** Older IdentityNow: no removeDate where the role or access profile already has a sunset date. */
function checkLegacySunsets(pairs: Pair[], engine: Engine): void {
  for (const { identityId, items } of pairs) {
    for (const item of items) {
      const held = engine.holding(identityId, item.type, item.id);
      if (item.removeDate !== undefined && held?.removeDate)
        throw badRequest(`${item.type} ${item.id} already has a sunset date; removeDate cannot be set.`);
    }
  }
}

function plannedItem(catalog: Catalog, item: RequestedItem): PlannedItem {
  return {
    item: mustItem(catalog, item.id),
    comment: item.comment ?? null,
    clientMetadata: item.clientMetadata ?? null,
    removeDate: item.removeDate ?? null,
    startDate: item.startDate ?? null,
  };
}

/**
 * Checks a POST /access-requests body against every documented rule, in ISC's order, and plans its
 * (identity, item) rows.
 *
 * @throws a 400 ErrorResponseDto for the first rule the body breaks.
 */
export function planSubmission(
  body: unknown,
  engine: Engine,
  catalog: Catalog,
  identities: IdentityDirectory,
  profile: SimulatorProfile,
  now: number,
): SubmissionPlan {
  const { request, requestType } = parseBody(body);
  const pairs = pairsOf(request, requestType);
  if (pairs.some((p) => p.items.length === 0)) throw badRequest('requestedItems must not be empty.');

  const identityIds = [...new Set(pairs.map((p) => p.identityId))];
  const allItems = pairs.flatMap((p) => p.items);
  const entitlementIds = new Set(allItems.filter((i) => i.type === 'ENTITLEMENT').map((i) => i.id));
  checkEntitlementLimits(identityIds, entitlementIds);
  for (const identityId of identityIds) {
    if (!identities.has(identityId)) throw badRequest(`Identity ${identityId} was not found.`);
  }
  for (const item of allItems) checkItem(item, { catalog, profile, now });
  if (requestType === 'REVOKE_ACCESS') checkRevocation(identityIds, entitlementIds, allItems, engine);
  if (profile === 'legacy') checkLegacySunsets(pairs, engine);

  return {
    requestType,
    perIdentity: pairs.map(({ identityId, items }) => ({
      identityId,
      items: items.map((item) => plannedItem(catalog, item)),
    })),
  };
}
