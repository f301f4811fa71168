/**
 * Workflow time. Inside Temporal's sandbox `Date` is replaced by the deterministic time of the current
 * workflow task, so reading it here is replay-safe; this is the one place workflow code may touch it,
 * which keeps the lint ban on `Date` meaningful everywhere else.
 */
import { condition } from '@temporalio/workflow';

// eslint-disable-next-line no-restricted-globals -- the sandbox's deterministic Date, see above
const SandboxDate = Date;

/** Now, as an ISO string, in workflow time. */
export function workflowNow(): string {
  return new SandboxDate(SandboxDate.now()).toISOString();
}

/** Milliseconds from now (workflow time) until an ISO instant; negative when it has passed. */
export function msUntil(iso: string): number {
  return SandboxDate.parse(iso) - SandboxDate.now();
}

/** Waits for `predicate`, at most `seconds` (null = forever). Resolves true when the predicate held. */
export async function waitFor(predicate: () => boolean, seconds: number | null): Promise<boolean> {
  if (seconds === null) {
    await condition(predicate);
    return true;
  }
  return condition(predicate, seconds * 1000);
}

/** Now, as epoch milliseconds, in workflow time. */
export function nowMs(): number {
  return SandboxDate.now();
}

/** An ISO instant as epoch milliseconds (NaN when it is not one). Pure. */
export function epochMs(iso: string): number {
  return SandboxDate.parse(iso);
}

/** Epoch milliseconds as an ISO instant. Pure. */
export function isoAt(ms: number): string {
  return new SandboxDate(ms).toISOString();
}
