/** The formats: CSV columns and RFC 4180 quoting, the JSON shape, the terminal table, the HTML page. */
import {
  csvField,
  dailyOutcomes,
  renderCsv,
  renderHtml,
  renderJson,
  renderTable,
  REPORT_COLUMNS,
  type Report,
} from '../../../src/report';
import { row } from '../../support/report-histories';

/** A strict RFC 4180 reader: what a spreadsheet or `csv` module would make of the text. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted) {
      field += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (c === '\n') {
      throw new Error(`bare LF at ${i}: records end with CRLF`);
    } else {
      field += c;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record not terminated');
  return records;
}

const SKIP = {
  at: '2026-03-03T08:00:00.000Z',
  decision: 'skip' as const,
  reason: 'connector down, "known", see INC-7\nsecond line',
  by: '4242@ops-host',
};

function report(
  rows = [row()],
  period = { since: '2026-03-01T00:00:00.000Z', until: '2026-04-01T00:00:00.000Z' },
): Report {
  return { period, generatedAt: '2026-04-01T00:00:01.000Z', identity: null, rows };
}

describe('CSV', () => {
  it('has the documented columns in order, one record per row, CRLF line ends', () => {
    const text = renderCsv(
      report([row(), row({ identityId: 'e'.repeat(32), status: 'running', outcome: 'TRACKING', finalAt: null })]),
    );
    const [header, first, second, ...rest] = parseCsv(text);

    expect(header).toEqual(REPORT_COLUMNS.map(([name]) => name));
    expect(header).toEqual([
      'requestedAt',
      'finalAt',
      'status',
      'identityId',
      'itemType',
      'itemId',
      'change',
      'outcome',
      'iscState',
      'accessRequestId',
      'cause',
      'causeRef',
      'idempotencyKey',
      'removeDate',
      'removalStatus',
      'decisions',
      'workflowId',
      'runId',
    ]);
    expect(rest).toEqual([]);
    const record = (values: string[] | undefined): Record<string, string> =>
      Object.fromEntries(header!.map((h, i) => [h, values![i]!]));
    expect(record(first)).toMatchObject({
      requestedAt: '2026-03-02T09:00:00.000Z',
      finalAt: '2026-03-02T09:00:05.000Z',
      status: 'final',
      outcome: 'GRANTED',
      cause: 'hr-event',
      causeRef: 'workday/EVT-1',
      idempotencyKey: '',
      decisions: '',
    });
    expect(record(second)).toMatchObject({ status: 'running', outcome: 'TRACKING', finalAt: '' });
  });

  it('quotes commas, quotes and line breaks, and keeps decisions one per line in their field', () => {
    const retry = { ...SKIP, decision: 'retry' as const, reason: null, by: null, at: '2026-03-02T10:00:00.000Z' };
    const text = renderCsv(report([row({ decisions: [retry, SKIP] })]));
    const [header, values] = parseCsv(text);
    const decisions = values![header!.indexOf('decisions')];

    expect(decisions).toBe(
      '2026-03-02T10:00:00.000Z retry: (no reason given)\n' +
        '2026-03-03T08:00:00.000Z skip by 4242@ops-host: connector down, "known", see INC-7\nsecond line',
    );
    expect(text).toContain('"2026-03-02T10:00:00.000Z retry: (no reason given)\n2026-03-03T08:00:00.000Z skip');
    expect(text).toContain('""known""');
  });

  it('writes a field a spreadsheet would run as a formula with a leading apostrophe', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('plain, text')).toBe('"plain, text"');
    expect(csvField('2026-03-02T09:00:00.000Z')).toBe('2026-03-02T09:00:00.000Z');
  });

  it('is the header alone when the period had no changes', () => {
    expect(parseCsv(renderCsv(report([])))).toHaveLength(1);
  });
});

describe('JSON', () => {
  it('is an object with the period and the rows, each with the documented keys in column order', () => {
    const parsed = JSON.parse(renderJson(report([row({ decisions: [SKIP] })]))) as {
      period: unknown;
      generatedAt: string;
      identity: unknown;
      rowCount: number;
      rows: Array<Record<string, unknown>>;
    };
    expect(parsed.period).toEqual({ since: '2026-03-01T00:00:00.000Z', until: '2026-04-01T00:00:00.000Z' });
    expect(parsed.generatedAt).toBe('2026-04-01T00:00:01.000Z');
    expect(parsed.identity).toBeNull();
    expect(parsed.rowCount).toBe(1);
    expect(Object.keys(parsed.rows[0]!)).toEqual(REPORT_COLUMNS.map(([name]) => name));
    expect(parsed.rows[0]).toMatchObject({ finalAt: '2026-03-02T09:00:05.000Z', removeDate: null, decisions: [SKIP] });
  });
});

describe('table', () => {
  it('shows one line per row, running outcomes marked, decisions under their row, and the totals', () => {
    const text = renderTable(
      report([
        row({ decisions: [SKIP] }),
        row({ identityId: 'e'.repeat(32), status: 'running', outcome: 'AWAITING_OPERATOR', finalAt: null }),
      ]),
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REQUESTED\s+FINAL\s+IDENTITY\s+ITEM\s+CHANGE\s+OUTCOME\s+ACCESS REQUEST\s+CAUSE$/);
    expect(lines[1]).toContain(
      `2026-03-02T09:00:00Z  2026-03-02T09:00:05Z  ${'a'.repeat(32)}  ENTITLEMENT:${'b'.repeat(32)}`,
    );
    expect(lines[1]).toContain('hr-event workday/EVT-1');
    expect(lines[2]).toBe(`    2026-03-03T08:00:00.000Z skip by 4242@ops-host: ${SKIP.reason}`.split('\n')[0]);
    expect(text).toContain('AWAITING_OPERATOR (running)');
    expect(lines[lines.length - 1]).toBe(
      '2 rows from 1 changes (1 rows still running); changes from 2026-03-01T00:00:00.000Z to 2026-04-01T00:00:00.000Z',
    );
  });
});

describe('HTML', () => {
  const LIBRARY = 'window.Chart = function () {}; /* </script> inside the library */';

  it('inlines the chart library and loads nothing from elsewhere', () => {
    const html = renderHtml(report(), LIBRARY);
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
    expect(html).toContain('window.Chart = function () {}; /* <\\/script> inside the library */');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });

  it('escapes what operators and callers wrote', () => {
    const html = renderHtml(
      report([
        row({ causeRef: '<img src=x onerror=alert(1)>', decisions: [{ ...SKIP, reason: '</script><b>x</b>' }] }),
      ]),
      LIBRARY,
    );
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;');
  });

  it('has a timeline per identity and every row in the table', () => {
    const html = renderHtml(
      report([
        row(),
        row({ identityId: 'e'.repeat(32), outcome: 'REJECTED' }),
        row({ outcome: 'REVOKED', change: 'revoke' }),
      ]),
      LIBRARY,
    );
    expect(html.match(/<details class="identity"/g)).toHaveLength(2);
    expect(html).toContain(`<code>${'a'.repeat(32)}</code>: 2 changes (1 GRANTED, 1 REVOKED)`);
    expect(html.match(/<tr><td>/g)).toHaveLength(3);
  });

  it('says so when the period had no changes', () => {
    const html = renderHtml(report([]), LIBRARY);
    expect(html).toContain('No access changes in this period.');
    expect(html).not.toContain('<canvas');
  });
});

describe('changes per day', () => {
  it('counts rows per UTC day of request and outcome, running ones together, quiet days included', () => {
    const chart = dailyOutcomes([
      row({ requestedAt: '2026-03-01T23:59:59.000Z', outcome: 'GRANTED' }),
      row({ requestedAt: '2026-03-01T08:00:00.000Z', outcome: 'FAILED' }),
      row({ requestedAt: '2026-03-03T08:00:00.000Z', outcome: 'GRANTED' }),
      row({ requestedAt: '2026-03-03T09:00:00.000Z', outcome: 'TRACKING', status: 'running' }),
      row({ requestedAt: '2026-03-03T10:00:00.000Z', outcome: 'AWAITING_OPERATOR', status: 'running' }),
    ]);
    expect(chart.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(chart.series.map((s) => [s.label, s.counts])).toEqual([
      ['GRANTED', [1, 0, 1]],
      ['FAILED', [1, 0, 0]],
      ['running', [0, 0, 2]],
    ]);
  });
});
