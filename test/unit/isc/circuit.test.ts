/**
 * The circuit on its own, over an injected clock: when it opens, that it lets one probe through at a time
 * while the others are refused with a wait that follows the probes, how the probes back off, when it
 * escalates, and what its listener hears.
 */
import { type AvailabilityChange, createCircuit, type CircuitOptions } from '../../../src/isc/circuit';

function circuitAt(options: CircuitOptions = {}) {
  const clock = { now: 1_000_000 };
  const changes: AvailabilityChange[] = [];
  const circuit = createCircuit({
    now: () => clock.now,
    random: () => 0,
    onChange: (change) => changes.push(change),
    ...options,
  });
  /** Sends one call and settles it as answered or not; returns what the circuit said first. */
  const call = (answered: boolean) => {
    const admission = circuit.admit();
    if (admission.kind === 'send') circuit.settle(admission, answered);
    return admission;
  };
  return { circuit, clock, changes, call };
}

describe('the ISC circuit', () => {
  it('lets every call through while ISC answers, whatever the answer, and tells of ISC up once', () => {
    const { circuit, changes, call } = circuitAt();
    for (let n = 0; n < 20; n++) expect(call(true)).toEqual({ kind: 'send', probe: false });
    // Four outage failures in a row are under the threshold; an answer in between starts the count again.
    for (let n = 0; n < 4; n++) call(false);
    call(true);
    for (let n = 0; n < 4; n++) call(false);
    expect(circuit.admit()).toEqual({ kind: 'send', probe: false });
    expect(circuit.outage()).toBeUndefined();
    expect(changes).toEqual([{ up: true }]);
  });

  it('opens after five failures in a row, then lets one probe through at a time and refuses the rest', () => {
    const { circuit, clock, changes, call } = circuitAt();
    for (let n = 0; n < 5; n++) {
      call(false);
      clock.now += 100;
    }
    expect(changes).toEqual([{ up: false, downSince: 1_000_000 }]);
    // Refused until the first probe is due (1 s after opening), with the time to it.
    expect(circuit.admit()).toEqual({ kind: 'refuse', retryAfterMs: 900, downForMs: 500, escalate: false });
    clock.now += 900;
    const probe = circuit.admit();
    expect(probe).toEqual({ kind: 'send', probe: true });
    // While the probe is out, nobody else goes; they are told to come back an interval later.
    expect(circuit.admit()).toMatchObject({ kind: 'refuse', retryAfterMs: 1_000 });
    expect(circuit.admit()).toMatchObject({ kind: 'refuse' });
    circuit.settle(probe as { probe: boolean }, true);
    expect(circuit.admit()).toEqual({ kind: 'send', probe: false });
    expect(changes).toEqual([
      { up: false, downSince: 1_000_000 },
      { up: true, downSince: 1_000_000 },
    ]);
  });

  it('doubles the wait after each failed probe, up to the cap, and ignores late failures of calls sent before', () => {
    const { circuit, clock, call } = circuitAt({ maxProbeIntervalMs: 4_000 });
    const late = circuit.admit();
    for (let n = 0; n < 5; n++) call(false);
    const probeTimes: number[] = [];
    for (let t = 0; t < 20_000; t += 100) {
      clock.now += 100;
      const admission = circuit.admit();
      if (admission.kind === 'send') {
        expect(admission.probe).toBe(true);
        probeTimes.push(t + 100);
        circuit.settle(admission, false);
      }
    }
    expect(probeTimes).toEqual([1_000, 3_000, 7_000, 11_000, 15_000, 19_000]);
    // A call that went before the circuit opened and fails now changes nothing.
    circuit.settle(late as { probe: boolean }, false);
    expect(circuit.admit()).toMatchObject({ kind: 'refuse', retryAfterMs: 3_000 });
  });

  it('spreads the refused calls over one interval past the next probe', () => {
    let draw = 0.5;
    const { circuit, call } = circuitAt({ random: () => draw });
    for (let n = 0; n < 5; n++) call(false);
    expect(circuit.admit()).toMatchObject({ retryAfterMs: 1_500 });
    draw = 0.999;
    expect(circuit.admit()).toMatchObject({ retryAfterMs: 1_999 });
  });

  it('escalates refusals once ISC has been down, since the first failure, for the setting', () => {
    const { circuit, clock, call } = circuitAt({ escalateAfterMs: 60_000 });
    call(false);
    clock.now += 10_000;
    for (let n = 0; n < 4; n++) call(false);
    clock.now += 49_000;
    expect(circuit.outage()).toMatchObject({ downForMs: 59_000, escalate: false });
    clock.now += 1_000;
    const refused = circuit.admit();
    // The probe is due, so this one goes; the next is refused, escalated.
    expect(refused).toEqual({ kind: 'send', probe: true });
    expect(circuit.admit()).toMatchObject({ kind: 'refuse', downForMs: 60_000, escalate: true });
    circuit.settle(refused as { probe: boolean }, true);
    expect(circuit.outage()).toBeUndefined();
  });

  it('never escalates without the setting', () => {
    const { circuit, clock, call } = circuitAt();
    for (let n = 0; n < 5; n++) call(false);
    clock.now += 30 * 24 * 3600 * 1000;
    expect(circuit.outage()).toMatchObject({ escalate: false });
  });
});
