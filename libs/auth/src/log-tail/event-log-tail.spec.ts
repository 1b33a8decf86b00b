import { sha256Hex, type EventEnvelope } from '@x402-ledger/ledger';
import { InMemoryEventLog } from '../testing/in-memory-event-log';
import { EventLogTail, type TailPhase } from './event-log-tail';

function envelope(n: number): EventEnvelope {
  const streamId = sha256Hex(`s${n}`);
  return {
    id: sha256Hex(`${streamId}|test.event|1`),
    type: 'test.event',
    version: 1,
    streamType: 'system',
    streamId,
    sequence: 1,
    occurredAt: '2026-03-01T00:00:00.000Z',
    recordedAt: '2026-03-01T00:00:00.000Z',
    tenant: 't',
    correlationId: 'c',
    causationId: null,
    producer: 'spec',
    data: { n },
  };
}

describe('EventLogTail', () => {
  it('delivers the history, then what gets appended, each record once and in order', async () => {
    const log = new InMemoryEventLog();
    await log.append([envelope(1), envelope(2), envelope(3)]);
    const sut = new EventLogTail(log, { pollIntervalMs: 5 });
    const seen: [number, TailPhase][] = [];
    sut.addListener((batch, phase) => {
      for (const { envelope: e } of batch) seen.push([e.data['n'] as number, phase]);
    });
    await sut.start();
    expect(sut.ready).toBe(true);
    await log.append([envelope(4)]);
    await sut.catchUp();
    await log.append([envelope(5)]);
    for (let i = 0; i < 100 && seen.length < 5; i++) await new Promise((r) => setTimeout(r, 5));
    await sut.stop();
    expect(seen).toEqual([
      [1, 'history'],
      [2, 'history'],
      [3, 'history'],
      [4, 'live'],
      [5, 'live'],
    ]);
  });
});
