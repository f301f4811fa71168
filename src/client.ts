/**
 * The iscflow CLI (`npx iscflow ...`): start access changes, watch them, and make operator decisions.
 * Exit codes: 0 every item reached what its request aims for, 1 otherwise (or a failed command), 2 bad input.
 * Each command lives in `src/cli/commands/`; what they share with the ingress lives in `src/operations/`.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { decisionCommand } from './cli/commands/decide';
import { eventCommand } from './cli/commands/event';
import { identityCommand } from './cli/commands/identity';
import { policyCommand } from './cli/commands/policy';
import { listCommand } from './cli/commands/list';
import { removeDateCommand } from './cli/commands/remove-date';
import { reportCommand } from './cli/commands/report';
import { requestCommand } from './cli/commands/request';
import { statusCommand } from './cli/commands/status';
import { UsageError, type Env, type Output } from './cli/io';
import { ConfigError } from './config';
import { IdempotencyKeyConflictError } from './operations/access-changes';

const USAGE = `Usage:
  iscflow request --for ID [--for ID ...] (--grant TYPE:ID ... | --revoke TYPE:ID) [--remove-date ISO]
                  [--start-date ISO] [--comment TEXT] [--removal isc|exact] [--idempotency-key KEY]
                  [--wait] [--json]
  iscflow status WORKFLOW_ID [--json]
  iscflow list [--identity ID] [--state STATE] [--json]
  iscflow retry WORKFLOW_ID [--reason TEXT]
  iscflow skip WORKFLOW_ID --reason TEXT
  iscflow cancel WORKFLOW_ID --reason TEXT      (a request stuck in ISC: cancel before approval, close after)
  iscflow remove-date WORKFLOW_ID (ISO|none) [--identity ID] [--item ID]
  iscflow event FILE|- [--json]                 (HR events: a JSON object or array, NDJSON, or CSV)
  iscflow identity show KEY [--json] | identity list [--state S] [--json] | identity ref KEY
  iscflow policy check [FILE] | policy plan [FILE] [--json] | policy apply [FILE] --yes
  iscflow report [--since ISO] [--until ISO] [--identity KEY] [--format table|csv|json|html] [--out FILE]
TYPE is ROLE, ACCESS_PROFILE or ENTITLEMENT. KEY is an employee number or an ISC identity id.`;

function isParseArgsError(error: unknown): error is Error {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function dispatch(command: string | undefined, rest: string[], io: Output, env: Env): Promise<number> | undefined {
  switch (command) {
    case 'request':
      return requestCommand(rest, io, env);
    case 'status':
      return statusCommand(rest, io, env);
    case 'list':
      return listCommand(rest, io, env);
    case 'retry':
    case 'skip':
    case 'cancel':
      return decisionCommand(command, rest, io, env);
    case 'remove-date':
      return removeDateCommand(rest, io, env);
    case 'event':
      return eventCommand(rest, io, env);
    case 'identity':
      return identityCommand(rest, io, env);
    case 'policy':
      return policyCommand(rest, io, env);
    case 'report':
      return reportCommand(rest, io, env);
    default:
      return undefined;
  }
}

/** Runs one CLI invocation; returns the exit code. Exported for tests. */
export async function runCli(
  argv: string[],
  io: Output = { out: console.log, err: console.error },
  env: Env = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const running = dispatch(command, rest, io, env);
    if (!running) {
      io.err(USAGE);
      return 2;
    }
    return await running;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof IdempotencyKeyConflictError) {
      io.err(`iscflow: ${error.message}`);
      return 2;
    }
    // By Node's error code, not `instanceof TypeError`: the class differs between realms (vm contexts, jest).
    if (isParseArgsError(error)) {
      io.err(`iscflow: ${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof WorkflowNotFoundError) {
      io.err(`iscflow: no such workflow: ${error.workflowId}`);
      return 1;
    }
    io.err(`iscflow: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
