/**
 * Reading one run of an access change from its event history: the input from the first event, the result
 * from the completion event, and every operator decision (an accepted `retry`, `skip` or `cancel` Update).
 *
 * No I/O: payloads are decoded by the data converter handed in (the client's, so a payload codec it holds
 * applies here too), and what they hold is checked with zod, since a history is data from outside.
 */
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { WORKFLOW_TYPES } from '../common';
import { ITEM_TYPES, REQUEST_TYPES } from '../domain';
import { cancelUpdate, retryUpdate, skipUpdate } from '../workflows/access-request/contracts';
import type { DecisionRecord } from './model';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads;

const changeInputSchema = z.object({
  request: z.object({
    key: z.string(),
    requestType: z.enum(REQUEST_TYPES),
    identityIds: z.array(z.string()).min(1),
    items: z.array(z.object({ type: z.enum(ITEM_TYPES), id: z.string(), removeDate: z.string().optional() })).min(1),
  }),
  idempotencyKey: z.string().optional(),
  cause: z.object({ kind: z.string(), ref: z.string().optional() }).optional(),
});
/** What the report needs of `AccessRequestInput`. */
export type ChangeInput = z.infer<typeof changeInputSchema>;

const itemResultSchema = z.object({
  identityId: z.string(),
  itemType: z.enum(ITEM_TYPES),
  itemId: z.string(),
  outcome: z.string().nullable(),
  iscState: z.string().nullish(),
  accessRequestId: z.string().nullish(),
  removal: z.object({ removeDate: z.string(), status: z.string() }).nullish(),
});
/** What the report needs of one `ItemResult` (from the result, or from a live `status` query). */
export type ChangeItem = z.infer<typeof itemResultSchema>;

const changeResultSchema = z.object({ items: z.array(itemResultSchema) });
export type ChangeResult = z.infer<typeof changeResultSchema>;

const decisionArgSchema = z.object({ reason: z.string().optional() }).nullish();

/** The operator's decisions, by the names their Updates are registered under. */
const DECISIONS = new Map<string, DecisionRecord['decision']>([
  [retryUpdate.name, 'retry'],
  [skipUpdate.name, 'skip'],
  [cancelUpdate.name, 'cancel'],
]);

/** How a run closed, in Temporal's words; null while it runs. */
export type Closure = 'COMPLETED' | 'FAILED' | 'TERMINATED' | 'TIMED_OUT' | 'CANCELED' | 'CONTINUED_AS_NEW';

/** One run of an access-request workflow as its history tells it. */
export interface ChangeRun {
  runId: string;
  /** The first run of the chain this run belongs to (itself, unless it continued an earlier one). */
  firstRunId: string;
  /** The run this one continued (continue-as-new), if any. */
  previousRunId: string | null;
  /** The run this one continued as, if it did. */
  nextRunId: string | null;
  input: ChangeInput;
  startedAt: string;
  closedAt: string | null;
  closure: Closure | null;
  result: ChangeResult | null;
  decisions: DecisionRecord[];
}

/** A history that is not an access change's, or whose input or result the report cannot read. */
export class UnreadableHistoryError extends Error {
  readonly code = 'REPORT_HISTORY_UNREADABLE';
}

/**
 * Seconds arrive as a Long from the server and as a plain number from a history read back from JSON;
 * `Number` takes both (event times are far below 2^53).
 */
function eventTime(event: HistoryEvent): string {
  const time = event.eventTime;
  if (!time) throw new UnreadableHistoryError(`event ${String(event.eventId)} has no time`);
  return new Date(Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6)).toISOString();
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UnreadableHistoryError(`${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * The first payload, decoded and checked. A payload this process cannot decode (encrypted under a key it
 * does not hold, say) stops the report with the run named, rather than leaving the change out.
 */
async function decodeAs<S extends z.ZodType>(
  schema: S,
  converter: LoadedDataConverter,
  payloads: Payloads | null | undefined,
  what: string,
): Promise<z.infer<S>> {
  let value: unknown;
  try {
    [value] = await decodeArrayFromPayloads(converter, payloads?.payloads);
  } catch (error) {
    throw new UnreadableHistoryError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parse(schema, value, what);
}

/** The close event's closure and, for a completion, the result payloads. */
function closureOf(event: HistoryEvent): { closure: Closure; result?: Payloads | null; nextRunId?: string } | null {
  if (event.workflowExecutionCompletedEventAttributes) {
    return { closure: 'COMPLETED', result: event.workflowExecutionCompletedEventAttributes.result };
  }
  if (event.workflowExecutionContinuedAsNewEventAttributes) {
    const next = event.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId;
    return { closure: 'CONTINUED_AS_NEW', ...(next ? { nextRunId: next } : {}) };
  }
  if (event.workflowExecutionFailedEventAttributes) return { closure: 'FAILED' };
  if (event.workflowExecutionTerminatedEventAttributes) return { closure: 'TERMINATED' };
  if (event.workflowExecutionTimedOutEventAttributes) return { closure: 'TIMED_OUT' };
  if (event.workflowExecutionCanceledEventAttributes) return { closure: 'CANCELED' };
  return null;
}

async function decisionOf(converter: LoadedDataConverter, event: HistoryEvent): Promise<DecisionRecord | null> {
  const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
  const name = request?.input?.name;
  const decision = name ? DECISIONS.get(name) : undefined;
  if (!request || !decision) return null;
  const arg = await decodeAs(decisionArgSchema, converter, request.input?.args, `${decision} Update`);
  return {
    at: eventTime(event),
    decision,
    reason: arg?.reason?.trim() ? arg.reason : null,
    by: request.meta?.identity || null,
  };
}

/** Reads one run of an access change from its history (`runId` as visibility or the caller knows it). */
export async function readChangeRun(
  runId: string,
  history: History,
  converter: LoadedDataConverter,
): Promise<ChangeRun> {
  const events = history.events ?? [];
  const first = events[0];
  const started = first?.workflowExecutionStartedEventAttributes;
  if (!first || !started) throw new UnreadableHistoryError(`run ${runId}: the history does not begin with its start`);
  if (started.workflowType?.name !== WORKFLOW_TYPES.accessRequest) {
    throw new UnreadableHistoryError(`run ${runId}: a ${started.workflowType?.name ?? 'nameless'} workflow`);
  }
  const input = await decodeAs(changeInputSchema, converter, started.input, `run ${runId} input`);
  const decisions: DecisionRecord[] = [];
  let closed: { at: string; closure: Closure; result: ChangeResult | null; nextRunId: string | null } | null = null;
  for (const event of events) {
    const decision = await decisionOf(converter, event);
    if (decision) decisions.push(decision);
    const closure = closureOf(event);
    if (!closure) continue;
    const result =
      closure.closure === 'COMPLETED'
        ? await decodeAs(changeResultSchema, converter, closure.result, `run ${runId} result`)
        : null;
    closed = { at: eventTime(event), closure: closure.closure, result, nextRunId: closure.nextRunId ?? null };
  }
  return {
    runId,
    firstRunId: started.firstExecutionRunId || runId,
    previousRunId: started.continuedExecutionRunId || null,
    nextRunId: closed?.nextRunId ?? null,
    input,
    startedAt: eventTime(first),
    closedAt: closed?.at ?? null,
    closure: closed?.closure ?? null,
    result: closed?.result ?? null,
    decisions,
  };
}

/** Parses a live view's items (from the `status` query) with the same schema as a result's. */
export function readLiveItems(items: unknown): ChangeItem[] {
  return parse(z.array(itemResultSchema), items, 'status query items');
}
