/**
 * Bodies as the ingress takes them: kept as the raw bytes until the signature over them is checked,
 * read as UTF-8 JSON only after. Media types, charsets and content encodings are checked from the
 * headers before a byte of the body is read.
 */
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { IngressProblem } from './problems';

/** 1 MiB: an HR event is a few hundred bytes; anything near this is not one. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export const JSON_MEDIA_TYPE = 'application/json';
export const CLOUDEVENTS_MEDIA_TYPE = 'application/cloudevents+json';

/**
 * Replaces the scope's body parsers with ones that keep the raw `Buffer`. Content-type parsers are
 * encapsulated, so other routes of the app (the codec server) keep fastify's JSON parsing.
 */
export function keepRawBodies(scope: FastifyInstance, mediaTypes: readonly string[]): void {
  scope.removeAllContentTypeParsers();
  for (const mediaType of mediaTypes) {
    scope.addContentTypeParser(mediaType, { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_request, body, done) =>
      done(null, body),
    );
  }
}

/** The media type of a request, lower case, without parameters; `undefined` when there is none. */
export function mediaTypeOf(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'];
  if (typeof header !== 'string') return undefined;
  return header.split(';', 1)[0]?.trim().toLowerCase();
}

function charsetOf(header: string): string | undefined {
  for (const parameter of header.split(';').slice(1)) {
    const [name, value] = parameter.split('=', 2).map((part) => part.trim().toLowerCase());
    if (name === 'charset') return value?.replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/**
 * An `onRequest` hook: 415 unless the body is one of `accepted` media types, in UTF-8 (the only charset
 * JSON has), without a content encoding (a gzip body would be verified and then fail as garbage).
 */
export function acceptOnly(accepted: readonly string[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers['content-type'];
    const mediaType = mediaTypeOf(request);
    if (typeof header !== 'string' || mediaType === undefined || !accepted.includes(mediaType)) {
      throw new IngressProblem('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${accepted.join(' or ')}`);
    }
    const charset = charsetOf(header);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new IngressProblem('UNSUPPORTED_MEDIA_TYPE', 'the only charset accepted is utf-8');
    }
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      throw new IngressProblem('UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding is not accepted: send the body as it is');
    }
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The verified body as JSON; `BODY_MALFORMED` when it is not UTF-8 or not JSON (never echoing it). */
export function parseJsonBody(body: Buffer | undefined): unknown {
  if (body === undefined || body.length === 0) throw new IngressProblem('BODY_MALFORMED', 'the body is empty');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new IngressProblem('BODY_MALFORMED', 'the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new IngressProblem('BODY_MALFORMED', 'the body is not valid JSON');
  }
}
