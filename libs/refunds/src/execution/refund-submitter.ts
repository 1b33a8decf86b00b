import type { SignerAccount } from '@x402-ledger/evm';
import { keccak256, type Address, type Hash, type Hex } from 'viem';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import type { RefundNetwork } from './refund-networks.port';
import type { RefundTxStore, SignedRefundTx } from './refund-tx.store';

const NONCE_TOO_LOW = /nonce too low|nonce has already been used|nonce.*(is )?too low|OldNonce/i;
const ALREADY_KNOWN = /already known|known transaction|already imported|AlreadyKnown/i;
const MAX_ERROR_MESSAGE = 500;
const ATTEMPTS = 3;

export interface RefundCall {
  to: Address;
  data: Hex;
  gas: bigint;
}

export interface SubmitRefundInput {
  network: RefundNetwork;
  signer: SignerAccount;
  call: RefundCall;
  tx: Pick<SignedRefundTx, 'refundId' | 'paymentId' | 'method' | 'asset' | 'from' | 'to' | 'value'>;
  /** Records `refund.submitted` with this hash; called after the signed bytes are durable, BEFORE the broadcast. */
  recordSubmitted: (hash: Hash) => Promise<void>;
  now: () => Date;
}

/** The node refused the transaction outright (not a transport failure); it was recorded and will never be sent. */
export class RefundBroadcastRejected extends Error {
  constructor(
    readonly hash: Hash,
    message: string,
  ) {
    super(message);
    this.name = 'RefundBroadcastRejected';
  }
}

type Outcome = { kind: 'sent'; hash: Hash } | { kind: 'retry' } | { kind: 'error'; error: unknown };

function errorText(error: unknown): string {
  const e = error as { shortMessage?: string; details?: string; message?: string };
  return String(e?.details ?? e?.shortMessage ?? e?.message ?? error).slice(0, MAX_ERROR_MESSAGE);
}

function isTransportError(error: unknown): boolean {
  let current = error as { name?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current.name === 'HttpRequestError' || current.name === 'TimeoutError' || current.name === 'AbortError') {
      return true;
    }
    current = current.cause as typeof current;
  }
  return false;
}

/**
 * Signs a refund transaction with a signer's locally managed nonce, stores the signed bytes, records its hash on the
 * log (refund.submitted) and only then broadcasts it — so a crash at any point leaves either nothing on the chain, or
 * a hash on the log whose bytes can be replayed (never a transfer the ledger does not know about).
 *
 * "nonce too low" (the signer's nonce moved elsewhere): the recorded transaction can never be mined; a replacement is
 * signed with the next nonce and recorded (refund.submitted again). A definitive refusal by the node throws
 * RefundBroadcastRejected (the caller records refund.failed; the stored bytes are marked discarded).
 */
export async function submitRefundTransaction(store: RefundTxStore, input: SubmitRefundInput): Promise<Hash> {
  const { network, signer, call } = input;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const result = await signer.withNonce<Outcome>(async (nonce) => {
      const fees = await network.chain.estimateFees();
      const raw = await signer.account.signTransaction(
        fees.type === 'eip1559'
          ? {
              type: 'eip1559',
              chainId: network.chainId,
              nonce,
              ...call,
              value: 0n,
              maxFeePerGas: fees.maxFeePerGas,
              maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
            }
          : { type: 'legacy', chainId: network.chainId, nonce, ...call, value: 0n, gasPrice: fees.gasPrice },
      );
      const hash = keccak256(raw);
      await store.save({
        ...input.tx,
        network: network.network,
        signer: signer.address,
        nonce,
        hash,
        raw,
        signedAt: input.now().toISOString(),
        discarded: false,
      });
      try {
        await input.recordSubmitted(hash);
      } catch (error) {
        // Not on the log: never broadcast it, and give its nonce to the next transaction.
        await store.discard(hash);
        return { consumed: false, value: { kind: 'error', error } };
      }
      try {
        await network.chain.sendRawTransaction(raw);
        return { consumed: true, value: { kind: 'sent', hash } };
      } catch (error) {
        const text = errorText(error);
        const known = ALREADY_KNOWN.test(text) || (await network.chain.hasTransaction(hash).catch(() => false));
        if (known || isTransportError(error)) return { consumed: true, value: { kind: 'sent', hash } };
        await store.discard(hash);
        if (NONCE_TOO_LOW.test(text)) {
          signer.resync();
          return { consumed: false, value: { kind: 'retry' } };
        }
        return { consumed: false, value: { kind: 'error', error: new RefundBroadcastRejected(hash, text) } };
      }
    });
    if (result.kind === 'sent') return result.hash;
    if (result.kind === 'error') throw result.error;
  }
  throw new RefundsException(
    RefundsErrorCode.SUBMISSION_FAILED,
    'the signer nonce kept colliding; is the signer key used by another process?',
  );
}
