/**
 * ISC's documented limit: N requests per window per client id and API version. A fixed window keyed
 * on the simulator clock; the answer says how many whole seconds remain (Retry-After).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** Counts the call; returns 0 when allowed, else the Retry-After seconds. */
  take(key: string, now: number, limit: { requests: number; windowSeconds: number }): number {
    const windowMs = limit.windowSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= limit.requests) return Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    window.count++;
    return 0;
  }

  reset(): void {
    this.windows.clear();
  }
}
