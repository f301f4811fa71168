/**
 * `GET /openapi.json`: the ingress describes itself as an OpenAPI 3.1 document, so that an HR team can
 * generate a client for it. The bodies are the zod schemas the ingress validates with, turned into JSON
 * Schema (2020-12, OpenAPI 3.1's dialect) by `z.toJSONSchema`; the problem answers are the closed
 * catalogue of problems.ts. `test/unit/ingress/openapi.test.ts` holds the document to what the ingress
 * serves: every route documented, every documented answer produced and matching its schema.
 *
 * The codec server's routes (`/codec/*`, when the ingress serves them) are the Temporal UI's, not a
 * sender's, and are left out.
 */
import { z } from 'zod';
import { version } from '../../package.json';
import { hrEventSchema } from '../domain';
import { eventStandingSchema } from './gateway';
import { INGRESS_PROBLEMS, type IngressProblemCode } from './problems';

export const OPENAPI_PATH = '/openapi.json';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'output'): Json => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as Json;
  return rest;
};

/** What `POST /v1/events` (and an ISC trigger that became an HR event) answers once the event is recorded. */
export const eventAcceptanceSchema = z.object({
  status: z.enum(['accepted', 'duplicate']),
  source: z.string(),
  id: z.string(),
  location: z.string().describe('Where the event stands: GET it (signed) for its standing.'),
});

const fieldErrorSchema = z.object({ field: z.string(), rule: z.string(), message: z.string() });

const problemSchema = z.object({
  type: z.string().describe('urn:iscflow:problem:<code in kebab case>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.enum(Object.keys(INGRESS_PROBLEMS) as [IngressProblemCode, ...IngressProblemCode[]]),
  reason: z.string().optional().describe('SIGNATURE_INVALID and UNAUTHORIZED: which check failed.'),
  errors: z.array(fieldErrorSchema).optional().describe('Each field that broke a rule, with the rule.'),
});

/** A structured CloudEvent (CloudEvents 1.0, JSON format) whose `data` is an HR event v1. */
const cloudEventSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).describe('The HR event id (data may repeat it, with the same value).'),
  source: z.string().min(1).describe('The HR event source (data may repeat it, with the same value).'),
  type: z.string().min(1).describe('Required by CloudEvents, not interpreted: the HR event type decides.'),
  datacontenttype: z.string().optional().describe('application/json, or absent.'),
  data: hrEventSchema.partial({ id: true, source: true }),
});

const triggerAnswerSchema = z.union([
  eventAcceptanceSchema,
  z.object({ status: z.literal('ignored'), trigger: z.string(), detail: z.string() }),
  z.object({ status: z.literal('hinted'), trigger: z.string(), accessRequestIds: z.array(z.string()) }),
]);

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });

const PROBLEM_HEADERS: Partial<Record<IngressProblemCode, Json>> = {
  TEMPORAL_UNAVAILABLE: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  UNAUTHORIZED: { 'WWW-Authenticate': { description: 'The scheme expected', schema: { type: 'string' } } },
};

/** A problem answer: its status, the codes it may carry, and its headers. */
function problems(...codes: IngressProblemCode[]): Record<string, Json> {
  const byStatus = new Map<number, IngressProblemCode[]>();
  for (const code of codes)
    byStatus.set(INGRESS_PROBLEMS[code].status, [...(byStatus.get(INGRESS_PROBLEMS[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, of]) => {
      const headers = Object.assign({}, ...of.map((code) => PROBLEM_HEADERS[code] ?? {})) as Json;
      return [
        String(status),
        {
          description: of.map((code) => `${code}: ${INGRESS_PROBLEMS[code].title}`).join('; '),
          ...(Object.keys(headers).length > 0 ? { headers } : {}),
          content: { 'application/problem+json': { schema: ref('Problem') } },
        },
      ];
    }),
  );
}

const SIGNATURE_HEADERS = (['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).map((name) => ({
  name,
  in: 'header',
  required: true,
  description: {
    'webhook-id': 'The delivery id (Standard Webhooks); a repeated delivery keeps its id.',
    'webhook-timestamp': 'Seconds since the epoch when signed; at most 5 minutes off.',
    'webhook-signature': 'v1,<base64 HMAC-SHA256 of "id.timestamp.body" under the shared secret>',
  }[name],
  schema: { type: 'string' },
}));

const LOCATION = { Location: { description: 'Where the event stands', schema: { type: 'string' } } };

function eventPaths(): Json {
  return {
    '/v1/events': {
      post: {
        operationId: 'sendHrEvent',
        summary: 'Record an HR event (JSON, or a structured CloudEvent), signed the Standard Webhooks way',
        parameters: SIGNATURE_HEADERS,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('HrEvent') },
            'application/cloudevents+json': { schema: ref('CloudEvent') },
          },
        },
        responses: {
          '202': { description: 'Recorded now', headers: LOCATION, content: json(ref('EventAcceptance')) },
          '200': {
            description: 'Recorded before (same source and id): nothing changed',
            headers: LOCATION,
            content: json(ref('EventAcceptance')),
          },
          ...problems(
            'EVENT_INVALID',
            'BODY_MALFORMED',
            'CLOUDEVENT_INVALID',
            'SIGNATURE_INVALID',
            'BODY_TOO_LARGE',
            'UNSUPPORTED_MEDIA_TYPE',
            'INTERNAL',
            'TEMPORAL_UNAVAILABLE',
          ),
        },
      },
    },
    '/v1/events/{source}/{id}': {
      get: {
        operationId: 'readHrEvent',
        summary: 'Where an HR event stands, signed over an empty body',
        parameters: [
          { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          ...SIGNATURE_HEADERS,
        ],
        responses: {
          '200': { description: 'Its standing', content: json(ref('EventStanding')) },
          ...problems('BAD_REQUEST', 'SIGNATURE_INVALID', 'NOT_FOUND', 'INTERNAL', 'TEMPORAL_UNAVAILABLE'),
        },
      },
    },
  };
}

function iscTriggerPaths(): Json {
  return {
    '/v1/isc/triggers': {
      post: {
        operationId: 'deliverIscTrigger',
        summary: 'An ISC event-trigger delivery (fire and forget)',
        security: [{ iscBearer: [] }, { iscBasic: [] }],
        parameters: [
          {
            name: 'trigger',
            in: 'query',
            required: false,
            description: 'The trigger id, e.g. idn:identity-created',
            schema: { type: 'string', maxLength: 100 },
          },
        ],
        requestBody: {
          required: true,
          content: json({ type: 'object', description: "The trigger's own payload, as ISC sends it" }),
        },
        responses: {
          '202': {
            description: 'An HR event recorded (accepted), or access requests hinted',
            content: json(ref('TriggerAnswer')),
          },
          '200': {
            description: 'Ignored (not a change iscflow acts on), or an event recorded before',
            content: json(ref('TriggerAnswer')),
          },
          ...problems(
            'TRIGGER_INVALID',
            'EVENT_INVALID',
            'BODY_MALFORMED',
            'UNAUTHORIZED',
            'BODY_TOO_LARGE',
            'UNSUPPORTED_MEDIA_TYPE',
            'INTERNAL',
            'TEMPORAL_UNAVAILABLE',
          ),
        },
      },
    },
  };
}

const statusOf = (...values: string[]): Json => ({
  type: 'object',
  properties: { status: { type: 'string', enum: values }, detail: { type: 'string' } },
  required: ['status'],
});

function probePaths(): Json {
  return {
    '/healthz': {
      get: {
        operationId: 'health',
        summary: 'The process answers',
        responses: { '200': { description: 'Up', content: json(statusOf('ok')) } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'ready',
        summary: 'The process and Temporal answer',
        responses: {
          '200': { description: 'Ready', content: json(statusOf('ready')) },
          '503': {
            description: 'Temporal does not answer',
            headers: PROBLEM_HEADERS.TEMPORAL_UNAVAILABLE,
            content: json(statusOf('not ready')),
          },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        responses: {
          '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    [OPENAPI_PATH]: {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
      },
    },
  };
}

/** The document, for an ingress with or without ISC triggers (served only when credentials are set). */
export function ingressOpenApi({ iscTriggers }: { iscTriggers: boolean }): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'iscflow ingress',
      version,
      description:
        'HR events into identity lifecycles, and ISC event triggers. Refusals are RFC 9457 problem documents with a stable code; other methods on these paths are answered 405 with Allow. See docs/ingress.md.',
    },
    paths: { ...eventPaths(), ...(iscTriggers ? iscTriggerPaths() : {}), ...probePaths() },
    components: {
      schemas: {
        HrEvent: jsonSchema(hrEventSchema, 'input'),
        CloudEvent: jsonSchema(cloudEventSchema, 'input'),
        EventAcceptance: jsonSchema(eventAcceptanceSchema),
        EventStanding: jsonSchema(eventStandingSchema),
        TriggerAnswer: jsonSchema(triggerAnswerSchema),
        Problem: jsonSchema(problemSchema),
      },
      ...(iscTriggers
        ? {
            securitySchemes: {
              iscBearer: { type: 'http', scheme: 'bearer', description: 'ISCFLOW_ISC_TRIGGER_TOKEN' },
              iscBasic: { type: 'http', scheme: 'basic', description: 'ISCFLOW_ISC_TRIGGER_BASIC' },
            },
          }
        : {}),
    },
  };
}
