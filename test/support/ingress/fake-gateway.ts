/**
 * An in-memory gateway for the ingress tests: records events, deduplicates by source and id, answers
 * standings, and can be switched to "Temporal unavailable".
 */
import { eventKey, type HrEvent } from '../../../src/domain';
import {
  eventLocation,
  type EventAcceptance,
  type EventDelivery,
  type EventStanding,
  type LifecycleGateway,
  TemporalUnavailableError,
} from '../../../src/ingress';

export interface SendCall {
  event: HrEvent;
  delivery: EventDelivery;
}

export class FakeGateway implements LifecycleGateway {
  /** Every call to send, recorded or not (an unavailable gateway still sees the call). */
  readonly sendCalls: SendCall[] = [];
  /** Events recorded, by `source/id`, in the order first seen. */
  readonly recorded = new Map<string, SendCall>();
  readonly hints: string[][] = [];
  readonly standingCalls: string[] = [];
  unavailable = false;
  /** Makes hintAccessRequests fail, to show a hint is best effort. */
  failHints = false;

  async send(event: HrEvent, delivery: EventDelivery): Promise<EventAcceptance> {
    this.sendCalls.push({ event, delivery });
    if (this.unavailable) throw new TemporalUnavailableError('fake Temporal is down');
    const key = eventKey(event);
    const status = this.recorded.has(key) ? 'duplicate' : 'accepted';
    if (status === 'accepted') this.recorded.set(key, { event, delivery });
    return { status, source: event.source, id: event.id, location: eventLocation(event.source, event.id) };
  }

  async standing(source: string, id: string): Promise<EventStanding | undefined> {
    this.standingCalls.push(`${source}/${id}`);
    if (this.unavailable) throw new TemporalUnavailableError('fake Temporal is down');
    return this.recorded.has(`${source}/${id}`) ? { source, id, state: 'received' } : undefined;
  }

  async hintAccessRequests(accessRequestIds: string[]): Promise<void> {
    if (this.failHints) throw new TemporalUnavailableError('fake Temporal is down');
    this.hints.push(accessRequestIds);
  }

  async ready(): Promise<boolean> {
    return !this.unavailable;
  }
}
