import {
  aimedOutcome,
  classifyIscState,
  ISC_FINAL_STATES,
  ISC_IN_PROGRESS_STATES,
  isRetryableFailureState,
  isSuccess,
  outcomeForFinalState,
} from '../../../src/domain';

describe('classifyIscState', () => {
  it.each([...ISC_FINAL_STATES])('%s is final', (state) => {
    expect(classifyIscState(state)).toBe('FINAL');
  });

  it.each([...ISC_IN_PROGRESS_STATES])('%s is in progress', (state) => {
    expect(classifyIscState(state)).toBe('IN_PROGRESS');
  });

  it('treats unknown states as in progress, so tracking never ends early', () => {
    expect(classifyIscState('PENDING_SOMETHING_NEW')).toBe('IN_PROGRESS');
    expect(classifyIscState('')).toBe('IN_PROGRESS');
    expect(classifyIscState('request_completed')).toBe('IN_PROGRESS');
  });

  it('covers every state of the OpenAPI enum', () => {
    const openApiStates = [
      'EXECUTING',
      'REQUEST_COMPLETED',
      'CANCELLED',
      'TERMINATED',
      'PROVISIONING_VERIFICATION_PENDING',
      'REJECTED',
      'PROVISIONING_FAILED',
      'NOT_ALL_ITEMS_PROVISIONED',
      'ERROR',
    ];
    expect([...ISC_FINAL_STATES, ...ISC_IN_PROGRESS_STATES].sort()).toEqual(openApiStates.sort());
  });
});

describe('outcomeForFinalState', () => {
  it.each([
    ['GRANT_ACCESS', 'REQUEST_COMPLETED', 'GRANTED'],
    ['REVOKE_ACCESS', 'REQUEST_COMPLETED', 'REVOKED'],
    ['GRANT_ACCESS', 'REJECTED', 'REJECTED'],
    ['REVOKE_ACCESS', 'CANCELLED', 'CANCELLED'],
    ['GRANT_ACCESS', 'TERMINATED', 'CANCELLED'],
    ['GRANT_ACCESS', 'PROVISIONING_FAILED', 'FAILED'],
    ['REVOKE_ACCESS', 'NOT_ALL_ITEMS_PROVISIONED', 'FAILED'],
    ['GRANT_ACCESS', 'ERROR', 'FAILED'],
  ] as const)('%s ending %s is %s', (requestType, state, outcome) => {
    expect(outcomeForFinalState(requestType, state)).toBe(outcome);
  });

  it('refuses a state that is not final', () => {
    expect(() => outcomeForFinalState('GRANT_ACCESS', 'EXECUTING')).toThrow(TypeError);
    expect(() => outcomeForFinalState('GRANT_ACCESS', 'SOMETHING_NEW')).toThrow(TypeError);
  });
});

describe('retry and success', () => {
  it('only provisioning failures are retryable', () => {
    expect(ISC_FINAL_STATES.filter(isRetryableFailureState).sort()).toEqual(
      ['ERROR', 'NOT_ALL_ITEMS_PROVISIONED', 'PROVISIONING_FAILED'].sort(),
    );
    expect(isRetryableFailureState('EXECUTING')).toBe(false);
  });

  it('aims for GRANTED or REVOKED and counts ALREADY_SATISFIED as success', () => {
    expect(aimedOutcome('GRANT_ACCESS')).toBe('GRANTED');
    expect(aimedOutcome('REVOKE_ACCESS')).toBe('REVOKED');
    expect(isSuccess('GRANT_ACCESS', 'GRANTED')).toBe(true);
    expect(isSuccess('GRANT_ACCESS', 'REVOKED')).toBe(false);
    expect(isSuccess('REVOKE_ACCESS', 'REVOKED')).toBe(true);
    expect(isSuccess('REVOKE_ACCESS', 'ALREADY_SATISFIED')).toBe(true);
    for (const outcome of ['REJECTED', 'FAILED', 'CANCELLED'] as const) {
      expect(isSuccess('GRANT_ACCESS', outcome)).toBe(false);
    }
  });
});
