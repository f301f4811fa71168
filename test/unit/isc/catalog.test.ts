/** Catalog look-ups over a fake transport: the collection and page size of each type, rows not asked for. */
import { createCatalog } from '../../../src/isc/catalog';
import { fakeTransport } from '../../support/isc';

describe('catalog', () => {
  it('reads each type from its collection, entitlements through v2025, with the page size of each', async () => {
    const { transport, requests } = fakeTransport();
    const catalog = createCatalog(transport, 'v3');
    await catalog.findCatalogItems('ROLE', { name: 'Sales' });
    await catalog.findCatalogItems('ACCESS_PROFILE', { name: 'Sales' });
    await catalog.findCatalogItems('ENTITLEMENT', { name: 'Sales' });
    expect(requests.map((r) => [r.path, r.query?.limit])).toEqual([
      ['/v3/roles', 50],
      ['/v3/access-profiles', 250],
      ['/v2025/entitlements', 250],
    ]);
  });

  it('keeps only rows whose id was asked for, each once', async () => {
    const { transport } = fakeTransport(() => [
      { id: 'e1', name: 'One' },
      { id: 'zz', name: 'Not asked' },
      { id: 'e1', name: 'One', requestable: false },
    ]);
    const found = await createCatalog(transport, 'v2025').findCatalogItems('ENTITLEMENT', { ids: ['e1', 'e2', 'e1'] });
    expect(found).toEqual([{ type: 'ENTITLEMENT', id: 'e1', name: 'One', requestable: false }]);
  });
});
