import { createHash } from 'node:crypto';
import type { EventEnvelope } from '@x402-ledger/ledger';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A realistic `payment.settled`-shaped envelope for tests and benchmarks of the log (the log does not interpret
 * `data`). The id follows the project rule: sha256(`${streamId}|${type}|${sequence}`).
 */
export function sampleEnvelope(streamKey: string, sequence: number, type = 'payment.settled'): EventEnvelope {
  const streamId = sha256(`stream:${streamKey}`);
  const at = new Date(Date.UTC(2025, 0, 1) + sequence * 1000).toISOString();
  return {
    id: sha256(`${streamId}|${type}|${sequence}`),
    type,
    version: 1,
    streamType: 'payment',
    streamId,
    sequence,
    occurredAt: at,
    recordedAt: at,
    tenant: 'tenant-1',
    correlationId: `corr-${streamKey}-${sequence}`,
    causationId: null,
    producer: 'event-log-test',
    data: {
      paymentId: streamId,
      scheme: 'exact',
      network: 'eip155:84532',
      asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      amount: String(1000 + sequence),
      payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
      payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
      resourceUrl: 'https://api.example.com/premium',
      txHash: `0x${sha256(`tx:${streamId}:${sequence}`)}`,
      blockNumber: String(1_000_000 + sequence),
      blockTimestamp: at,
      logIndex: sequence % 7,
      gasUsed: '52000',
      effectiveGasPrice: '1000000000',
      signer: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
    },
  };
}
