/**
 * What `iscflow adopt` and `iscflow drift` share: the policy the workers run, ISC's identities read beside
 * Temporal's visibility with a running count on a terminal, and a query ISC refuses taken for what it is,
 * the filter's fault (bad input: nothing was started).
 */
import type { Client } from '@temporalio/client';
import { iscClientOptions } from '../config';
import type { ResolvedPolicy } from '../domain';
import { IscError, createIscClient, type IscClient } from '../isc';
import { UsageError, withTemporal } from './io';
import { policyPath, resolvedPolicy } from './policy-file';
import { progressOnTerminal } from './progress';
import type { CliSettings } from './settings';

/** What a read of ISC's identities is given. */
export interface IscRead {
  client: Client;
  isc: IscClient;
  policy: ResolvedPolicy;
  query: string;
  budgetPer10s: number;
  onRead: (read: number) => void;
}

export async function readingIsc<T>(
  command: string,
  { filter, json }: { filter: string; json: boolean },
  settings: CliSettings,
  read: (context: IscRead) => Promise<T>,
): Promise<T> {
  const { temporal, isc, iscBudget } = settings.read('temporal', 'isc', 'iscBudget');
  const policy = await resolvedPolicy(policyPath(undefined, settings, command), isc);
  const progress = progressOnTerminal('reading ISC: identities', { quiet: json });
  try {
    return await withTemporal(temporal, ({ client }) =>
      read({
        client,
        isc: createIscClient(iscClientOptions(isc)),
        policy,
        query: filter,
        budgetPer10s: iscBudget,
        onRead: (n) => progress.show(n),
      }),
    );
  } catch (error) {
    if (error instanceof IscError && error.code === 'ISC_BAD_REQUEST')
      throw new UsageError(`--filter ${filter}: ${error.message}`);
    throw error;
  } finally {
    progress.stop();
  }
}
