/**
 * A Temporal `MetricMeter` that keeps what it is given in memory, for tests of the instruments: which
 * metrics were created (name, kind, help) and every value with its tags.
 */
import type {
  MetricCounter,
  MetricGauge,
  MetricHistogram,
  MetricMeter,
  MetricTags,
  NumericMetricValueType,
} from '@temporalio/common';

export interface Recorded {
  name: string;
  kind: 'counter' | 'histogram' | 'gauge';
  value: number;
  tags: MetricTags;
}

export class RecordingMeter implements MetricMeter {
  readonly created = new Map<string, { kind: string; description?: string; valueType: NumericMetricValueType }>();
  readonly records: Recorded[] = [];

  private create(name: string, kind: Recorded['kind'], valueType: NumericMetricValueType, description?: string) {
    const known = this.created.get(name);
    if (known && known.kind !== kind) throw new Error(`${name} created as ${known.kind} and as ${kind}`);
    this.created.set(name, { kind, valueType, ...(description ? { description } : {}) });
    const record = (value: number, tags: MetricTags = {}) => this.records.push({ name, kind, value, tags });
    return { name, description, valueType, record };
  }

  createCounter(name: string, _unit?: string, description?: string): MetricCounter {
    const { record, ...metric } = this.create(name, 'counter', 'int', description);
    const counter: MetricCounter = {
      ...metric,
      kind: 'counter',
      valueType: 'int',
      add: (value, tags) => record(value, tags),
      withTags: () => counter,
    };
    return counter;
  }

  createHistogram(
    name: string,
    valueType: NumericMetricValueType = 'int',
    _unit?: string,
    description?: string,
  ): MetricHistogram {
    const { record, ...metric } = this.create(name, 'histogram', valueType, description);
    const histogram: MetricHistogram = { ...metric, kind: 'histogram', record, withTags: () => histogram };
    return histogram;
  }

  createGauge(
    name: string,
    valueType: NumericMetricValueType = 'int',
    _unit?: string,
    description?: string,
  ): MetricGauge {
    const { record, ...metric } = this.create(name, 'gauge', valueType, description);
    const gauge: MetricGauge = {
      ...metric,
      kind: 'gauge',
      set: (value, tags) => record(value, tags),
      withTags: () => gauge,
    };
    return gauge;
  }

  withTags(): MetricMeter {
    return this;
  }

  /** The sum of a counter's values (or the last of a gauge's) whose tags include `tags`. */
  total(name: string, tags: MetricTags = {}): number {
    const matching = this.records.filter(
      (r) => r.name === name && Object.entries(tags).every(([k, v]) => r.tags[k] === v),
    );
    if (matching[0]?.kind === 'gauge') return matching.at(-1)?.value ?? 0;
    return matching.reduce((sum, r) => sum + r.value, 0);
  }
}
