/**
 * The audit report (`iscflow report`): every access change of a period, one row per (identity, item),
 * read from Temporal's visibility and histories and rendered as a table, CSV, JSON or an HTML page.
 * The pure parts (history to rows, rendering) are apart from the part that reads Temporal (`read.ts`).
 */
export * from './model';
export { readChangeRun, readLiveItems, UnreadableHistoryError, type ChangeRun, type ChangeInput } from './history';
export { chainRuns, changeRows, compareRows, type Change, type LiveStatus } from './rows';
export { identityKeyInput, lifecycleQuery, reportQuery, rowMatches, type IdentityKeyInput } from './query';
export { readReport, mapBounded, type ReadReportOptions } from './read';
export { renderReport, renderCsv, renderHtml, renderJson, renderTable, csvField, dailyOutcomes } from './render';
