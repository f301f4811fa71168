import { iso } from './clock';
import { type Catalog } from './catalog';
import { isCancelable } from './engine';
import { type RequestItem } from './model';

/**
 * Renders records in ISC's response shapes (RequestedItemStatus, PendingApproval). Status rows are
 * cached as JSON strings on the record and rebuilt only after a change, which keeps status listings
 * over thousands of rows cheap.
 */
export interface IdentityRef {
  type: 'IDENTITY';
  id: string;
  name: string;
}

function identityRef(catalog: Catalog, id: string): IdentityRef {
  return { type: 'IDENTITY', id, name: catalog.identityById.get(id)?.name ?? id };
}

function renderStatus(row: RequestItem, catalog: Catalog): Record<string, unknown> {
  const requester = identityRef(catalog, row.requesterId);
  const approval = row.approval;
  return {
    id: row.itemId,
    name: row.itemName,
    type: row.itemType,
    cancelledRequestDetails: row.cancelled
      ? {
          comment: row.cancelled.comment,
          owner: identityRef(catalog, row.cancelled.ownerId),
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
            originalOwner: identityRef(catalog, approval.ownerId),
            currentOwner: identityRef(catalog, approval.ownerId),
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
    requestedFor: identityRef(catalog, row.identityId),
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

export function statusJson(row: RequestItem, catalog: Catalog): string {
  row.json ??= JSON.stringify(renderStatus(row, catalog));
  return row.json;
}

export function renderPendingApproval(row: RequestItem, catalog: Catalog): Record<string, unknown> {
  const approval = row.approval;
  const requester = identityRef(catalog, row.requesterId);
  const body: Record<string, unknown> = {
    id: approval?.id,
    accessRequestId: row.accessRequestId,
    name: row.itemName,
    created: iso(approval?.created ?? row.created),
    modified: iso(approval?.modified ?? row.modified),
    requestCreated: iso(row.created),
    requestType: row.requestType,
    requester,
    requestedFor: identityRef(catalog, row.identityId),
    owner: identityRef(catalog, approval?.ownerId ?? catalog.admin.id),
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
