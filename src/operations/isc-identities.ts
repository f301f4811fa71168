/**
 * Reading ISC's identities a page at a time for `iscflow adopt` and drift sweeps: one search call per page
 * of 250 (attributes and access in the same document), paced to a share of the deployment's ISC budget so
 * that the workers' own calls keep theirs, and each page tried again when ISC answers 429, 5xx or nothing
 * (after its Retry-After, or a growing pause).
 */
import { IscError, type IscClient, type SearchedIdentity } from '../isc';

/** ISC's default filter of the people to read: those whose lifecycle state is active. */
export const ACTIVE_IDENTITIES = 'attributes.cloudLifecycleState:active';
/** A page of identities: ISC's documented collection size. */
export const IDENTITY_PAGE_SIZE = 250;
/** A read takes this share of the ISC budget: access changes still get the rest. */
const BUDGET_SHARE = 1 / 3;
const ATTEMPTS = 6;

export interface IdentityReadOptions {
  query: string;
  /** ISC calls per 10 s the whole deployment stays under (`ISCFLOW_ISC_CALLS_PER_10S`). */
  budgetPer10s: number;
  /** Told after every call to ISC (a page, or an attempt that failed). */
  onCall?: () => void;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every identity `query` selects, a page at a time, in id order. Rejects with the `IscError` of a page that kept failing. */
export async function* identityPages(isc: IscClient, options: IdentityReadOptions): AsyncGenerator<SearchedIdentity[]> {
  const sleep = options.sleep ?? wait;
  const gapMs = 10_000 / Math.max(1, options.budgetPer10s * BUDGET_SHARE);
  let after: string | undefined;
  let lastCallAt = -Infinity;
  for (;;) {
    for (let attempt = 1; ; attempt++) {
      const due = lastCallAt + gapMs - Date.now();
      if (due > 0) await sleep(due);
      lastCallAt = Date.now();
      try {
        const page = await isc.searchIdentities({
          query: options.query,
          limit: IDENTITY_PAGE_SIZE,
          ...(after ? { after } : {}),
        });
        options.onCall?.();
        yield page.identities;
        if (!page.next) return;
        after = page.next;
        break;
      } catch (error) {
        options.onCall?.();
        if (!(error instanceof IscError) || !error.retryable || attempt >= ATTEMPTS) throw error;
        await sleep(error.retryAfterMs ?? 1000 * 2 ** attempt);
      }
    }
  }
}
