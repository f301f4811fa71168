/**
 * `iscflow report`: every access change of a period, one row per (identity, item), as a table for the
 * terminal, CSV, JSON or a self-contained HTML page; to standard output unless `--out FILE`.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { identityKeyInput, readReport, renderReport, REPORT_FORMATS } from '../../report';
import { commandUsage, UsageError, withTemporal, type CliCommand } from '../io';

const isoSchema = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2026-01-01T00:00:00Z' })
  .transform((v) => new Date(v).toISOString());

const argsSchema = z
  .object({
    since: isoSchema.optional(),
    until: isoSchema.optional(),
    identity: z.string().trim().min(1, 'must name an ISC identity id or an employee number').optional(),
    format: z.enum(REPORT_FORMATS, { error: `must be ${REPORT_FORMATS.join(', ')}` }).default('table'),
    out: z.string().min(1).optional(),
  })
  .refine((a) => !a.since || !a.until || a.since < a.until, { message: '--since must be before --until' });

function parseReportArgs(argv: string[]): z.infer<typeof argsSchema> {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      identity: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.path.length ? `--${i.path.join('.')}: ${i.message}` : i.message,
    );
    throw new UsageError(`report: ${problems.join('; ')}`);
  }
  return parsed.data;
}

const SYNOPSIS =
  'iscflow report [--since ISO] [--until ISO] [--identity KEY] [--format table|csv|json|html] [--out FILE]';

export const reportCommand: CliCommand = {
  name: 'report',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    SYNOPSIS,
    `Every access change of a period, one row per (identity, item), as a table for the terminal, CSV, JSON
or a self-contained HTML page; to standard output unless --out FILE.`,
    [
      ['--since ISO', 'changes still running or closed at or after this time (e.g. 2026-01-01T00:00:00Z)'],
      ['--until ISO', 'changes requested before this time'],
      ['--identity KEY', "only this identity's changes: an ISC identity id or an employee number"],
      ['--format FORMAT', `${REPORT_FORMATS.join(', ')} (default table)`],
      ['--out FILE', 'write the report to FILE'],
    ],
  ),
  async run(argv, io, settings) {
    const args = parseReportArgs(argv);
    // Only an employee number needs the pseudonym secret; an ISC id is looked up as it is.
    const identity = args.identity ? identityKeyInput(args.identity) : undefined;
    const byEmployeeNumber = identity?.kind === 'employeeNumber';
    const { temporal } = settings.read('temporal', ...(byEmployeeNumber ? (['identities'] as const) : []));
    const pseudonymKey = byEmployeeNumber ? settings.read('identities').identities.pseudonymKey : '';
    return withTemporal(temporal, async ({ client }) => {
      const report = await readReport(client, {
        period: { since: args.since ?? null, until: args.until ?? null },
        pseudonymKey,
        ...(identity ? { identity } : {}),
      });
      const text = renderReport(report, args.format);
      if (args.out) {
        writeFileSync(args.out, text);
        io.out(`${report.rows.length} rows written to ${args.out}`);
      } else {
        io.out(text.replace(/\r?\n$/, ''));
      }
      return 0;
    });
  },
};
