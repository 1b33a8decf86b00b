import { TEST_USDC_ABI, type DevAccount, type DevChain } from '@x402-ledger/evm';
import {
  Clock,
  evolvePayment,
  initialPaymentState,
  paymentId as derivePaymentId,
  refundId as deriveRefundId,
  type EventEnvelope,
  type PaymentCommand,
} from '@x402-ledger/ledger';
import { authorizationTypes } from '@x402/evm';
import { getAddress, parseEventLogs, parseSignature, toHex, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { buildEnvelopes } from '../../../libs/refunds/src/testing/payment-stream.fixture';

class WallClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A settlement made on the dev chain, and the facts the facilitator would record for it (not yet on any log). */
export interface ChainSettlement {
  paymentId: string;
  payer: Address;
  payTo: Address;
  amount: bigint;
  txHash: Hex;
  logIndex: number;
  /** The facilitator's commands for it: RecordVerified, RecordSettled. */
  commands: PaymentCommand[];
  /** payment.verified + payment.settled, built with the ledger's decide + EventFactory. */
  facts: EventEnvelope[];
}

/**
 * Pays on the dev chain the way the facilitator settles: the buyer signs an EIP-3009 authorization to payTo and
 * facilitator signer #0 submits transferWithAuthorization. Returns the ledger facts for it, so a test chooses whether
 * the ledger learns about the payment.
 */
export async function settleOnChain(
  dev: DevChain,
  input: { buyer: DevAccount; payTo: DevAccount; amount: bigint; tenant: string; resourceUrl?: string },
): Promise<ChainSettlement> {
  const buyer = privateKeyToAccount(input.buyer.privateKey);
  const payTo = getAddress(input.payTo.address);
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const validBefore = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const signature = await buyer.signTypedData({
    types: authorizationTypes,
    primaryType: 'TransferWithAuthorization',
    domain: {
      name: dev.token.name,
      version: dev.token.version,
      chainId: dev.chainId,
      verifyingContract: dev.token.address,
    },
    message: { from: buyer.address, to: payTo, value: input.amount, validAfter: 0n, validBefore, nonce },
  });
  const { v, r, s } = parseSignature(signature);
  const facilitator = dev.walletClientFor(dev.facilitatorSigners[0]!);
  const txHash = await facilitator.writeContract({
    address: dev.token.address,
    abi: TEST_USDC_ABI,
    functionName: 'transferWithAuthorization',
    args: [buyer.address, payTo, input.amount, 0n, validBefore, nonce, Number(v), r, s],
  });
  const receipt = await dev.publicClient.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== 'success') throw new Error('test payment reverted');
  const transfer = parseEventLogs({ abi: TEST_USDC_ABI, logs: receipt.logs, eventName: 'Transfer' })[0];
  if (!transfer) throw new Error('no Transfer log in the settlement');
  const block = await dev.publicClient.getBlock({ blockNumber: receipt.blockNumber });
  const paymentId = derivePaymentId({ network: dev.network, asset: dev.token.address, payer: buyer.address, nonce });
  const common = {
    paymentId,
    scheme: 'exact',
    network: dev.network,
    asset: dev.token.address,
    amount: input.amount.toString(),
    payer: buyer.address,
    payTo,
    resourceUrl: input.resourceUrl ?? 'http://127.0.0.1:4021/weather',
  };
  const commands: PaymentCommand[] = [
    {
      type: 'RecordVerified',
      data: {
        ...common,
        nonce,
        validAfter: '0',
        validBefore: validBefore.toString(),
        x402Version: 2,
        assetTransferMethod: 'eip3009',
        signatureKind: 'eoa',
      },
    },
    {
      type: 'RecordSettled',
      data: {
        ...common,
        txHash,
        blockNumber: receipt.blockNumber.toString(),
        blockTimestamp: new Date(Number(block.timestamp) * 1000).toISOString(),
        logIndex: transfer.logIndex,
        gasUsed: receipt.gasUsed.toString(),
        effectiveGasPrice: receipt.effectiveGasPrice.toString(),
        signer: getAddress(dev.facilitatorSigners[0]!.address),
      },
    },
  ];
  const facts = buildFacts(paymentId, input.tenant, commands);
  return {
    paymentId,
    payer: buyer.address,
    payTo,
    amount: input.amount,
    txHash,
    logIndex: transfer.logIndex,
    commands,
    facts,
  };
}

/** The facilitator's write path, minimal: decide → EventFactory (envelopes for one fresh payment stream). */
export function buildFacts(
  paymentId: string,
  tenant: string,
  commands: PaymentCommand[],
  prior: readonly EventEnvelope[] = [],
): EventEnvelope[] {
  const from = prior.reduce(evolvePayment, initialPaymentState());
  const meta = { correlationId: `test:${paymentId}`, producer: 'facilitator-test' };
  return buildEnvelopes(new WallClock(), tenant, paymentId, commands, from, meta).envelopes;
}

/**
 * Facts of a settlement the chain never saw: a copy of `of`'s payment.settled data for another payment (new nonce,
 * hence new id) with a transaction hash that does not exist, in the same block.
 */
export function phantomSettlement(
  of: ChainSettlement,
  tenant: string,
): { paymentId: string; txHash: Hex; facts: EventEnvelope[] } {
  const settled = of.facts.find((e) => e.type === 'payment.settled')!;
  const verified = of.facts.find((e) => e.type === 'payment.verified')!;
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const data = settled.data as Record<string, unknown>;
  const paymentId = derivePaymentId({
    network: String(data.network),
    asset: String(data.asset),
    payer: String(data.payer),
    nonce,
  });
  const txHash = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const facts = buildFacts(paymentId, tenant, [
    { type: 'RecordVerified', data: { ...(verified.data as Record<string, unknown>), paymentId, nonce } },
    { type: 'RecordSettled', data: { ...data, paymentId, txHash } },
  ] as PaymentCommand[]);
  return { paymentId, txHash, facts };
}

/**
 * Facts of a refund of `payment` paid by `transfer` (an on-chain payTo → payer transfer submitted by a facilitator
 * signer, as the 'authorization' refund method does): requested → approved → submitted → succeeded.
 */
export function refundFacts(payment: ChainSettlement, transfer: ChainSettlement, blockNumber: bigint, tenant: string) {
  const idempotencyKey = `refund-${transfer.txHash.slice(2, 10)}`;
  const refundId = deriveRefundId({ paymentId: payment.paymentId, idempotencyKey });
  const amount = transfer.amount.toString();
  return buildFacts(
    payment.paymentId,
    tenant,
    [
      {
        type: 'RequestRefund',
        data: {
          refundId,
          paymentId: payment.paymentId,
          amount,
          reason: 'requested_by_customer',
          requestedBy: 'provider',
          idempotencyKey,
        },
      },
      { type: 'ApproveRefund', data: { refundId, approvedBy: 'provider' } },
      { type: 'SubmitRefund', data: { refundId, txHash: transfer.txHash, method: 'authorization' } },
      {
        type: 'RecordRefundSucceeded',
        data: { refundId, txHash: transfer.txHash, blockNumber: blockNumber.toString(), amount },
      },
    ],
    payment.facts,
  );
}
