/**
 * Renders records in ISC's response shapes (RequestedItemStatus, PendingApproval). Status rows are
 * cached as JSON strings on the record and rebuilt only after a change, which keeps status listings
 * over thousands of rows cheap.
 */
import { iso } from './clock';
import { isCancelable } from './engine';
import { type IdentityDirectory } from './identities';
import { type RequestItem } from './model';

export interface IdentityRef {
  type: 'IDENTITY';
  id: string;
  name: string;
}

function identityRef(identities: IdentityDirectory, id: string): IdentityRef {
  return { type: 'IDENTITY', id, name: identities.nameOf(id) };
}

function renderStatus(row: RequestItem, identities: IdentityDirectory): Record<string, unknown> {
  const requester = identityRef(identities, row.requesterId);
  const approval = row.approval;
  return {
    id: row.itemId,
    name: row.itemName,
    type: row.itemType,
    cancelledRequestDetails: row.cancelled
      ? {
          comment: row.cancelled.comment,
          owner: identityRef(identities, row.cancelled.ownerId),
          modified: iso(row.cancelled.modified),
        }
      : null,
    errorMessages: row.errorMessages,
    state: row.state,
    approvalDetails: approval
      ? [
          {
            approvalId: approval.id,
            forwarded: false,
            originalOwner: identityRef(identities, approval.ownerId),
            currentOwner: identityRef(identities, approval.ownerId),
            modified: iso(approval.modified),
            status: approval.status,
            scheme: 'MANAGER',
            errorMessages: null,
            comment: approval.comment,
            removeDate: row.removeDate,
          },
        ]
      : [],
    approvalIds: approval ? [approval.id] : null,
    manualWorkItemDetails: null,
    accountActivityItemId: row.accountActivityItemId,
    requestType: row.requestType,
    modified: iso(row.modified),
    created: iso(row.created),
    requester,
    requestedFor: identityRef(identities, row.identityId),
    requesterComment:
      row.comment === null ? null : { comment: row.comment, created: iso(row.created), author: requester },
    sodViolationContext: {
      state: 'SUCCESS',
      uuid: null,
      violationCheckResult: { clientMetadata: null, violationContexts: [], violatedPolicies: [] },
    },
    provisioningDetails: { orderedSubPhaseReferences: 'manualWorkItemDetails' },
    preApprovalTriggerDetails: null,
    accessRequestPhases: row.phases,
    description: null,
    startDate: row.startDate,
    removeDate: row.removeDate,
    cancelable: isCancelable(row),
    accessRequestId: row.accessRequestId,
    clientMetadata: row.clientMetadata,
    requestedAccounts: null,
    privilegeLevel: null,
  };
}

export function statusJson(row: RequestItem, identities: IdentityDirectory): string {
  row.json ??= JSON.stringify(renderStatus(row, identities));
  return row.json;
}

export function renderPendingApproval(row: RequestItem, identities: IdentityDirectory): Record<string, unknown> {
  const approval = row.approval;
  const requester = identityRef(identities, row.requesterId);
  const body: Record<string, unknown> = {
    id: approval?.id,
    accessRequestId: row.accessRequestId,
    name: row.itemName,
    created: iso(approval?.created ?? row.created),
    modified: iso(approval?.modified ?? row.modified),
    requestCreated: iso(row.created),
    requestType: row.requestType,
    requester,
    requestedFor: identityRef(identities, row.identityId),
    owner: identityRef(identities, approval?.ownerId ?? identities.admin.id),
    requestedObject: { id: row.itemId, name: row.itemName, type: row.itemType },
    requesterComment: { comment: row.comment, created: iso(row.created), author: requester },
    previousReviewersComments: [],
    forwardHistory: [],
    commentRequiredWhenRejected: false,
    removeDateUpdateRequested: false,
    startUpdateRequested: false,
    clientMetadata: row.clientMetadata,
    requestedAccounts: null,
    privilegeLevel: null,
  };
  // Non-nullable in the schema: present only when set.
  if (row.removeDate !== null) body.removeDate = row.removeDate;
  if (row.startDate !== null) body.startDate = row.startDate;
  return body;
}
