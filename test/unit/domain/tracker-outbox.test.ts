/**
 * The tracker's outbox is merged per change before delivery: signals of one delivery go out side by side,
 * and the wave bench caught a change hearing "EXECUTING" after "GRANTED" for the same item and waiting
 * for ever.
 */
import { mergeByWorkflow } from '../../../src/workflows/status-tracker/workflow';

const observation = (iscState: string, outcome?: 'GRANTED') => ({
  requestKey: 'k',
  chain: 'c',
  items: [
    {
      identityId: 'i',
      itemType: 'ENTITLEMENT' as const,
      itemId: 'e',
      iscState,
      errorMessages: [],
      ...(outcome ? { outcome } : {}),
    },
  ],
});

describe('mergeByWorkflow', () => {
  it('gives each change one entry, its answers and observations in the order they arose', () => {
    const merged = mergeByWorkflow([
      { workflowId: 'a', news: { observations: [observation('EXECUTING')] } },
      { workflowId: 'b', news: { answers: [{ ticket: 't1', failure: ['no'] }] } },
      { workflowId: 'a', news: { observations: [observation('REQUEST_COMPLETED', 'GRANTED')] } },
      { workflowId: 'a', news: { answers: [{ ticket: 't2', failure: ['no'] }] } },
    ]);
    expect(merged.map((m) => m.workflowId)).toEqual(['a', 'b']);
    expect(merged[0]?.news.observations?.map((o) => o.items[0]?.iscState)).toEqual(['EXECUTING', 'REQUEST_COMPLETED']);
    expect(merged[0]?.news.answers?.map((a) => a.ticket)).toEqual(['t2']);
    expect(merged[1]?.news).toEqual({ answers: [{ ticket: 't1', failure: ['no'] }] });
  });
});
