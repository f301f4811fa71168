import { MinHeap } from '../../../src/simulator/heap';
import {
  checkFilter,
  evaluateFilter,
  type FieldTable,
  parseFilter,
  pinnedValues,
} from '../../../src/simulator/filters';
import { mulberry32, RandomStreams } from '../../../src/simulator/prng';

describe('simulator building blocks', () => {
  it('pops scheduled transitions in time order, ties in insertion order', () => {
    const heap = new MinHeap<string>();
    [
      [5, 'e'],
      [1, 'a'],
      [3, 'c'],
      [1, 'b'],
      [4, 'd'],
    ].forEach(([at, v]) => heap.push(Number(at), String(v)));
    const out: string[] = [];
    for (let next = heap.pop(); next; next = heap.pop()) out.push(next.value);
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('draws reproducible, independent streams', () => {
    expect([mulberry32(7)(), mulberry32(7)()]).toEqual([mulberry32(7)(), mulberry32(7)()]);
    const a = new RandomStreams(5);
    const b = new RandomStreams(5);
    b.next('faults');
    expect(a.hexId()).toBe(b.hexId());
    expect(a.hexId()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('restores a heap from its snapshot, ties still in scheduling order', () => {
    const heap = new MinHeap<string>();
    heap.push(2, 'b1');
    heap.push(1, 'a');
    heap.push(2, 'b2');
    const { entries, nextSeq } = heap.snapshot();
    const copy = new MinHeap<string>();
    copy.restore([...entries].reverse(), nextSeq);
    copy.push(2, 'b3');
    const out: string[] = [];
    for (let next = copy.pop(); next; next = copy.pop()) out.push(next.value);
    expect(out).toEqual(['a', 'b1', 'b2', 'b3']);
  });

  it('puts random streams back where a snapshot left them, and counts draws', () => {
    const a = new RandomStreams(9);
    a.hexId();
    a.next('approval');
    const saved = a.snapshot();
    const expected = [a.hexId(), a.next('approval'), a.next('identities')];
    const b = new RandomStreams(9);
    const before = b.draws;
    b.restore(saved);
    expect([b.hexId(), b.next('approval'), b.next('identities')]).toEqual(expected);
    expect(b.draws).toBeGreaterThan(before);
    // A stream that was never drawn from stays at its seeded start.
    expect(new RandomStreams(9).next('faults')).toBe(b.next('faults'));
  });

  it('parses the collection filter grammar', () => {
    type Row = { id: string; when: string };
    const fields: FieldTable<Row> = {
      id: { ops: new Set(['eq', 'in', 'sw', 'ne']), kind: 'string', get: (r) => r.id },
      when: { ops: new Set(['gt', 'lt']), kind: 'date', get: (r) => r.when },
    };
    const row = { id: 'ab"c', when: '2026-01-02T00:00:00Z' };
    const node = parseFilter('not (id eq "x" or id in ("y", "z")) and id eq "ab\\"c" and when gt 2026-01-01T00:00:00Z');
    checkFilter(node, fields);
    expect(evaluateFilter(node, fields, row)).toBe(true);
    expect(pinnedValues(parseFilter('id in ("a","b") and when lt 2030-01-01'), 'id')).toEqual(['a', 'b']);
    expect(pinnedValues(parseFilter('id eq "a" or id eq "b"'), 'id')).toBeUndefined();
    expect(() => parseFilter('id eq "open')).toThrow(/unterminated/);
    expect(() => parseFilter('(id eq "a"')).toThrow(/parenthesis/);
    expect(() => checkFilter(parseFilter('id gt "a"'), fields)).toThrow(/operator gt/);
  });
});
