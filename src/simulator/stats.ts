/**
 * Per-route call counters for GET /__sim/stats: `{ "<METHOD> <route>": { "<status>": count } }`, and the
 * most API calls seen in any window of ISC's rate limit (what a client must keep under 100 per 10 s).
 */
export class CallStats {
  private calls: Record<string, Record<string, number>> = {};
  private apiCallTimes: number[] = [];

  record(method: string, route: string, status: number | string, apiCallAt?: number): void {
    const key = `${method} ${route}`;
    const byStatus = (this.calls[key] ??= {});
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
    if (apiCallAt !== undefined) this.apiCallTimes.push(apiCallAt);
  }

  /** The most API calls in any sliding window of `windowMs` (two pointers over the sorted call times). */
  maxCallsIn(windowMs: number): number {
    const times = [...this.apiCallTimes].sort((a, b) => a - b);
    let best = 0;
    for (let start = 0, end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  snapshot(): { calls: Record<string, Record<string, number>>; apiCalls: number; maxCallsIn10s: number } {
    return {
      calls: structuredClone(this.calls),
      apiCalls: this.apiCallTimes.length,
      maxCallsIn10s: this.maxCallsIn(10_000),
    };
  }

  reset(): void {
    this.calls = {};
    this.apiCallTimes = [];
  }
}
