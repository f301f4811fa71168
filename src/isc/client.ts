/**
 * The ISC client activities depend on: the transport (tokens, sending, every failure an `IscError` with a
 * stable code, and no retries of its own: see `transport.ts`) composed with one module per resource.
 * Adding an endpoint means adding to a resource module, not to the transport.
 */
import { createAccessRequestStatus } from './access-request-status';
import { createAccessRequests } from './access-requests';
import { createCatalog } from './catalog';
import { createIdentities } from './identities';
import { readFile } from 'node:fs/promises';
import { createIdentityPages } from './identity-pages';
import { createIscTransport, type SecretSource } from './transport';
import { type IscClient, type IscClientOptions } from './types';

/** The type of the `observe` option; the worker's metrics import it from here. */
export type { IscCallObservation } from './types';

/**
 * Builds an ISC client. Nothing is fetched until the first call; the token is fetched lazily, cached,
 * refreshed about a minute before it expires, and fetched once for all concurrent callers.
 */
export function createIscClient(options: IscClientOptions): IscClient {
  const { apiVersion, clientSecret, clientSecretFile, ...transportOptions } = options;
  const transport = createIscTransport({
    ...transportOptions,
    clientSecret: secretSource(clientSecret, clientSecretFile),
  });
  return {
    ...createAccessRequests(transport, apiVersion),
    ...createAccessRequestStatus(transport, apiVersion),
    ...createIdentities(transport, apiVersion),
    ...createIdentityPages(transport, apiVersion),
    ...createCatalog(transport, apiVersion),
  };
}

/** The secret given, or, kept in a file, the one read there last (files often end with a line break). */
function secretSource(initial: string, file: string | undefined): SecretSource {
  let secret = initial;
  if (file === undefined) return { current: () => secret };
  return {
    current: () => secret,
    async reread() {
      const text = (await readFile(file, 'utf8')).trim();
      if (text === '') throw new Error(`${file} is empty`);
      secret = text;
      return secret;
    },
  };
}
