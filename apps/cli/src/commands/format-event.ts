import type { LoggedEvent } from '@x402-ledger/event-log';

/** One line per event: position, time, type, stream@sequence, tenant, and the money fields when present. */
export function formatEvent({ envelope: e, position }: LoggedEvent): string {
  const d = e.data as Record<string, unknown>;
  const money = ['amount', 'spend', 'budget']
    .map((k) => (typeof d[k] === 'string' ? `${k}=${d[k]}` : ''))
    .filter(Boolean);
  const extra = ['txHash', 'reason', 'payer', 'payTo']
    .map((k) => (typeof d[k] === 'string' ? `${k}=${d[k]}` : ''))
    .filter(Boolean);
  return [
    `${position.partition}:${position.offset}`.padEnd(10),
    e.occurredAt,
    e.type.padEnd(30),
    `${e.streamId.slice(0, 16)}…@${e.sequence}`,
    `tenant=${e.tenant}`,
    ...money,
    ...extra,
  ].join('  ');
}
