import type { ChainReceipt } from '@x402-ledger/evm';
import { getAddress, pad, toEventSelector, type Hex } from 'viem';

const TRANSFER_TOPIC = toEventSelector('Transfer(address,address,uint256)');

export type RefundReceiptVerdict = { status: 'succeeded'; blockNumber: bigint } | { status: 'failed'; reason: string };

/**
 * Judges a mined refund transaction: success needs status 1 AND a Transfer(from, to, value) log of the asset (`from`
 * null = any sender, for a transaction this process did not sign).
 */
export function judgeRefundReceipt(
  receipt: ChainReceipt,
  expected: { asset: string; from: string | null; to: string; value: string },
): RefundReceiptVerdict {
  if (receipt.status !== 'success') return { status: 'failed', reason: 'refund transaction reverted' };
  const from = expected.from === null ? null : pad(getAddress(expected.from)).toLowerCase();
  const to = pad(getAddress(expected.to)).toLowerCase();
  const value = pad(`0x${BigInt(expected.value).toString(16)}` as Hex).toLowerCase();
  const found = receipt.logs.some(
    (l) =>
      l.address.toLowerCase() === expected.asset.toLowerCase() &&
      l.topics[0]?.toLowerCase() === TRANSFER_TOPIC &&
      (from === null || l.topics[1]?.toLowerCase() === from) &&
      l.topics[2]?.toLowerCase() === to &&
      l.data.toLowerCase() === value,
  );
  return found
    ? { status: 'succeeded', blockNumber: receipt.blockNumber }
    : { status: 'failed', reason: 'refund transaction has no matching Transfer log' };
}
