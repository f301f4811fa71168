/**
 * The HTML report in a real browser: opened from a file with the network closed by its own policy, it
 * loads without a console error, draws the chart of changes per day (Chart.js, inlined) and a timeline per
 * identity, and its filter box narrows the table. The rows come from real recorded histories.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { changeRows, compareRows, renderHtml, type Report } from '../../src/report';
import { withBrowser } from '../support/browser';
import { loadRun, REPLAY_HISTORIES, REPORT_HISTORIES } from '../support/report-histories';

interface ChartProbe {
  width: number;
  labels: number;
  /** Each dataset's label and how many rows it counts. */
  datasets: Array<[string, number]>;
  /** Pixels of the canvas that are not transparent. */
  painted: number;
}

/**
 * Runs in the page (as text: this project's compiler knows no DOM): what Chart.js drew on the canvas and
 * what data it holds.
 */
const CHART_PROBE = `(() => {
  const canvas = document.querySelector('canvas#per-day');
  const chart = canvas && window.Chart && window.Chart.getChart(canvas);
  if (!chart) return { width: 0, labels: 0, datasets: [], painted: 0 };
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  return {
    width: canvas.width,
    labels: chart.data.labels.length,
    datasets: chart.data.datasets.map((d) => [d.label, d.data.reduce((a, b) => a + b, 0)]),
    painted,
  };
})()`;

async function recordedReport(): Promise<Report> {
  const live = { phase: 'AWAITING_OPERATOR', items: [] };
  const runs = [
    { name: 'grant-retried-then-skipped', dir: REPORT_HISTORIES, live: null },
    { name: 'grant-awaiting-operator', dir: REPORT_HISTORIES, live },
    { name: 'grant-terminated', dir: REPORT_HISTORIES, live: null },
    { name: 'revoke-completed', dir: REPORT_HISTORIES, live: null },
    { name: 'grant-exact-removal-extended', dir: REPLAY_HISTORIES, live: null },
    { name: 'grant-30-day-approval', dir: REPLAY_HISTORIES, live: null },
  ];
  const rows = [];
  for (const { name, dir, live: status } of runs) {
    rows.push(...changeRows({ workflowId: `iscflow-${name}`, runs: [await loadRun(dir, name)], live: status }));
  }
  return {
    period: { since: null, until: null },
    generatedAt: '2027-06-30T00:00:00.000Z',
    identity: null,
    rows: rows.sort(compareRows),
  };
}

describe('the HTML report in headless Chromium', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iscflow-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads with no console error, draws the chart and the timelines, and filters the table', async () => {
    const report = await recordedReport();
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(report));
    const requests: string[] = [];

    await withBrowser('html report', async ({ page, step, consoleErrors }) => {
      page.on('request', (request) => requests.push(request.url()));
      await step('open the report', () => page.goto(pathToFileURL(file).href));

      const chart = await step('read the chart', () => page.evaluate<ChartProbe>(CHART_PROBE));
      expect(chart.width).toBeGreaterThan(0);
      expect(chart.painted).toBeGreaterThan(1000);
      expect(chart.datasets).toEqual(
        expect.arrayContaining([
          ['GRANTED', 2],
          ['REVOKED', 1],
          ['FAILED', 1],
          ['WORKFLOW_TERMINATED', 1],
          ['running', 1],
        ]),
      );
      // One bar per day from the first request (2026-11-22) to the last (2026-12-26), quiet days included.
      expect(chart.labels).toBe(35);

      const identities = new Set(report.rows.map((r) => r.identityId));
      expect(await page.locator('details.identity').count()).toBe(identities.size);
      expect(await page.locator('svg.strip circle').count()).toBe(report.rows.length);
      expect(await page.locator('#changes tbody tr').count()).toBe(report.rows.length);

      await step('filter the table', () => page.getByRole('searchbox', { name: 'Filter rows' }).fill('maintenance'));
      const shown = await page.locator('#changes tbody tr:visible').allInnerTexts();
      expect(shown).toEqual([expect.stringContaining('skip by 17453@vm: connector under maintenance')]);

      expect(consoleErrors).toEqual([]);
    });
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
  });
});
