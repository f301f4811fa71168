/**
 * The activities of access changes: every ISC call an access-request workflow makes, built once in the
 * worker over an injected ISC client. Submitting (`submit.ts`) and looking at the items (`status.ts`) have
 * modules of their own; the rest is a call or two.
 */
import type { Logger } from 'pino';
import type { IscClient } from '../../isc';
import type {
  AccessRequestActivities,
  CancelRequestInput,
  HoldsAccessInput,
  TenantSettings,
  TrackingSettings,
} from '../contracts';
import { withIscFailures } from '../failures';
import { createStatusReader } from '../status-reader';
import { createCheckStatus } from './status';
import { createSubmitItems } from './submit';

export interface AccessRequestDependencies {
  isc: IscClient;
  logger: Logger;
  /** What the tenant takes; older tenants filter status only by accountActivityItemId, among other things. */
  tenantProfile?: 'current' | 'legacy';
  /** The deployment's default removal mode (`ISCFLOW_REMOVAL_MODE`). */
  removalMode?: 'isc' | 'exact';
  /** The ISC API version the client speaks (filters differ between versions). */
  apiVersion?: 'v3' | 'v2025';
  /** How the deployment tracks ISC; told to each workflow with the tenant. */
  tracking?: TrackingSettings;
  /** Wall clock, injectable for tests. */
  now?: () => number;
}

export function createAccessRequestActivities({
  isc,
  logger,
  tenantProfile = 'current',
  removalMode = 'isc',
  apiVersion = 'v3',
  tracking,
  now = Date.now,
}: AccessRequestDependencies): AccessRequestActivities {
  const reader = createStatusReader({ isc, tenantProfile, apiVersion, now });

  async function holdsAccess(input: HoldsAccessInput): Promise<boolean> {
    return withIscFailures(async () =>
      (await reader.heldItems(input.identityId)).has(`${input.itemType}:${input.itemId}`),
    );
  }

  async function cancelRequest(input: CancelRequestInput): Promise<void> {
    return withIscFailures(async () => {
      if (input.close) await isc.closeAccessRequests([input.accessRequestId], input.comment);
      else await isc.cancelAccessRequest(input.accessRequestId, input.comment);
    });
  }

  const tenantSettings = async (): Promise<TenantSettings> => ({
    tenantProfile,
    removalMode,
    ...(tracking ? { tracking } : {}),
  });

  return {
    tenantSettings,
    submitItems: createSubmitItems({ isc, logger, reader, now }),
    checkStatus: createCheckStatus(reader),
    holdsAccess,
    cancelRequest,
  };
}
