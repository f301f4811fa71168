/**
 * `GET /openapi.json` held to what the ingress does: the document is a sound OpenAPI 3.1 document (checked
 * structurally, every schema compiled as JSON Schema 2020-12: no copy of the OpenAPI meta-schema ships
 * offline), every route the ingress serves is in it and nothing else, and every answer it documents is
 * produced here, over HTTP, with a body and headers that match what it says.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Registry } from 'prom-client';
import { buildIngress, INGRESS_PROBLEMS, loadIngressConfig } from '../../../src/ingress';
import { FakeGateway } from '../../support/ingress/fake-gateway';
import { answer, type Answer } from '../../support/http';
import {
  getStanding,
  hireEvent,
  IDENTITY_ID,
  ISC_TOKEN,
  postEvent,
  postTrigger,
  type RunningIngress,
  SECRET,
  signedHeaders,
  startIngress,
} from '../../support/ingress/harness';

type Json = Record<string, unknown>;
type Operation = { operationId: string; responses: Record<string, Json>; parameters?: Json[]; security?: unknown[] };
type Doc = { openapi: string; info: Json; paths: Record<string, Record<string, Operation>>; components: Json };

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** The parts of OpenAPI 3.1 a client generator reads, as a schema. */
const openApiShape = {
  type: 'object',
  required: ['openapi', 'info', 'paths', 'components'],
  properties: {
    openapi: { const: '3.1.0' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' } },
    },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'] },
        additionalProperties: {
          type: 'object',
          required: ['operationId', 'responses'],
          properties: {
            operationId: { type: 'string' },
            parameters: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'in', 'schema'],
                properties: { in: { enum: ['path', 'query', 'header'] } },
              },
            },
            responses: {
              type: 'object',
              propertyNames: { pattern: '^[1-5][0-9][0-9]$' },
              additionalProperties: { type: 'object', required: ['description'] },
            },
          },
        },
      },
    },
    components: { type: 'object', required: ['schemas'], properties: { schemas: { type: 'object' } } },
  },
};

let ingress: RunningIngress;
let doc: Doc;

beforeAll(async () => {
  ingress = await startIngress();
  const served = await answer(await fetch(`${ingress.base}/openapi.json`));
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toMatch(/^application\/json/);
  doc = served.json as unknown as Doc;
});
afterAll(() => ingress.close());

const resolve = (node: Json): Json => {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const name = ref.replace('#/components/schemas/', '');
  const schema = (doc.components.schemas as Record<string, Json>)[name];
  if (!schema) throw new Error(`unresolved ${ref}`);
  return schema;
};

/** Checks an answer against what the document says of (path, method, status); notes it as produced. */
const produced = new Set<string>();
function expectDocumented(path: string, method: string, got: Answer): void {
  const operation = doc.paths[path]?.[method];
  const response = operation?.responses[String(got.status)];
  expect(`${method.toUpperCase()} ${path} ${got.status}: ${response ? 'documented' : 'not documented'}`).toBe(
    `${method.toUpperCase()} ${path} ${got.status}: documented`,
  );
  const mediaType = (got.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const content = response!.content as Record<string, { schema: Json }> | undefined;
  const schema = content?.[mediaType]?.schema;
  expect(`${mediaType} ${schema ? 'documented' : 'not documented'}`).toBe(`${mediaType} documented`);
  if (mediaType.endsWith('json')) {
    const validate = ajv.compile(resolve(schema!));
    expect([validate(JSON.parse(got.text)), validate.errors ?? null]).toEqual([true, null]);
  }
  for (const header of Object.keys((response!.headers as Json | undefined) ?? {})) {
    expect(`${header}: ${got.headers.get(header) !== null}`).toBe(`${header}: true`);
  }
  produced.add(`${method} ${path} ${got.status}`);
}

/** Runs `body` with the gateway's `name` method failing as `error` does. */
async function gatewayFailing<T>(name: 'send' | 'standing', error: Error, body: () => Promise<T>): Promise<T> {
  const gateway = ingress.gateway;
  const failing = jest.spyOn(gateway, name).mockRejectedValue(error);
  try {
    return await body();
  } finally {
    failing.mockRestore();
  }
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 in shape, every $ref resolves and every schema compiles as JSON Schema 2020-12', () => {
    const check = ajv.compile(openApiShape);
    expect([check(doc), check.errors ?? null]).toEqual([true, null]);
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
      expect(`${name}: ${typeof ajv.compile(schema)}`).toBe(`${name}: function`);
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) expect(() => resolve(JSON.parse(`{${ref}}`) as Json)).not.toThrow();
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, item] of Object.entries(doc.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(item)) {
        const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(params.sort()).toEqual(templated);
      }
    }
  });

  it('documents every route the ingress serves, and no other', async () => {
    const app = buildIngress({
      config: loadIngressConfig({ ISCFLOW_WEBHOOK_SECRETS: SECRET, ISCFLOW_ISC_TRIGGER_TOKEN: ISC_TOKEN }),
      gateway: new FakeGateway(),
      metrics: new Registry(),
    });
    const routes: string[] = [];
    app.addHook('onRoute', (route) => {
      // The 405 answers take every other method at once; HEAD is GET without a body.
      if (typeof route.method !== 'string' || route.method === 'HEAD') return;
      routes.push(`${route.method.toLowerCase()} ${route.url.replace(/:([a-z]+)/g, '{$1}')}`);
    });
    await app.ready();
    await app.close();
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m} ${path}`),
    );
    expect(routes.sort()).toEqual(documented.sort());
    // Without ISC credentials the triggers route is neither served nor documented.
    const bare = await startIngress({ env: { ISCFLOW_ISC_TRIGGER_TOKEN: '', ISCFLOW_ISC_TRIGGER_BASIC: '' } });
    try {
      const paths = Object.keys((await answer(await fetch(`${bare.base}/openapi.json`))).json.paths as Json);
      expect(paths).not.toContain('/v1/isc/triggers');
    } finally {
      await bare.close();
    }
  });

  it('lists the problem codes the ingress answers with, and says which each status carries', () => {
    const problem = (doc.components.schemas as Record<string, { properties: { code: { enum: string[] } } }>).Problem!;
    expect(problem.properties.code.enum.sort()).toEqual(Object.keys(INGRESS_PROBLEMS).sort());
  });
});

describe('every documented answer, produced', () => {
  const events = '/v1/events';
  const standing = '/v1/events/{source}/{id}';
  const triggers = '/v1/isc/triggers';
  const identity = { id: IDENTITY_ID, name: 'Michael Michaels', type: 'IDENTITY' };

  it('POST /v1/events', async () => {
    const event = hireEvent('openapi-1');
    expectDocumented(events, 'post', await postEvent(ingress, event));
    expectDocumented(events, 'post', await postEvent(ingress, event));
    expectDocumented(events, 'post', await postEvent(ingress, { ...event, type: 'promote' }));
    expectDocumented(events, 'post', await postEvent(ingress, '{"id":'));
    expectDocumented(
      events,
      'post',
      await postEvent(ingress, event, { secret: `whsec_${Buffer.alloc(32).toString('base64')}` }),
    );
    expectDocumented(events, 'post', await postEvent(ingress, Buffer.alloc(1024 * 1024 + 1, 'a')));
    expectDocumented(events, 'post', await postEvent(ingress, event, { contentType: 'text/plain' }));
    const cloudEvent = {
      specversion: '1.0',
      id: 'openapi-2',
      source: 'workday',
      type: 'hr.hire',
      data: { ...hireEvent('openapi-2'), id: undefined },
    };
    expectDocumented(
      events,
      'post',
      await postEvent(ingress, cloudEvent, { contentType: 'application/cloudevents+json' }),
    );
    expectDocumented(
      events,
      'post',
      await postEvent(ingress, { specversion: '0.3' }, { contentType: 'application/cloudevents+json' }),
    );
    ingress.gateway.unavailable = true;
    try {
      expectDocumented(events, 'post', await postEvent(ingress, hireEvent('openapi-3')));
    } finally {
      ingress.gateway.unavailable = false;
    }
    await gatewayFailing('send', new Error('boom'), async () =>
      expectDocumented(events, 'post', await postEvent(ingress, hireEvent('openapi-4'))),
    );
  });

  it('GET /v1/events/{source}/{id}', async () => {
    await postEvent(ingress, hireEvent('openapi-5'));
    expectDocumented(standing, 'get', await getStanding(ingress, 'workday', 'openapi-5'));
    expectDocumented(standing, 'get', await getStanding(ingress, 'workday', 'never-sent'));
    expectDocumented(standing, 'get', await getStanding(ingress, 'work day', 'openapi-5'));
    expectDocumented(standing, 'get', await getStanding(ingress, 'workday', 'openapi-5', signedHeaders('x')));
    ingress.gateway.unavailable = true;
    try {
      expectDocumented(standing, 'get', await getStanding(ingress, 'workday', 'openapi-5'));
    } finally {
      ingress.gateway.unavailable = false;
    }
    await gatewayFailing('standing', new Error('boom'), async () =>
      expectDocumented(standing, 'get', await getStanding(ingress, 'workday', 'openapi-5')),
    );
  });

  it('POST /v1/isc/triggers', async () => {
    const created = { identity, attributes: { employeeNumber: 'E3001', department: 'Ops' } };
    const decision = {
      accessRequestId: '2c91808b6ef1d43e016efba0ce470904',
      requestedFor: [identity],
      requestedItemsStatus: [],
      requestedBy: identity,
    };
    expectDocumented(triggers, 'post', await postTrigger(ingress, created, { trigger: 'idn:identity-created' }));
    expectDocumented(triggers, 'post', await postTrigger(ingress, created, { trigger: 'idn:identity-created' }));
    expectDocumented(triggers, 'post', await postTrigger(ingress, decision));
    expectDocumented(triggers, 'post', await postTrigger(ingress, created, { trigger: 'idn:identity-deleted' }));
    expectDocumented(triggers, 'post', await postTrigger(ingress, created, { trigger: 'idn:account-correlated' }));
    expectDocumented(
      triggers,
      'post',
      await postTrigger(ingress, { identity: { id: 'x' }, attributes: {} }, { trigger: 'idn:identity-created' }),
    );
    expectDocumented(triggers, 'post', await postTrigger(ingress, '{"identity":'));
    expectDocumented(triggers, 'post', await postTrigger(ingress, created, { authorization: 'Bearer wrong' }));
    expectDocumented(triggers, 'post', await postTrigger(ingress, 'x'.repeat(1024 * 1024 + 1)));
    expectDocumented(triggers, 'post', await postTrigger(ingress, created, { contentType: 'text/plain' }));
    const leaver = {
      identity: { ...identity, id: '2c7180a46faadee4016fb4e018c20643' },
      changes: [{ attribute: 'department', newValue: 'Legal' }],
    };
    ingress.gateway.unavailable = true;
    try {
      expectDocumented(triggers, 'post', await postTrigger(ingress, leaver));
    } finally {
      ingress.gateway.unavailable = false;
    }
    await gatewayFailing('send', new Error('boom'), async () =>
      expectDocumented(triggers, 'post', await postTrigger(ingress, leaver)),
    );
  });

  it('the probes and the document itself', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expectDocumented(path, 'get', await answer(await fetch(`${ingress.base}${path}`)));
    }
    ingress.gateway.unavailable = true;
    try {
      expectDocumented('/readyz', 'get', await answer(await fetch(`${ingress.base}/readyz`)));
    } finally {
      ingress.gateway.unavailable = false;
    }
  });

  it('left no documented answer unproduced', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, op]) =>
        Object.keys(op.responses).map((status) => `${method} ${path} ${status}`),
      ),
    );
    expect(documented.filter((d) => !produced.has(d))).toEqual([]);
  });
});
