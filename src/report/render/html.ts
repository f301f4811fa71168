/**
 * The report as one self-contained HTML page an auditor can open offline: a chart of changes per day by
 * outcome (Chart.js, inlined: the page loads nothing from anywhere, and its Content-Security-Policy says
 * so), a timeline per identity, and every row in a table that a filter box narrows.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DRIFT_FINDINGS, ITEM_OUTCOMES, type DriftFinding, type ItemOutcome } from '../../domain';
import type { Report, ReportRow } from '../model';
import { describeCause, describeDecision, describeOutcome } from './text';

/** The chart's groups: every item outcome, every drift finding, and the rows still running. */
type Group = ItemOutcome | Uppercase<DriftFinding> | 'running';

/** Outcome colours, chosen to read apart for the common forms of colour blindness and in grey print. */
const COLOURS: Record<Group, string> = {
  GRANTED: '#1b7837',
  REVOKED: '#2166ac',
  ALREADY_SATISFIED: '#7fbf7b',
  REJECTED: '#e08214',
  FAILED: '#b2182b',
  CANCELLED: '#8c6d31',
  MISSING: '#d6604d',
  UNEXPECTED: '#f1a340',
  UNREVOCABLE: '#878787',
  running: '#762a83',
};
/** Rows of workflows that closed without a result (`WORKFLOW_TERMINATED`, ...). */
const OTHER_COLOUR = '#4d4d4d';
const ORDER: readonly string[] = [...ITEM_OUTCOMES, ...DRIFT_FINDINGS.map((f) => f.toUpperCase()), 'running'];

const colourOf = (group: string): string => (group in COLOURS ? COLOURS[group as Group] : OTHER_COLOUR);
/** The chart groups rows still running together: their live phases are not outcomes. */
const groupOf = (row: ReportRow): string => (row.status === 'running' ? 'running' : row.outcome);

/** The chart's data: one bar per UTC day of the period's requests, one stacked series per outcome. */
export interface DailyOutcomes {
  days: string[];
  series: Array<{ label: string; colour: string; counts: number[] }>;
}

const DAY_MS = 24 * 3600 * 1000;

export function dailyOutcomes(rows: readonly ReportRow[]): DailyOutcomes {
  if (rows.length === 0) return { days: [], series: [] };
  const dayOf = (row: ReportRow): string => row.requestedAt.slice(0, 10);
  const sorted = rows.map(dayOf).sort();
  const first = Date.parse(`${sorted[0]}T00:00:00Z`);
  const last = Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`);
  // Every day of the span, so quiet days show as gaps instead of vanishing.
  const days: string[] = [];
  for (let t = first; t <= last; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  const index = new Map(days.map((d, i) => [d, i]));
  const counts = new Map<string, number[]>();
  for (const row of rows) {
    const group = groupOf(row);
    const series = counts.get(group) ?? days.map(() => 0);
    const i = index.get(dayOf(row)) ?? 0;
    series[i] = (series[i] ?? 0) + 1;
    counts.set(group, series);
  }
  const rank = (g: string): number => (ORDER.includes(g) ? ORDER.indexOf(g) : ORDER.length);
  const groups = [...counts.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return {
    days,
    series: groups.map((label) => ({ label, colour: colourOf(label), counts: counts.get(label) ?? [] })),
  };
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** JSON inside a script element: nothing in it may close the element or end a line for the parser. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Chart.js's UMD build from the installed package, to be inlined. */
export function loadChartLibrary(): string {
  const main = require.resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

function badge(row: ReportRow): string {
  const colour = colourOf(groupOf(row));
  return `<span class="badge" style="background:${colour}">${escapeHtml(describeOutcome(row))}</span>`;
}

function decisionList(row: ReportRow): string {
  if (row.decisions.length === 0) return '';
  const items = row.decisions.map((d) => `<li>${escapeHtml(describeDecision(d))}</li>`).join('');
  return `<ul class="decisions">${items}</ul>`;
}

interface Span {
  start: number;
  end: number;
}

function spanOf(report: Report): Span {
  const starts = report.rows.map((r) => Date.parse(r.requestedAt));
  const ends = report.rows.map((r) => Date.parse(r.finalAt ?? report.generatedAt));
  const start = report.period.since ? Date.parse(report.period.since) : Math.min(...starts);
  const end = report.period.until ? Date.parse(report.period.until) : Math.max(...ends);
  return { start: Math.min(start, ...starts), end: Math.max(end, start + 1) };
}

/** One identity's changes across the period: a line from request to close, a dot in the outcome's colour. */
function strip(rows: readonly ReportRow[], span: Span, now: string): string {
  const x = (iso: string): number => (1000 * (Date.parse(iso) - span.start)) / (span.end - span.start);
  const marks = rows.map((row) => {
    const from = x(row.requestedAt).toFixed(1);
    const to = x(row.finalAt ?? now).toFixed(1);
    const colour = colourOf(groupOf(row));
    const title = `${row.requestedAt} ${row.change} ${row.itemType}:${row.itemId}: ${describeOutcome(row)}`;
    return (
      `<line x1="${from}" x2="${to}" y1="12" y2="12" stroke="${colour}" stroke-width="3"/>` +
      `<circle cx="${to}" cy="12" r="5" fill="${colour}"><title>${escapeHtml(title)}</title></circle>`
    );
  });
  return `<svg class="strip" viewBox="-8 0 1016 24" preserveAspectRatio="none" role="img" aria-label="changes over the period">${marks.join('')}</svg>`;
}

function timelines(report: Report): string {
  if (report.rows.length === 0) return '<p>No identities had access changes in this period.</p>';
  const byIdentity = new Map<string, ReportRow[]>();
  for (const row of report.rows) byIdentity.set(row.identityId, [...(byIdentity.get(row.identityId) ?? []), row]);
  const span = spanOf(report);
  const open = byIdentity.size <= 10 ? ' open' : '';
  const scale =
    `<p class="meta">Each line runs from a change's request to its close (to now while it runs), across ` +
    `${new Date(span.start).toISOString()} to ${new Date(span.end).toISOString()}; the dot is its outcome.</p>`;
  const identities = [...byIdentity.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([identityId, rows]) => {
      const tally = new Map<string, number>();
      for (const row of rows) tally.set(groupOf(row), (tally.get(groupOf(row)) ?? 0) + 1);
      const summary = [...tally].map(([g, n]) => `${n} ${g}`).join(', ');
      const entries = rows
        .map(
          (row) =>
            `<li><time datetime="${escapeHtml(row.requestedAt)}">${escapeHtml(row.requestedAt)}</time> ` +
            `${escapeHtml(row.change)} ${escapeHtml(`${row.itemType}:${row.itemId}`)} ${badge(row)}` +
            `${row.finalAt ? ` at <time>${escapeHtml(row.finalAt)}</time>` : ''}` +
            ` <span class="cause">${escapeHtml(describeCause(row))}</span>${decisionList(row)}</li>`,
        )
        .join('');
      return (
        `<details class="identity"${open}><summary><code>${escapeHtml(identityId)}</code>: ${rows.length} ` +
        `change${rows.length === 1 ? '' : 's'} (${escapeHtml(summary)})</summary>` +
        `${strip(rows, span, report.generatedAt)}<ol class="timeline">${entries}</ol></details>`
      );
    })
    .join('\n');
  return `${scale}\n${identities}`;
}

function tableRows(rows: readonly ReportRow[]): string {
  return rows
    .map((row) => {
      const cells = [
        `<time>${escapeHtml(row.requestedAt)}</time>`,
        `<time>${escapeHtml(row.finalAt ?? '')}</time>`,
        `<code>${escapeHtml(row.identityId)}</code>`,
        `${escapeHtml(row.itemType)} <code>${escapeHtml(row.itemId)}</code>`,
        escapeHtml(row.change),
        badge(row),
        escapeHtml(row.iscState ?? ''),
        `<code>${escapeHtml(row.accessRequestId ?? '')}</code>`,
        escapeHtml(describeCause(row)),
        escapeHtml(row.idempotencyKey ?? ''),
        escapeHtml(row.removeDate ? `${row.removeDate} ${row.removalStatus ?? ''}` : ''),
        decisionList(row),
        `<code>${escapeHtml(row.workflowId)}</code>`,
      ];
      return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('\n');
}

function describeFilter(report: Report): string {
  const { identity } = report;
  if (!identity) return 'every identity';
  if (identity.kind === 'identityId') return `identity ${identity.identityId}`;
  const ids = identity.identityIds.length ? ` (ISC ${identity.identityIds.join(', ')})` : '';
  return `the identity with ref ${identity.ref}${ids}`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #555; margin: 0; }
.chart { position: relative; height: 320px; max-width: 1100px; }
.badge { color: #fff; border-radius: 3px; padding: 0 .35em; font-size: .85em; white-space: nowrap; }
details.identity { border-top: 1px solid #ddd; padding: .35rem 0; }
.strip { display: block; width: 100%; max-width: 1100px; height: 24px; background: #f4f4f4; margin: .35rem 0; }
ol.timeline { margin: .25rem 0 .5rem; padding-left: 1.5rem; }
ul.decisions { margin: .1rem 0; padding-left: 1.1rem; color: #333; }
.cause { color: #555; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { position: sticky; top: 0; background: #fafafa; }
code { font-size: .95em; }
td time { white-space: nowrap; }
#row-filter { margin: .5rem 0; padding: .3rem; width: 24rem; max-width: 100%; }
`;

const INIT = `
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var canvas = document.getElementById('per-day');
  if (canvas) {
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.days,
        datasets: data.series.map(function (s) {
          return { label: s.label, data: s.counts, backgroundColor: s.colour };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  var filter = document.getElementById('row-filter');
  var rows = document.querySelectorAll('#changes tbody tr');
  filter.addEventListener('input', function () {
    var q = filter.value.toLowerCase();
    rows.forEach(function (tr) {
      tr.hidden = q !== '' && tr.textContent.toLowerCase().indexOf(q) < 0;
    });
  });
})();
`;

const HEADINGS = [
  'Requested',
  'Final',
  'Identity',
  'Item',
  'Change',
  'Outcome',
  'ISC state',
  'Access request',
  'Cause',
  'Idempotency key',
  'Removal',
  'Operator decisions',
  'Workflow',
];

export function renderHtml(report: Report, chartLibrary: string = loadChartLibrary()): string {
  const { since, until } = report.period;
  const chart = dailyOutcomes(report.rows);
  const chartSection =
    report.rows.length > 0
      ? `<div class="chart"><canvas id="per-day" role="img" aria-label="Access changes per day, by outcome"></canvas></div>`
      : '<p>No access changes in this period.</p>';
  // The library is inlined verbatim; only a literal closing tag could end its element early.
  const library = chartLibrary.replace(/<\/script/gi, '<\\/script');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>iscflow access changes ${escapeHtml(since ?? '')} to ${escapeHtml(until ?? report.generatedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Access changes</h1>
<p class="meta">From ${escapeHtml(since ?? 'the start of retention')} to ${escapeHtml(until ?? 'now')}, ${escapeHtml(describeFilter(report))}.
Generated ${escapeHtml(report.generatedAt)} from Temporal's records: ${report.rows.length} rows.</p>
<h2>Changes per day, by outcome</h2>
${chartSection}
<h2>Timeline per identity</h2>
${timelines(report)}
<h2>Every change</h2>
<input id="row-filter" type="search" placeholder="Filter rows (any text: an id, an outcome, a reason)" aria-label="Filter rows">
<table id="changes">
<thead><tr>${HEADINGS.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${tableRows(report.rows)}
</tbody>
</table>
<script>${library}</script>
<script id="chart-data" type="application/json">${scriptJson(chart)}</script>
<script>${INIT}</script>
</body>
</html>
`;
}
