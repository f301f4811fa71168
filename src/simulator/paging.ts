/** ISC's collection paging for the simulator's listings: `limit`, `offset` and `count` as each endpoint allows them. */
import { type FastifyReply } from 'fastify';
import { badRequest } from './errors';

/** ISC's collection parameters: limit 0..250 (default 250) unless the endpoint says otherwise, offset >= 0, count=true -> X-Total-Count. */
export interface Paging {
  limit: number;
  offset: number;
  count: boolean;
}

function integer(name: string, raw: unknown, min: number, max: number, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    throw badRequest(`${name} must be an integer between ${min} and ${max}.`);
  return value;
}

/** An endpoint's documented `limit`: most allow 250, /roles 50 (its default too), /search 10,000. */
export interface LimitRule {
  maxLimit: number;
  defaultLimit: number;
}

const STANDARD_LIMIT: LimitRule = { maxLimit: 250, defaultLimit: 250 };

export function parsePaging(query: Record<string, unknown>, rule: LimitRule = STANDARD_LIMIT): Paging {
  const rawCount = query.count;
  if (rawCount !== undefined && rawCount !== 'true' && rawCount !== 'false')
    throw badRequest('count must be true or false.');
  return {
    limit: integer('limit', query.limit, 0, rule.maxLimit, rule.defaultLimit),
    offset: integer('offset', query.offset, 0, Number.MAX_SAFE_INTEGER, 0),
    count: rawCount === 'true',
  };
}

export function page<T>(rows: T[], paging: Paging, reply: FastifyReply): T[] {
  if (paging.count) void reply.header('X-Total-Count', String(rows.length));
  return rows.slice(paging.offset, paging.offset + paging.limit);
}

export function stringParam(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be given once.`);
  return value;
}
