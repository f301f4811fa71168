/**
 * The iscflow CLI (`npx iscflow ...`): start access changes, watch them, and make operator decisions.
 * Exit codes: 0 every item reached what its request aims for, 1 otherwise (or a failed command), 2 bad input.
 * Each command lives in `src/cli/commands/`; what they share with the ingress lives in `src/operations/`.
 * The environment is read once per invocation, in the sections each command asks for (`src/cli/settings.ts`).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { version } from '../package.json';
import { adoptCommand } from './cli/commands/adopt';
import { decisionCommand } from './cli/commands/decide';
import { driftCommand } from './cli/commands/drift';
import { eventCommand } from './cli/commands/event';
import { identityCommand } from './cli/commands/identity';
import { listCommand } from './cli/commands/list';
import { policyCommand } from './cli/commands/policy';
import { removeDateCommand } from './cli/commands/remove-date';
import { reportCommand } from './cli/commands/report';
import { requestCommand } from './cli/commands/request';
import { statusCommand } from './cli/commands/status';
import { askOnTerminal, UsageError, type CliCommand, type Output } from './cli/io';
import { cliSettings } from './cli/settings';
import { ConfigError, type Env } from './config';
import { IdempotencyKeyConflictError } from './operations/access-changes';

const COMMANDS: readonly CliCommand[] = [
  requestCommand,
  statusCommand,
  listCommand,
  decisionCommand('retry'),
  decisionCommand('skip'),
  decisionCommand('cancel'),
  removeDateCommand,
  eventCommand,
  identityCommand,
  policyCommand,
  adoptCommand,
  driftCommand,
  reportCommand,
];

const USAGE = [
  'Usage:',
  ...COMMANDS.map((c) => `  ${c.synopsis.replace(/\n/g, '\n  ')}`),
  '  iscflow --help | --version',
  'TYPE is ROLE, ACCESS_PROFILE or ENTITLEMENT. KEY is an employee number or an ISC identity id.',
  'Every command answers --help (or -h) with its options and what it does.',
].join('\n');

const HELP = ['--help', '-h'];

/** `--help` or `-h` among a command's arguments, before a `--` that ends its options. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => HELP.includes(arg));
}

function isParseArgsError(error: unknown): error is Error {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** What a failed command prints, and its exit code: 2 for bad input (nothing started), 1 otherwise. */
function failed(error: unknown, command: CliCommand, io: Output): number {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof IdempotencyKeyConflictError) {
    io.err(`iscflow: ${error.message}`);
    return 2;
  }
  // By Node's error code, not `instanceof TypeError`: the class differs between realms (vm contexts, jest).
  if (isParseArgsError(error)) {
    io.err(`iscflow: ${error.message}\n${command.usage}`);
    return 2;
  }
  if (error instanceof WorkflowNotFoundError) {
    io.err(`iscflow: no such workflow: ${error.workflowId}`);
    return 1;
  }
  io.err(`iscflow: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

/** Runs one CLI invocation; returns the exit code. Exported for tests. */
export async function runCli(
  argv: string[],
  io: Output = { out: console.log, err: console.error },
  env: Env = process.env,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version') {
    io.out(version);
    return 0;
  }
  if (name !== undefined && HELP.includes(name)) {
    io.out(USAGE);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(name === undefined ? USAGE : `iscflow: unknown command ${name}\n${USAGE}`);
    return 2;
  }
  if (asksForHelp(rest)) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io, cliSettings(env));
  } catch (error) {
    return failed(error, command, io);
  }
}

if (require.main === module) {
  // A person is there to answer only when both ends are a terminal.
  const terminal = process.stdin.isTTY && process.stderr.isTTY;
  const io: Output = { out: console.log, err: console.error, ...(terminal ? { ask: askOnTerminal } : {}) };
  runCli(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
