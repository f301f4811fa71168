/**
 * Pure, deterministic rules shared by workflows, activities, the CLI and the ingress.
 * Nothing reachable from here may touch Node modules, the clock, randomness or I/O.
 */
export {
  ITEM_TYPES,
  type ItemType,
  REQUEST_TYPES,
  type RequestType,
  iscIdSchema,
  accessItemSchema,
  type AccessItem,
  accessChangeSchema,
  type AccessChange,
  ITEM_OUTCOMES,
  type ItemOutcome,
} from './model';
export {
  VIOLATION_RULES,
  type ViolationRule,
  type Violation,
  type ValidationResult,
  validateAccessChange,
  formatViolations,
} from './validate';
export {
  MAX_ENTITLEMENTS_PER_REQUEST,
  MAX_IDENTITIES_PER_ENTITLEMENT_REQUEST,
  type PlannedItem,
  type PlannedRequest,
  planAccessRequests,
  planItemKey,
  workflowIdFor,
  IDEMPOTENCY_KEY_PATTERN,
} from './plan';
export {
  ISC_FINAL_STATES,
  type IscFinalState,
  ISC_IN_PROGRESS_STATES,
  ISC_RETRYABLE_FAILURE_STATES,
  classifyIscState,
  outcomeForFinalState,
  isRetryableFailureState,
  aimedOutcome,
  isSuccess,
} from './states';
export { parseIsoDateTime, type ParsedDateTime } from './dates';
export {
  HR_EVENT_TYPES,
  type HrEventType,
  attributeValueSchema,
  type AttributeValue,
  type Attributes,
  hrEventSchema,
  type HrEvent,
  type EventDelivery,
  type ReceivedEvent,
  HR_EVENT_RULES,
  type HrEventRule,
  type HrEventViolation,
  type HrEventValidation,
  validateHrEvent,
  eventKey,
  type IdentityKey,
  identityKeyOf,
  identityKeyText,
  formatHrEventViolations,
} from './hr-event';
export { parseIsoDuration, type ParsedDuration } from './duration';
export {
  policyDocumentSchema,
  type PolicyDocument,
  type PolicyItem,
  type ResolvedRule,
  type ResolvedPolicy,
  type DesiredItem,
  type PolicyCheck,
  checkPolicyDocument,
  type NamedItem,
  namedItemKey,
  namedItems,
  resolvePolicy,
  itemKey,
  desiredAccess,
} from './policy';
export {
  type TimelineEvent,
  type EmploymentStatus,
  type EventOutcome,
  type Projection,
  type Baseline,
  project,
} from './lifecycle/timeline';
export {
  type HoldingState,
  type Holding,
  type Trigger,
  type LifecycleAction,
  type ReconcileInput,
  type ReconcilePlan,
  changeInFlight,
  reconcile,
} from './lifecycle/reconcile';
export {
  type SubmitTicket,
  type SubmitBatch,
  MAX_IDENTITIES_PER_BATCH,
  coalesce,
  submissionRound,
  COALESCE_QUIET_MS,
  COALESCE_MAX_WAIT_MS,
  SUBMIT_ROUND_GAP_MS,
  HELD_SEARCH_IDENTITIES,
  STATUS_ROWS_PER_CALL,
  STATUS_IDS_PER_CALL,
  chunkForStatus,
  pollIntervalMs,
  statusCallAllowance,
  trackerShardOf,
} from './tracking';
