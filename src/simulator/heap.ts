/**
 * A binary min-heap of scheduled transitions ordered by due time, then by insertion order so events
 * due at the same instant run in the order they were scheduled (determinism).
 */
export interface Scheduled<T> {
  at: number;
  seq: number;
  value: T;
}

export class MinHeap<T> {
  private readonly items: Scheduled<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, value: T): void {
    this.items.push({ at, seq: this.seq++, value });
    this.up(this.items.length - 1);
  }

  peek(): Scheduled<T> | undefined {
    return this.items[0];
  }

  pop(): Scheduled<T> | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Every scheduled entry (heap order, not sorted) and the next insertion number: enough to rebuild it. */
  snapshot(): { entries: Scheduled<T>[]; nextSeq: number } {
    return { entries: [...this.items], nextSeq: this.seq };
  }

  /** Rebuilds from a snapshot; entries keep their insertion numbers so ties still run in scheduling order. */
  restore(entries: Scheduled<T>[], nextSeq: number): void {
    this.items.length = 0;
    for (const entry of entries) {
      this.items.push(entry);
      this.up(this.items.length - 1);
    }
    this.seq = nextSeq;
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return false;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return;
    this.items[a] = y;
    this.items[b] = x;
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.items.length && this.less(left, smallest)) smallest = left;
      if (right < this.items.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
