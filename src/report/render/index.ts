/** Every format of the report, by name. */
import type { Report, ReportFormat } from '../model';
import { renderCsv } from './csv';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderTable } from './table';

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'table':
      return renderTable(report);
    case 'csv':
      return renderCsv(report);
    case 'json':
      return renderJson(report);
    case 'html':
      return renderHtml(report);
  }
}

export { renderCsv, renderHtml, renderJson, renderTable };
export { csvField } from './csv';
export { dailyOutcomes, type DailyOutcomes } from './html';
