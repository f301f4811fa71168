/** Identity look-ups over a fake transport: many identities a hundred per search, ids checked first. */
import { createIdentities } from '../../../src/isc/identities';
import { fakeTransport, thrown } from '../../support/isc';

const idOf = (i: number) => i.toString(16).padStart(32, '0');

describe('identities', () => {
  it('searches a hundred identities at a time, each once, and answers for every id asked', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => idOf(i));
    const { transport, requests } = fakeTransport((request) => {
      const query = (request.body as { query: { query: string } }).query.query;
      const asked = query.split(' OR ').map((term) => term.slice('id:'.length));
      // The index answers for the even ones, and once with someone who was not asked for.
      return [
        ...asked.filter((_, i) => i % 2 === 0).map((id) => ({ id, access: [{ id: 'r', type: 'ROLE' }] })),
        { id: 'f'.repeat(32), access: [{ id: 'x', type: 'ROLE' }] },
      ];
    });
    const held = await createIdentities(transport, 'v3').getIdentitiesAccess([...ids, idOf(0)]);
    expect(requests.map((r) => r.path)).toEqual(['/v3/search', '/v3/search']);
    expect(requests.map((r) => (r.body as { query: { query: string } }).query.query.split(' OR ').length)).toEqual([
      100, 50,
    ]);
    expect([...held.keys()].sort()).toEqual(ids);
    expect(held.get(idOf(0))).toEqual([{ type: 'ROLE', id: 'r' }]);
    expect(held.get(idOf(1))).toEqual([]);
  });

  it('refuses an id that could widen the search before searching', async () => {
    const { transport, requests } = fakeTransport();
    const error = await thrown(createIdentities(transport, 'v3').getIdentitiesAccess([idOf(1), 'x OR *']));
    expect(error).toMatchObject({ code: 'ISC_BAD_REQUEST', retryable: false });
    expect(requests).toHaveLength(0);
  });
});
