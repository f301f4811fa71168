/**
 * Knowing the identity in ISC before asking for its access. An event may name the ISC id; otherwise the
 * employee number is searched for. HR often tells iscflow before ISC's aggregation has created the
 * identity: the lifecycle then waits (WAITING_FOR_IDENTITY), searching every `identityPollSeconds`, and
 * if ISC still does not know it `identityWaitSeconds` after the hire, asks a person (AWAITING_OPERATOR):
 * `retry` waits again, `skip` stops waiting until the next HR event. New events are taken in meanwhile.
 */
import { CancellationScope, condition, isCancellation, log } from '@temporalio/workflow';
import { ActivityFailure, TimeoutFailure } from '@temporalio/workflow';
import { DEPLOYMENT_ISC_ERROR_CODES, IDENTITY_NOT_FOUND } from '../../common';
import { failureType } from '../failures';
import { epochMs, isoAt, msUntil, waitFor, workflowNow } from '../clock';
import { identityPoller, lifecycleIsc } from './activities';
import { hasNews, type Lifecycle } from './lifecycle';

const MAX_POLL_WINDOW_SECONDS = 7 * 24 * 3600;

/**
 * Whether a polling window ended without finding it: not found, or ISC down with the worker holding its
 * calls back (ISC_UNAVAILABLE, a failure type only the circuit gives, so no earlier history holds it).
 */
function notFoundInWindow(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  const type = failureType(error);
  return error.cause instanceof TimeoutFailure || type === IDENTITY_NOT_FOUND || type === 'ISC_UNAVAILABLE';
}

/**
 * Resolves the identity's ISC id if needed. Returns true once it is known; false when the loop should
 * take in news (or stop acting) first. `hireAt` starts the deadline.
 */
export async function ensureIdentity(
  life: Lifecycle,
  hireAt: string | undefined,
  publish: () => void,
): Promise<boolean> {
  const { s, input } = life;
  if (s.iscIdentityId) return true;
  if (input.identity.kind !== 'employeeNumber') return false;
  if (s.identityWait?.skippedUntilEvent) return false;
  if (s.operator) return askOperator(life, publish);
  try {
    return await lookUp(life, hireAt, publish);
  } catch (error) {
    // ISC refused the search for good (or was down for a day): a person looks, the lifecycle lives on.
    if (isCancellation(error)) throw error;
    const message =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    const type = failureType(error);
    s.operator = {
      since: workflowNow(),
      code: DEPLOYMENT_ISC_ERROR_CODES.find((code) => code === type) ?? 'IDENTITY_LOOKUP_FAILED',
      reason: `Searching ISC for the identity failed: ${message}`,
    };
    return askOperator(life, publish);
  }
}

async function lookUp(life: Lifecycle, hireAt: string | undefined, publish: () => void): Promise<boolean> {
  const { s, options, input } = life;

  if (!s.identityWait) {
    const found = await lifecycleIsc(s.tenant?.tracking).findIdentity({
      employeeNumber: input.identity.value,
      failWhenMissing: false,
    });
    if (found) return known(life, found.id, publish);
    const startMs = Math.max(epochMs(workflowNow()), hireAt ? epochMs(hireAt) : 0);
    s.identityWait = {
      since: workflowNow(),
      deadline: isoAt(startMs + options.identityWaitSeconds * 1000),
    };
    log.info('Waiting for ISC to know the identity', { ref: input.ref });
    publish();
  }

  const wait = s.identityWait;
  if (msUntil(wait.deadline) <= 0) return askOperator(life, publish);

  // Poll until found, the deadline, or news (a rescind may make the wait moot).
  const window = Math.min(MAX_POLL_WINDOW_SECONDS, msUntil(wait.deadline) / 1000);
  if (window < options.identityPollSeconds) {
    // Less than one poll before the deadline: wait it out (or for news) instead of polling ever faster.
    await condition(() => hasNews(life), Math.max(1, msUntil(wait.deadline)));
    return false;
  }
  const scope = new CancellationScope();
  let found: { id: string } | null | undefined;
  let ended = false;
  const polling = scope
    .run(() =>
      identityPoller(
        options.identityPollSeconds,
        window,
      )({ employeeNumber: input.identity.value, failWhenMissing: true }),
    )
    .then(
      (answer) => {
        found = answer;
      },
      (error: unknown) => {
        if (!isCancellation(error) && !notFoundInWindow(error)) throw error;
      },
    )
    .finally(() => {
      ended = true;
    });
  // The window is also a timer here: the deadline holds even where a server does not end the retries itself.
  await condition(() => ended || hasNews(life), Math.max(1, window * 1000));
  if (!ended) scope.cancel();
  await polling;
  if (found) return known(life, found.id, publish);
  return false;
}

function known(life: Lifecycle, id: string, publish: () => void): true {
  life.s.iscIdentityId = id;
  life.s.identityWait = undefined;
  publish();
  return true;
}

async function askOperator(life: Lifecycle, publish: () => void): Promise<boolean> {
  const { s, options } = life;
  s.operator ??= {
    since: workflowNow(),
    code: 'IDENTITY_NOT_FOUND',
    reason: `ISC has no identity with this employee number ${options.identityWaitSeconds} s after the hire; retry to search again, skip to stop until the next HR event`,
  };
  life.decision = undefined;
  publish();
  const decided = await waitFor(() => life.decision !== undefined || hasNews(life), options.escalationTimeoutSeconds);
  const decision = life.decision as Lifecycle['decision'];
  if (!decision) {
    // News came in (the loop takes it in and comes back here), or the escalation timed out: keep waiting.
    if (!decided) log.warn('No operator decision for a missing identity', { ref: life.input.ref });
    return false;
  }
  s.operator = undefined;
  life.decision = undefined;
  if (decision.kind === 'retry') {
    s.identityWait = {
      since: workflowNow(),
      deadline: isoAt(epochMs(workflowNow()) + options.identityWaitSeconds * 1000),
    };
  } else {
    s.identityWait = {
      ...(s.identityWait ?? { since: workflowNow(), deadline: workflowNow() }),
      skippedUntilEvent: true,
    };
  }
  log.info('Operator decision on a missing identity', { ref: life.input.ref, decision: decision.kind });
  publish();
  return false;
}
