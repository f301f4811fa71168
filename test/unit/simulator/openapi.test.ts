import { expectValidResponse, nullableToJsonSchema, responseErrors } from '../../support/openapi';

describe('OpenAPI response validator', () => {
  const row = {
    id: 'a',
    name: 'Finance Role 0',
    type: 'ROLE',
    state: 'EXECUTING',
    accessRequestId: 'b',
    accountActivityItemId: 'c',
    requestType: 'GRANT_ACCESS',
    created: '2026-01-01T00:00:00.000Z',
    modified: null,
    removeDate: null,
    cancelledRequestDetails: null,
    sodViolationContext: null,
    clientMetadata: null,
    cancelable: true,
    approvalDetails: [],
    errorMessages: null,
  };

  it('accepts a documented body, nulls included', () => {
    expect(() => expectValidResponse('v3', 'GET', '/v3/access-request-status?limit=1', 200, [row])).not.toThrow();
  });

  it('fails a deliberately wrong body', () => {
    expect(() =>
      expectValidResponse('v3', 'GET', '/v3/access-request-status', 200, [{ ...row, state: 'DONE' }]),
    ).toThrow(/does not match/);
    expect(() =>
      expectValidResponse('v3', 'GET', '/v3/access-request-status', 200, [{ ...row, cancelable: 'yes' }]),
    ).toThrow(/cancelable/);
    expect(() =>
      expectValidResponse('v2025', 'POST', '/v2025/access-requests', 202, { newRequests: [{ attributesHash: 'x' }] }),
    ).toThrow(/attributesHash/);
    expect(responseErrors('v3', 'POST', '/v3/access-requests', 400, { detailCode: 400 })).toMatch(/detailCode/);
  });

  it('resolves shared responses and path templates', () => {
    expect(responseErrors('v3', 'POST', '/v3/access-request-approvals/abc/approve', 202, {})).toBeNull();
    expect(
      responseErrors('v2025', 'POST', '/v2025/access-requests/close', 401, {
        error: 'JWT validation failed: JWT is expired',
      }),
    ).toBeNull();
  });

  it('refuses to validate what the documents do not describe', () => {
    expect(() => expectValidResponse('v3', 'POST', '/v3/access-requests/close', 202, {})).toThrow(/documents no path/);
    expect(() => expectValidResponse('v3', 'GET', '/v3/access-request-status', 502, {})).toThrow(/no 502 response/);
  });

  it('turns OpenAPI nullable into JSON-Schema null types', () => {
    expect(nullableToJsonSchema({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(nullableToJsonSchema({ type: 'string', enum: ['A'], nullable: true })).toEqual({
      type: ['string', 'null'],
      enum: ['A', null],
    });
    expect(nullableToJsonSchema({ allOf: [{ $ref: '#/x' }, { nullable: true }] })).toEqual({
      anyOf: [{ type: 'null' }, { allOf: [{ $ref: '#/x' }] }],
    });
  });
});
