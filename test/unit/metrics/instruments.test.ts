/**
 * iscflow's metrics without a server: the catalog's names and labels, what each instrument records and
 * with which labels, the templating that keeps ids out of the ISC endpoint label, and the ISC client
 * telling its observer about every call (a 429 included) without an observer ever failing a call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ISCFLOW_METRICS,
  SDK_METRICS_ON_DASHBOARD,
  exposedName,
  type MetricDefinition,
} from '../../../src/metrics/catalog';
import { createIscflowMetrics } from '../../../src/metrics/instruments';
import { endpointOf, iscCallObserver } from '../../../src/metrics/isc-calls';
import { prometheusExporter } from '../../../src/metrics/telemetry';
import { IscError, type IscClient } from '../../../src/isc';
import type { IscCallObservation } from '../../../src/isc/client';
import { clientFor, startStub } from '../../support/isc';
import { RecordingMeter } from '../../support/recording-meter';

const definitions = Object.values(ISCFLOW_METRICS) as MetricDefinition[];
const metricNamed = (name: string): MetricDefinition => definitions.find((m) => m.name === name)!;

describe('the metric catalog', () => {
  it('names every metric iscflow_* in snake case, with help, and no counter ending in _total', () => {
    for (const m of definitions) {
      expect(m.name).toMatch(/^iscflow_[a-z][a-z0-9_]*[a-z0-9]$/);
      expect(m.help.length).toBeGreaterThan(20);
      if (m.kind === 'counter') {
        expect(m.name).not.toMatch(/_total$/);
        expect(exposedName(m)).toBe(`${m.name}_total`);
      } else {
        expect(exposedName(m)).toBe(m.name);
      }
    }
    expect(new Set(definitions.map((m) => m.name)).size).toBe(definitions.length);
  });

  it('labels only by closed sets: never an identity, an item, an employee or any id', () => {
    for (const m of definitions) {
      for (const label of m.labels) {
        expect(label).toMatch(/^[a-z][a-z_]*$/);
        expect(`${m.name}{${label}}`).not.toMatch(/identity|item_id|employee|ref\b|_id\b|^id$|name/);
      }
    }
  });

  it('defines what the brief and the dashboard rely on', () => {
    expect(definitions.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        'iscflow_isc_calls',
        'iscflow_isc_rate_limited',
        'iscflow_submitted_items',
        'iscflow_outcomes',
        'iscflow_tracker_batch_size',
        'iscflow_tracker_detection_lag_seconds',
        'iscflow_lifecycle_events',
        'iscflow_awaiting_operator',
        'iscflow_isc_up',
      ]),
    );
    expect(SDK_METRICS_ON_DASHBOARD.every((name) => name.startsWith('temporal_'))).toBe(true);
  });

  it('is documented in docs/operator.md, each metric with its labels', () => {
    const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'operator.md'), 'utf8');
    for (const m of definitions) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${exposedName(m)}\``));
      expect(`${m.name}: ${row === undefined ? 'undocumented' : 'documented'}`).toBe(`${m.name}: documented`);
      for (const label of m.labels) expect(row).toContain(`\`${label}\``);
    }
  });

  it('gives every histogram ascending buckets, which the Prometheus exporter receives', () => {
    const exporter = prometheusExporter('127.0.0.1:9464') as {
      prometheus: {
        bindAddress: string;
        countersTotalSuffix: boolean;
        useSecondsForDurations: boolean;
        histogramBucketOverrides: Record<string, number[]>;
      };
    };
    expect(exporter.prometheus).toMatchObject({
      bindAddress: '127.0.0.1:9464',
      countersTotalSuffix: true,
      useSecondsForDurations: true,
    });
    const histograms = definitions.filter((m) => m.kind === 'histogram');
    expect(Object.keys(exporter.prometheus.histogramBucketOverrides).sort()).toEqual(
      histograms.map((m) => m.name).sort(),
    );
    for (const m of histograms) {
      const buckets = exporter.prometheus.histogramBucketOverrides[m.name]!;
      expect(buckets.length).toBeGreaterThan(3);
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    }
  });
});

describe('the instruments', () => {
  const setup = () => {
    const meter = new RecordingMeter();
    return { meter, metrics: createIscflowMetrics(meter) };
  };

  it('set exactly the labels the catalog names, on metrics of the catalog’s kind and help', () => {
    const { meter, metrics } = setup();
    metrics.iscCall({ method: 'POST', endpoint: '/v3/access-requests', status: '429', seconds: 0.2 });
    metrics.submitted('GRANT_ACCESS', ['SUBMITTED']);
    metrics.outcomes('REVOKE_ACCESS', ['REVOKED']);
    metrics.lifecycleEvent('hire', 'accepted');
    metrics.trackerBatch(12);
    metrics.detectionLag(4.5);
    metrics.awaitingOperator('accessRequestWorkflow', 3);
    metrics.driftItems('missing', 2);
    metrics.iscUp(true);

    expect([...meter.created.keys()].sort()).toEqual(definitions.map((m) => m.name).sort());
    for (const [name, created] of meter.created) {
      const m = metricNamed(name);
      expect({ name, kind: created.kind, valueType: created.valueType, help: created.description }).toEqual({
        name,
        kind: m.kind,
        valueType: m.valueType,
        help: m.help,
      });
    }
    for (const record of meter.records) {
      expect(`${record.name}: ${Object.keys(record.tags).sort().join(',')}`).toBe(
        `${record.name}: ${[...metricNamed(record.name).labels].sort().join(',')}`,
      );
    }
  });

  it('count an ISC call by method, endpoint and status, time it, and count a 429 apart', () => {
    const { meter, metrics } = setup();
    metrics.iscCall({ method: 'GET', endpoint: '/v3/access-request-status', status: '200', seconds: 0.05 });
    metrics.iscCall({ method: 'POST', endpoint: '/v3/access-requests', status: '429', seconds: 0.01 });
    metrics.iscCall({ method: 'POST', endpoint: '/v3/access-requests', status: '202', seconds: 0.3 });
    expect(meter.total('iscflow_isc_calls', { endpoint: '/v3/access-requests' })).toBe(2);
    expect(meter.total('iscflow_isc_calls', { status: '429' })).toBe(1);
    expect(meter.total('iscflow_isc_rate_limited')).toBe(1);
    expect(meter.total('iscflow_isc_rate_limited', { endpoint: '/v3/access-requests' })).toBe(1);
    expect(meter.records.filter((r) => r.name === 'iscflow_isc_call_duration_seconds').map((r) => r.value)).toEqual([
      0.05, 0.01, 0.3,
    ]);
  });

  it('say whether ISC answers as 1 or 0', () => {
    const { meter, metrics } = setup();
    metrics.iscUp(true);
    expect(meter.total('iscflow_isc_up')).toBe(1);
    metrics.iscUp(false);
    expect(meter.total('iscflow_isc_up')).toBe(0);
  });

  it('count submitted items and outcomes once per item, grouped by their labels', () => {
    const { meter, metrics } = setup();
    metrics.submitted('GRANT_ACCESS', ['SUBMITTED', 'SUBMITTED', 'ADOPTED', 'ALREADY_SATISFIED', 'SUBMITTED']);
    metrics.outcomes('GRANT_ACCESS', ['GRANTED', 'GRANTED', 'FAILED']);
    expect(meter.total('iscflow_submitted_items', { disposition: 'SUBMITTED', request_type: 'GRANT_ACCESS' })).toBe(3);
    expect(meter.total('iscflow_submitted_items')).toBe(5);
    expect(meter.total('iscflow_outcomes', { outcome: 'GRANTED' })).toBe(2);
    expect(meter.total('iscflow_outcomes', { outcome: 'FAILED' })).toBe(1);
    // One add per label value, not per item.
    expect(meter.records.filter((r) => r.name === 'iscflow_outcomes')).toHaveLength(2);
  });

  it('keep gauges and histograms non-negative, as the SDK requires', () => {
    const { meter, metrics } = setup();
    metrics.awaitingOperator('identityLifecycleWorkflow', 2);
    metrics.awaitingOperator('identityLifecycleWorkflow', -1);
    metrics.detectionLag(-0.5);
    metrics.trackerBatch(3.4);
    expect(meter.total('iscflow_awaiting_operator', { workflow_type: 'identityLifecycleWorkflow' })).toBe(0);
    expect(meter.records.filter((r) => r.kind === 'histogram').map((r) => r.value)).toEqual([0, 3]);
  });
});

describe('ISC calls as metrics', () => {
  it('template endpoints: no query, no id-like segment', () => {
    expect(endpointOf('/v3/access-request-status?requested-for=2c9180835d2e5168015d32f890ca1581')).toBe(
      '/v3/access-request-status',
    );
    expect(endpointOf('/v3/identities/2c9180835d2e5168015d32f890ca1581/access')).toBe('/v3/identities/{id}/access');
    expect(endpointOf('/beta/tasks/123e4567-e89b-12d3-a456-426614174000')).toBe('/beta/tasks/{id}');
    expect(endpointOf('/v2025/access-requests/close')).toBe('/v2025/access-requests/close');
    expect(endpointOf('/oauth/token')).toBe('/oauth/token');
  });

  it('turn a call without an answer into a timeout or network_error status', () => {
    const meter = new RecordingMeter();
    const observe = iscCallObserver(createIscflowMetrics(meter));
    observe({ method: 'GET', path: '/v3/search', durationMs: 30_000, failure: 'ISC_TIMEOUT' });
    observe({ method: 'GET', path: '/v3/search', durationMs: 5, failure: 'ISC_NETWORK_ERROR' });
    expect(meter.total('iscflow_isc_calls', { status: 'timeout' })).toBe(1);
    expect(meter.total('iscflow_isc_calls', { status: 'network_error' })).toBe(1);
  });

  describe('the ISC client’s observer', () => {
    let stub: Awaited<ReturnType<typeof startStub>>;
    beforeAll(async () => {
      stub = await startStub((app) => {
        app.get('/v3/access-request-status', async (_request, reply) =>
          reply.code(429).header('retry-after', '2').send({ message: 'Rate Limit Exceeded' }),
        );
        app.post('/v3/search', async () => []);
      });
    });
    afterAll(() => stub.close());

    const client = (observe: (call: IscCallObservation) => void): IscClient => clientFor(stub.baseUrl, [], { observe });

    it('hears every exchange, the token’s and a 429 included, with paths that carry no query', async () => {
      const seen: IscCallObservation[] = [];
      const isc = client((call) => seen.push(call));
      const refused = await isc
        .listAccessRequestStatus({ requestedFor: '2c9180835d2e5168015d32f890ca1581' })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(IscError);
      expect((refused as IscError).code).toBe('ISC_RATE_LIMITED');
      await isc.findIdentityByEmployeeNumber('E1042');
      expect(seen.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
        { method: 'POST', path: '/oauth/token', status: 200 },
        { method: 'GET', path: '/v3/access-request-status', status: 429 },
        { method: 'POST', path: '/v3/search', status: 200 },
      ]);
      for (const call of seen) expect(call.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('never lets a failing observer fail the call', async () => {
      const isc = client(() => {
        throw new Error('metrics broke');
      });
      await expect(isc.findIdentityByEmployeeNumber('E1042')).resolves.toBeUndefined();
    });
  });
});
