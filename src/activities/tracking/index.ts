/**
 * The shared tracker's activities, one module per job, combined here under the names workflows call
 * them by. Those that call ISC (`submit.ts`, `read.ts`) run on the ISC task queue, paced there by Temporal
 * for every worker together, and each makes about one ISC call: a coalesced submission, or one status
 * look-up for many requests. The others only talk to Temporal: an access change handing its tracker a
 * message, the tracker signalling news back (`news.ts`), a tracker that starts empty asking again
 * (`reenlist.ts`).
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { IscClient } from '../../isc';
import type { TrackingActivities } from '../contracts';
import { whileBeating } from '../heartbeat';
import { createStatusFeed, type StatusFeed } from '../status-feed';
import { createStatusReader } from '../status-reader';
import { createNewsActivities } from './news';
import { createReadActivities } from './read';
import { createReenlistActivity } from './reenlist';
import { temporalClient } from './signals';
import { createSubmitActivities } from './submit';

export interface TrackingDependencies {
  isc: IscClient;
  logger: Logger;
  tenantProfile?: 'current' | 'legacy';
  apiVersion?: 'v3' | 'v2025';
  /** The worker's client: signals to and from trackers. */
  temporal?: Client;
  now?: () => number;
  /** ISC's recently modified rows, shared by the shards whose activities run in this process. */
  feed?: StatusFeed;
}

// Long calls tell Temporal they are alive: a killed worker's batch is retried in seconds, not minutes.
const beating =
  <I, O>(fn: (input: I) => Promise<O>) =>
  (input: I): Promise<O> =>
    whileBeating(() => fn(input));

export function createTrackingActivities({
  isc,
  logger,
  tenantProfile = 'current',
  apiVersion = 'v3',
  temporal,
  now = Date.now,
  feed = createStatusFeed({ isc, now }),
}: TrackingDependencies): TrackingActivities {
  const reader = createStatusReader({ isc, tenantProfile, apiVersion, now });
  const client = temporalClient(temporal);
  const submit = createSubmitActivities({ isc, logger, tenantProfile, reader, now });
  const read = createReadActivities({ isc, tenantProfile, reader, feed, now });
  const news = createNewsActivities(client);
  return {
    enlist: news.enlist,
    heldAccessOf: beating(submit.heldAccessOf),
    submitBatch: beating(submit.submitBatch),
    checkStatusBatch: beating(read.checkStatusBatch),
    readStatusChanges: beating(read.readStatusChanges),
    deliverNews: beating(news.deliverNews),
    askToReenlist: beating(createReenlistActivity(client, logger)),
  };
}
