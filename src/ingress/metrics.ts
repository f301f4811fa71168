/**
 * The ingress's Prometheus metrics, registered on a registry the caller owns (so tests and several apps
 * in one process do not collide, and main.ts decides about process metrics). Labels are closed sets:
 * route patterns, outcome names, event types, reasons; never an id, a path as sent or a header value.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface IngressMetrics {
  requests: Counter<'route' | 'method' | 'outcome'>;
  duration: Histogram<'route' | 'method'>;
  events: Counter<'type' | 'result'>;
  signatureFailures: Counter<'reason'>;
  credentialFailures: Counter<'reason'>;
}

export function createIngressMetrics(registry: Registry): IngressMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'iscflow_ingress_requests_total',
      help: 'Requests answered, by route pattern, method and outcome.',
      labelNames: ['route', 'method', 'outcome'],
      registers,
    }),
    duration: new Histogram({
      name: 'iscflow_ingress_request_duration_seconds',
      help: 'Time from request to answer, by route pattern and method.',
      labelNames: ['route', 'method'],
      // An answer waits for Temporal to record the event: milliseconds normally, seconds when it struggles.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    events: new Counter({
      name: 'iscflow_ingress_events_total',
      help: 'HR events received, by type (hire, update, terminate, rescind, or unknown when invalid) and result.',
      labelNames: ['type', 'result'],
      registers,
    }),
    signatureFailures: new Counter({
      name: 'iscflow_ingress_signature_failures_total',
      help: 'Requests refused for their Standard Webhooks signature, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    credentialFailures: new Counter({
      name: 'iscflow_ingress_credential_failures_total',
      help: 'ISC trigger deliveries refused for their credentials, by reason.',
      labelNames: ['reason'],
      registers,
    }),
  };
}
