import { EvmReason } from '@x402-ledger/protocol';
import { eip3009ABI } from '@x402/evm';
import {
  encodeFunctionData,
  getAddress,
  keccak256,
  pad,
  toEventSelector,
  type Address,
  type Hash,
  type Hex,
} from 'viem';
import type { GasLimits } from '../../networks/network.config';
import type { ChainReceipt, EvmChain } from '../chain/evm-chain.port';
import type { Eip3009Facts } from '../eip3009/eip3009.verifier';
import type { SignerAccount, SignerPool } from './signer-pool';
import { RECORDED_ONLY_RAW, type SignedSettlementTx, type SignedTxStore } from './signed-tx.store';

const TRANSFER_TOPIC = toEventSelector('Transfer(address,address,uint256)');
const NONCE_TOO_LOW = /nonce too low|nonce has already been used|nonce.*(is )?too low|OldNonce/i;
const ALREADY_KNOWN = /already known|known transaction|already imported|AlreadyKnown/i;
const MAX_ERROR_MESSAGE = 500;

/** The token movement a settlement transaction must produce (checked against the receipt's Transfer log). */
export interface SettlementTransfer {
  asset: Address;
  from: Address;
  to: Address;
  value: bigint;
}

export interface SettlerConfig {
  chainId: number;
  gasLimits: GasLimits;
  confirmations: number;
  receiptPollMs: number;
}

export type SubmitResult =
  | { ok: true; tx: SignedSettlementTx; submittedAt: string }
  | { ok: false; reason: string; message: string; txHash: Hash | null };

export type SettlementOutcome =
  | {
      status: 'settled';
      txHash: Hash;
      signer: Address;
      blockNumber: bigint;
      blockTimestamp: string;
      logIndex: number;
      gasUsed: bigint;
      effectiveGasPrice: bigint;
    }
  | { status: 'failed'; txHash: Hash | null; reason: string; message: string | null }
  | { status: 'pending'; txHash: Hash };

/** The SDK's parseEip3009TransferError: maps a revert/broadcast error text to its reason code. */
export function reasonFromTransferError(message: string): string {
  if (/authorization.*(expired|valid before)/i.test(message) || /AuthorizationExpired/i.test(message)) {
    return EvmReason.ValidBeforeExpired;
  }
  if (/authorization.*not.*valid|AuthorizationNotYetValid/i.test(message)) return EvmReason.ValidAfterInFuture;
  if (/authorization.*used|AuthorizationAlreadyUsed|AuthorizationUsedOrCanceled/i.test(message)) {
    return EvmReason.NonceAlreadyUsed;
  }
  if (/transfer.*exceeds.*balance|insufficient.*balance|ERC20InsufficientBalance/i.test(message)) {
    return EvmReason.InsufficientBalance;
  }
  if (/invalid.*signature|SignerMismatch|InvalidSignatureV|InvalidSignatureS/i.test(message)) {
    return EvmReason.InvalidSignature;
  }
  return EvmReason.TransactionFailed;
}

function errorText(error: unknown): string {
  const e = error as { shortMessage?: string; details?: string; message?: string };
  return String(e?.details ?? e?.shortMessage ?? e?.message ?? error).slice(0, MAX_ERROR_MESSAGE);
}

/** A transport failure (timeout, connection refused): the node may or may not have the transaction. */
function isTransportError(error: unknown): boolean {
  let current = error as { name?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current.name === 'HttpRequestError' || current.name === 'TimeoutError' || current.name === 'AbortError')
      return true;
    current = current.cause as typeof current;
  }
  return false;
}

/**
 * Settles verified EIP-3009 authorizations on one chain: signs `transferWithAuthorization` locally with a pooled
 * facilitator account and a locally managed nonce, persists the signed transaction BEFORE broadcasting it (so a
 * crash can always be finished by replaying the very same transaction, never by signing a second one), broadcasts,
 * and reads the outcome from the receipt (status + the token's Transfer log).
 */
export class Eip3009Settler {
  constructor(
    private readonly chain: EvmChain,
    readonly signers: SignerPool,
    private readonly store: SignedTxStore,
    private readonly config: SettlerConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Signs, persists and broadcasts the settlement (after an ERC-6492 deployment when the wallet has no code). */
  async submit(
    paymentId: string,
    facts: Eip3009Facts,
    context: SignedSettlementTx['context'] = {},
  ): Promise<SubmitResult> {
    const signer = this.signers.next();
    if (facts.deployment) {
      const deployed = await this.broadcast(signer, paymentId, facts, context, 'deployment', {
        to: facts.deployment.factory,
        data: facts.deployment.data,
        gas: this.config.gasLimits.deployment,
      });
      if (!deployed.ok) return { ...deployed, reason: EvmReason.SmartWalletDeploymentFailed };
      const outcome = await this.awaitReceipt(deployed.tx, Date.now() + 60_000);
      if (!outcome || outcome.status !== 'success') {
        return {
          ok: false,
          reason: EvmReason.SmartWalletDeploymentFailed,
          message: outcome ? 'deployment transaction reverted' : 'deployment receipt not found in time',
          txHash: null,
        };
      }
    }
    return this.broadcast(signer, paymentId, facts, context, 'transfer', {
      to: facts.asset,
      data: transferCalldata(facts),
      gas: this.config.gasLimits.transferWithAuthorization,
    });
  }

  private broadcast(
    signer: SignerAccount,
    paymentId: string,
    facts: Eip3009Facts,
    context: SignedSettlementTx['context'],
    kind: SignedSettlementTx['kind'],
    call: { to: Address; data: Hex; gas: bigint },
  ): Promise<SubmitResult> {
    return this.broadcastCall(signer, paymentId, facts, context, kind, call, reasonFromTransferError);
  }

  /**
   * Signs `call` with `signer` at its next nonce, persists the signed transaction (with the transfer it must produce)
   * BEFORE broadcasting it, then broadcasts. `reasonOf` maps a rejected broadcast's error text to a reason code.
   * Shared by every asset transfer method (EIP-3009 here, Permit2 in Permit2Settler).
   */
  async broadcastCall(
    signer: SignerAccount,
    paymentId: string,
    transfer: SettlementTransfer,
    context: SignedSettlementTx['context'],
    kind: SignedSettlementTx['kind'],
    call: { to: Address; data: Hex; gas: bigint },
    reasonOf: (message: string) => string,
  ): Promise<SubmitResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await signer.withNonce<SubmitResult | 'retry'>(async (nonce) => {
        const fees = await this.chain.estimateFees();
        const raw = await signer.account.signTransaction(
          fees.type === 'eip1559'
            ? {
                type: 'eip1559',
                chainId: this.config.chainId,
                nonce,
                ...call,
                value: 0n,
                maxFeePerGas: fees.maxFeePerGas,
                maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
              }
            : { type: 'legacy', chainId: this.config.chainId, nonce, ...call, value: 0n, gasPrice: fees.gasPrice },
        );
        const tx: SignedSettlementTx = {
          paymentId,
          network: this.chain.network,
          kind,
          signer: signer.address,
          nonce,
          hash: keccak256(raw),
          raw,
          asset: transfer.asset,
          from: transfer.from,
          to: transfer.to,
          value: transfer.value.toString(),
          signedAt: this.now().toISOString(),
          context,
        };
        await this.store.save(tx);
        try {
          await this.chain.sendRawTransaction(raw);
          return { consumed: true, value: { ok: true, tx, submittedAt: this.now().toISOString() } };
        } catch (error) {
          const text = errorText(error);
          const known = ALREADY_KNOWN.test(text) || (await this.chain.hasTransaction(tx.hash).catch(() => false));
          // Unknown fate (transport failure): keep the nonce; awaitOutcome rebroadcasts the same bytes if needed.
          if (known || isTransportError(error)) {
            return { consumed: true, value: { ok: true, tx, submittedAt: this.now().toISOString() } };
          }
          if (NONCE_TOO_LOW.test(text)) {
            signer.resync();
            return { consumed: false, value: 'retry' };
          }
          return {
            consumed: false,
            value: { ok: false, reason: reasonOf(text), message: text, txHash: null },
          };
        }
      });
      if (result !== 'retry') return result;
    }
    return {
      ok: false,
      reason: EvmReason.InvalidTransactionState,
      message: 'nonce kept colliding; is the signer key used elsewhere?',
      txHash: null,
    };
  }

  /**
   * Waits (until `deadline`, epoch ms) for the transaction's receipt and the configured confirmations, replaying the
   * signed bytes if the node has lost it, then judges it: success needs status 1 AND a Transfer(from, to, value) log
   * of the asset. Returns `pending` when the deadline passes first.
   */
  async awaitOutcome(tx: SignedSettlementTx, deadline: number): Promise<SettlementOutcome> {
    const receipt = await this.awaitReceipt(tx, deadline);
    if (!receipt) return { status: 'pending', txHash: tx.hash };
    if (receipt.status !== 'success') {
      return {
        status: 'failed',
        txHash: tx.hash,
        reason: EvmReason.TransactionFailed,
        message: 'transaction reverted',
      };
    }
    const log = findTransferLog(receipt, tx);
    if (!log) {
      return {
        status: 'failed',
        txHash: tx.hash,
        reason: EvmReason.TransferEventMismatch,
        message: 'no matching Transfer log',
      };
    }
    const timestamp = await this.chain.getBlockTimestamp(receipt.blockNumber);
    return {
      status: 'settled',
      txHash: tx.hash,
      signer: getAddress(receipt.from),
      blockNumber: receipt.blockNumber,
      blockTimestamp: new Date(Number(timestamp) * 1000).toISOString(),
      logIndex: log.logIndex,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
    };
  }

  private async awaitReceipt(tx: SignedSettlementTx, deadline: number): Promise<ChainReceipt | null> {
    let polls = 0;
    for (;;) {
      const receipt = await this.chain.getTransactionReceipt(tx.hash).catch(() => null);
      if (receipt) {
        if (this.config.confirmations <= 1) return receipt;
        const head = await this.chain.getBlockNumber().catch(() => 0n);
        if (head >= receipt.blockNumber + BigInt(this.config.confirmations - 1)) {
          // Re-read: a reorg may have moved or dropped it.
          const again = await this.chain.getTransactionReceipt(tx.hash).catch(() => null);
          if (again && again.blockNumber === receipt.blockNumber) return again;
        }
      } else if (++polls % 20 === 0) {
        await this.replayIfLost(tx);
      }
      if (Date.now() + this.config.receiptPollMs > deadline) return null;
      await new Promise((r) => setTimeout(r, this.config.receiptPollMs));
    }
  }

  /** Rebroadcasts the persisted bytes when the node no longer knows the transaction (same hash, never a new one). */
  async replayIfLost(tx: SignedSettlementTx): Promise<void> {
    if (tx.raw === RECORDED_ONLY_RAW) return; // known by its recorded hash only: no bytes to send
    const known = await this.chain.hasTransaction(tx.hash).catch(() => true);
    if (!known) await this.chain.sendRawTransaction(tx.raw).catch(() => undefined);
  }
}

export function transferCalldata(facts: Eip3009Facts): Hex {
  const base = [facts.from, facts.to, facts.value, facts.validAfter, facts.validBefore, facts.nonce!] as const;
  const sig = facts.settlementSignature;
  return sig.mode === 'vrs'
    ? encodeFunctionData({
        abi: eip3009ABI,
        functionName: 'transferWithAuthorization',
        args: [...base, sig.v, sig.r, sig.s],
      })
    : encodeFunctionData({
        abi: eip3009ABI,
        functionName: 'transferWithAuthorization',
        args: [...base, sig.signature],
      });
}

function findTransferLog(receipt: ChainReceipt, tx: SignedSettlementTx): { logIndex: number } | null {
  const from = pad(getAddress(tx.from)).toLowerCase();
  const to = pad(getAddress(tx.to)).toLowerCase();
  const value = pad(`0x${BigInt(tx.value).toString(16)}` as Hex).toLowerCase();
  const log = receipt.logs.find(
    (l) =>
      l.address.toLowerCase() === tx.asset.toLowerCase() &&
      l.topics[0]?.toLowerCase() === TRANSFER_TOPIC &&
      l.topics[1]?.toLowerCase() === from &&
      l.topics[2]?.toLowerCase() === to &&
      l.data.toLowerCase() === value,
  );
  return log ? { logIndex: log.logIndex } : null;
}
