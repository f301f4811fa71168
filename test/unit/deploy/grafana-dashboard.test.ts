/**
 * The Grafana dashboard (deploy/grafana/dashboards/iscflow.json) against the code: every metric it
 * queries is one the code defines (iscflow's catalog, the ingress's registry, or the Temporal SDK metrics
 * the worker's metrics test finds on a real worker), every label it groups by is one that metric has, and
 * every iscflow metric has a panel. A renamed metric or label fails here, not on an empty panel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createIngressMetrics } from '../../../src/ingress/metrics';
import {
  ISCFLOW_METRICS,
  SDK_METRICS_ON_DASHBOARD,
  exposedName,
  type MetricDefinition,
} from '../../../src/metrics/catalog';

interface Panel {
  type: string;
  title: string;
  description?: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ expr: string; refId: string }>;
}

const dashboard = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'deploy', 'grafana', 'dashboards', 'iscflow.json'), 'utf8'),
) as { uid: string; title: string; panels: Panel[] };
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Metric families an expression reads: `_bucket`, `_sum` and `_count` are parts of their histogram. */
function familiesIn(expr: string): string[] {
  const names = expr.match(/\b(?:iscflow|temporal)_[a-z0-9_]+\b/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

/** Labels an expression groups by or filters on. */
function labelsIn(expr: string): string[] {
  const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(','));
  const matched = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
    (m[1] ?? '').split(',').map((matcher) => matcher.split(/[!=~]/)[0] ?? ''),
  );
  return [...new Set([...grouped, ...matched].map((l) => l.trim()).filter((l) => l !== ''))];
}

const iscflowLabels = new Map(
  (Object.values(ISCFLOW_METRICS) as MetricDefinition[]).map((m) => [exposedName(m), new Set(m.labels)]),
);
const ingressLabels = new Map(
  (() => {
    const registry = new Registry();
    createIngressMetrics(registry);
    // The ingress's counters are named with their _total already (prom-client keeps names as given).
    return registry
      .getMetricsAsArray()
      .map((m) => [m.name, new Set((m as unknown as { labelNames: string[] }).labelNames)] as const);
  })(),
);
/** Labels the Temporal SDK puts on its worker metrics (seen on a real worker's /metrics). */
const SDK_LABELS = new Set(['namespace', 'task_queue', 'workflow_type', 'activity_type', 'worker_type', 'poller_type']);

describe('the Grafana dashboard', () => {
  it('is iscflow’s, with panels that each say what they show', () => {
    expect(dashboard.uid).toBe('iscflow');
    expect(queries.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(`${panel.title}: ${(panel.description ?? '').length > 20}`).toBe(`${panel.title}: true`);
      expect(panel.targets?.length).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('queries only metrics the code defines, grouped by labels those metrics have', () => {
    for (const { panel, expr } of queries) {
      const families = familiesIn(expr);
      expect(`${panel}: ${families.length}`).not.toBe(`${panel}: 0`);
      for (const family of families) {
        const labels =
          iscflowLabels.get(family) ??
          ingressLabels.get(family) ??
          ((SDK_METRICS_ON_DASHBOARD as readonly string[]).includes(family) ? SDK_LABELS : undefined);
        expect(`${panel}: ${family} ${labels ? 'defined' : 'is defined nowhere'}`).toBe(`${panel}: ${family} defined`);
        if (families.length !== 1 || !labels) continue;
        for (const label of labelsIn(expr)) {
          if (label === 'le') continue;
          expect(`${panel}: ${family} has ${label}: ${labels.has(label)}`).toBe(
            `${panel}: ${family} has ${label}: true`,
          );
        }
      }
    }
  });

  it('shows every iscflow metric, and reads every SDK metric it names', () => {
    const shown = new Set(queries.flatMap((q) => familiesIn(q.expr)));
    for (const name of iscflowLabels.keys()) expect(`${name}: ${shown.has(name)}`).toBe(`${name}: true`);
    for (const name of SDK_METRICS_ON_DASHBOARD) expect(`${name}: ${shown.has(name)}`).toBe(`${name}: true`);
    expect([...shown].some((name) => name.startsWith('iscflow_ingress_'))).toBe(true);
  });
});
