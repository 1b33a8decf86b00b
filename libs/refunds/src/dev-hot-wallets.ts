import type { DevChain } from '@x402-ledger/evm';
import type { RefundsOptionsInput } from './refunds.options';

/**
 * Dev chain only: each dev provider's own wallet pays its refunds as a hot wallet (1,000 tokens per refund, 10,000 a
 * day), so `executeRefund` works out of the box in dev mode; larger refunds wait for a provider-signed authorization.
 */
export function devChainHotWallets(chain: Pick<DevChain, 'network' | 'providers'>): RefundsOptionsInput['hotWallets'] {
  return chain.providers.map((p) => ({
    network: chain.network,
    key: p.privateKey,
    perRefundLimit: '1000000000',
    perDayLimit: '10000000000',
  }));
}
