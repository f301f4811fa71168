/**
 * ISC calls as metrics: the observer the worker hands the ISC client, and the templating that keeps ids
 * out of the `endpoint` label.
 */
import type { IscCallObservation } from '../isc/client';
import type { IscflowMetrics } from './instruments';

/** Path segments that are values rather than names: ISC ids (32 hex), UUIDs, numbers. */
const ID_SEGMENT = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

/**
 * The endpoint of a path as a label: no query, and every id-like segment as `{id}`. Today's client puts
 * ids only into queries and bodies, so its paths come out unchanged; a later `/v3/identities/<id>` must
 * not turn every identity into a series of its own.
 */
export function endpointOf(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  return bare
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? '{id}' : segment))
    .join('/');
}

const FAILURE_STATUS = { ISC_TIMEOUT: 'timeout', ISC_NETWORK_ERROR: 'network_error' } as const;

/** The ISC client's `observe` option: every call counted by endpoint and status, and timed. */
export function iscCallObserver(metrics: IscflowMetrics): (call: IscCallObservation) => void {
  return (call) => {
    metrics.iscCall({
      method: call.method,
      endpoint: endpointOf(call.path),
      status: call.status !== undefined ? String(call.status) : FAILURE_STATUS[call.failure],
      seconds: call.durationMs / 1000,
    });
  };
}
