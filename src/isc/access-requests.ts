/**
 * Access requests as ISC takes them: submit, cancel, close. Each body is checked before it is sent, so a
 * request ISC would refuse never leaves iscflow; the transport does the rest.
 */
import { z } from 'zod';
import {
  accessRequestBodySchema,
  cancelAccessRequestSchema,
  closeAccessRequestSchema,
  submitResponseSchema,
} from './schemas';
import { batchesOf, checkOutgoing } from './shared';
import { type IscTransport } from './transport';
import { type IscApiVersion, type IscClient } from './types';

/** `POST /v2025/access-requests/close` takes at most this many ids. */
const CLOSE_BATCH_SIZE = 500;

/** Cancel and close answer 202 `{}`: nothing in it is used, so any JSON (or none) is accepted. */
const ignoredBody = z.unknown();

export function createAccessRequests(
  transport: IscTransport,
  version: IscApiVersion,
): Pick<IscClient, 'submitAccessRequest' | 'cancelAccessRequest' | 'closeAccessRequests'> {
  return {
    async submitAccessRequest(body) {
      const checked = checkOutgoing(accessRequestBodySchema, body, 'access request');
      const result = await transport.call({
        method: 'POST',
        path: `/${version}/access-requests`,
        body: checked,
        schema: submitResponseSchema.optional(),
      });
      // An empty 202 carries no id either: treat it like the legacy `{}`.
      return result ?? { kind: 'untracked' };
    },

    async cancelAccessRequest(accessRequestId, comment) {
      const body = checkOutgoing(
        cancelAccessRequestSchema,
        { accountActivityId: accessRequestId, comment },
        'cancel request',
      );
      await transport.call({ method: 'POST', path: `/${version}/access-requests/cancel`, body, schema: ignoredBody });
    },

    async closeAccessRequests(accessRequestIds, message) {
      for (const batch of batchesOf(accessRequestIds, CLOSE_BATCH_SIZE)) {
        const body = checkOutgoing(closeAccessRequestSchema, { accessRequestIds: batch, message }, 'close request');
        // The endpoint exists only in v2025, whatever the configured version.
        await transport.call({ method: 'POST', path: '/v2025/access-requests/close', body, schema: ignoredBody });
      }
    },
  };
}
