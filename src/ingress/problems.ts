/**
 * The ingress's refusals, as RFC 9457 problem details (`application/problem+json`), from one closed
 * catalogue of stable codes: senders and operators match on `code`, humans read `detail`. Nothing here
 * ever repeats a secret, a token or a signature that was sent.
 */
import { type FastifyReply } from 'fastify';
import { type HrEventViolation } from '../domain';

export const INGRESS_PROBLEMS = {
  /** The HR event (or what an ISC trigger became) breaks the v1 rules; `errors` names each field. */
  EVENT_INVALID: { status: 400, title: 'The HR event is not valid' },
  /** The body is not UTF-8 JSON. */
  BODY_MALFORMED: { status: 400, title: 'The body is not a JSON document' },
  /** A structured CloudEvent that breaks the CloudEvents 1.0 JSON format or disagrees with its data. */
  CLOUDEVENT_INVALID: { status: 400, title: 'The CloudEvent is not valid' },
  /** An ISC trigger payload that is not of the trigger it says, or names no trigger iscflow handles. */
  TRIGGER_INVALID: { status: 400, title: 'The ISC trigger payload is not valid' },
  /** A request iscflow cannot read (bad path parameter, odd header, unreadable request). */
  BAD_REQUEST: { status: 400, title: 'The request is not valid' },
  /** Standard Webhooks signature missing, malformed, stale or not matching; `reason` says which. */
  SIGNATURE_INVALID: { status: 401, title: 'The request is not signed by a known sender' },
  /** ISC trigger credentials missing or wrong. */
  UNAUTHORIZED: { status: 401, title: 'The request carries no valid credentials' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  BODY_TOO_LARGE: { status: 413, title: 'The body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type or encoding is not accepted' },
  /** A fault of the ingress itself, never of the input. */
  INTERNAL: { status: 500, title: 'The ingress failed' },
  /** Temporal cannot be reached: nothing was recorded; retry after `Retry-After` seconds. */
  TEMPORAL_UNAVAILABLE: { status: 503, title: 'Events cannot be recorded right now' },
} as const satisfies Record<string, { status: number; title: string }>;

export type IngressProblemCode = keyof typeof INGRESS_PROBLEMS;

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One field-level problem, as `validateHrEvent` reports it and as the 400 body lists it. */
export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export interface Problem {
  /** A URN per code: stable, and never mistaken for a page to fetch. */
  type: string;
  title: string;
  status: number;
  detail: string;
  code: IngressProblemCode;
  /** For SIGNATURE_INVALID and UNAUTHORIZED: which check failed. */
  reason?: string;
  errors?: FieldError[];
}

/** A refusal the handlers throw or return; the error handler turns it into the answer. */
export class IngressProblem extends Error {
  override readonly name = 'IngressProblem';

  constructor(
    readonly code: IngressProblemCode,
    readonly detail: string,
    readonly extra: { reason?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(`${code}: ${detail}`);
  }

  get status(): number {
    return INGRESS_PROBLEMS[this.code].status;
  }

  toJSON(): Problem {
    const { status, title } = INGRESS_PROBLEMS[this.code];
    return {
      type: `urn:iscflow:problem:${this.code.toLowerCase().replace(/_/g, '-')}`,
      title,
      status,
      detail: this.detail,
      code: this.code,
      ...(this.extra.reason === undefined ? {} : { reason: this.extra.reason }),
      ...(this.extra.errors === undefined ? {} : { errors: this.extra.errors }),
    };
  }
}

export function invalidEvent(violations: readonly HrEventViolation[], detail?: string): IngressProblem {
  const errors = violations.map(({ field, rule, message }) => ({ field, rule, message }));
  const fields = [...new Set(errors.map((e) => e.field))].join(', ');
  return new IngressProblem('EVENT_INVALID', detail ?? `invalid field(s): ${fields}`, { errors });
}

export function sendProblem(reply: FastifyReply, problem: IngressProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toJSON());
}
