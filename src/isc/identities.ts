/**
 * Identities as ISC's `identities` search index shows them (`POST /{version}/search`): one identity, the
 * identity HR knows by employee number, and the access identities hold. The index lags behind changes,
 * which callers allow for; this module only reads it and maps its documents to iscflow's shapes.
 */
import { ITEM_TYPES, type ItemType } from '../domain/model';
import { IscError } from './errors';
import { type IdentityAccessEntry, type IdentityDocument, identitySearchResultSchema } from './schemas';
import { batchesOf, checkOutgoing, idForQuery, quotedForQuery, quoteValue } from './shared';
import { type IscTransport } from './transport';
import { type HeldAccess, type IscApiVersion, type IscClient, type IscIdentity } from './types';

/** Identities per `id:a OR id:b ...` search: well inside one page of results. */
const SEARCH_IDS_PER_CALL = 100;

export function createIdentities(
  transport: IscTransport,
  version: IscApiVersion,
): Pick<IscClient, 'getIdentityAccess' | 'getIdentitiesAccess' | 'findIdentityByEmployeeNumber' | 'getIdentity'> {
  async function search(query: string): Promise<IdentityDocument[]> {
    return transport.call({
      method: 'POST',
      path: `/${version}/search`,
      body: { indices: ['identities'], query: { query } },
      schema: identitySearchResultSchema,
    });
  }

  async function byId(identityId: string): Promise<IdentityDocument | undefined> {
    checkOutgoing(idForQuery, identityId, 'identity id');
    const docs = await search(`id:${identityId}`);
    return docs.find((d) => d.id === identityId);
  }

  return {
    async getIdentityAccess(identityId) {
      const doc = await byId(identityId);
      return doc ? heldAccessOf(doc) : [];
    },

    async getIdentitiesAccess(identityIds) {
      const ids = [...new Set(identityIds)];
      for (const id of ids) checkOutgoing(idForQuery, id, 'identity id');
      const held = new Map<string, HeldAccess[]>();
      for (const batch of batchesOf(ids, SEARCH_IDS_PER_CALL)) {
        const docs = await search(batch.map((id) => `id:${id}`).join(' OR '));
        for (const doc of docs) if (batch.includes(doc.id)) held.set(doc.id, heldAccessOf(doc));
      }
      for (const id of ids) if (!held.has(id)) held.set(id, []);
      return held;
    },

    async findIdentityByEmployeeNumber(employeeNumber) {
      const wanted = checkOutgoing(quotedForQuery, employeeNumber, 'employee number');
      const match = onlyMatch(await search(`employeeNumber:${quoteValue(wanted)}`), wanted);
      return match ? toIdentity(match) : undefined;
    },

    async getIdentity(identityId) {
      const doc = await byId(identityId);
      return doc ? toIdentity(doc) : undefined;
    },
  };
}

/** The document whose employee number is `wanted`, ignoring case; two such documents are ISC_BAD_REQUEST. */
function onlyMatch(docs: IdentityDocument[], wanted: string): IdentityDocument | undefined {
  // The index matches loosely (analysed text); only an equal number, ignoring case, is the person.
  const matches = docs.filter((d) => employeeNumberOf(d)?.toLowerCase() === wanted.toLowerCase());
  if (matches.length > 1) {
    throw new IscError(
      'ISC_BAD_REQUEST',
      `ISC has ${matches.length} identities with employeeNumber ${wanted} (${matches.map((d) => d.id).join(', ')}): refusing to pick one`,
    );
  }
  return matches[0];
}

/** What an identity document says the identity holds, with how it was granted where ISC's flags say. */
export function heldAccessOf(doc: IdentityDocument): HeldAccess[] {
  return doc.access
    .filter((a): a is IdentityAccessEntry & { type: ItemType } => (ITEM_TYPES as readonly string[]).includes(a.type))
    .map((a) => {
      const revocable = revocableOf(a);
      return {
        type: a.type,
        id: a.id,
        ...(typeof a.name === 'string' && { name: a.name }),
        ...(revocable !== undefined && { revocable }),
      };
    });
}

export function toIdentity(doc: IdentityDocument): IscIdentity {
  return { id: doc.id, name: doc.name ?? doc.id, attributes: doc.attributes };
}

export function employeeNumberOf(doc: IdentityDocument): string | undefined {
  const value = doc.employeeNumber ?? doc.attributes.employeeNumber;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function revocableOf(entry: IdentityAccessEntry): boolean | undefined {
  if (typeof entry.revocable === 'boolean') return entry.revocable;
  if (entry.type === 'ENTITLEMENT' && typeof entry.standalone === 'boolean') return entry.standalone;
  return undefined;
}
