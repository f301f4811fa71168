/** Per-route call counters for GET /__sim/stats: `{ "<METHOD> <route>": { "<status>": count } }`. */
export class CallStats {
  private calls: Record<string, Record<string, number>> = {};

  record(method: string, route: string, status: number | string): void {
    const key = `${method} ${route}`;
    const byStatus = (this.calls[key] ??= {});
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  }

  snapshot(): { calls: Record<string, Record<string, number>> } {
    return { calls: structuredClone(this.calls) };
  }

  reset(): void {
    this.calls = {};
  }
}
