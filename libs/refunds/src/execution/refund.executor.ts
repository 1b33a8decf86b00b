import { Inject, Injectable, Logger } from '@nestjs/common';
import { SignerAccount, type SignerPool } from '@x402-ledger/evm';
import { Clock, LedgerErrorCode, LedgerException, type PaymentState, type RefundEntity } from '@x402-ledger/ledger';
import { encodeFunctionData, erc20Abi, getAddress, type Address, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { WorkflowIndexService } from '../index/workflow-index.service';
import type { IndexedRefund } from '../index/workflow-index';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import { REFUNDS_OPTIONS, type HotWalletConfig, type RefundsOptions } from '../refunds.options';
import { InProcessPaymentLocks } from '../streams/folded-payment-streams';
import { PaymentCommandBus, type CommandMeta, type PaymentStreamHandle } from '../streams/payment-command.bus';
import {
  RefundAuthorizationVerifier,
  refundAuthorizationCalldata,
  type RefundAuthorization,
} from './refund-authorization';
import { RefundNetworks, type RefundNetwork } from './refund-networks.port';
import { judgeRefundReceipt } from './refund-receipt';
import { RefundBroadcastRejected, submitRefundTransaction, type RefundCall } from './refund-submitter';
import { RefundTxStore } from './refund-tx.store';

const NONCE_TOO_LOW = /nonce too low|nonce has already been used|nonce.*(is )?too low|OldNonce/i;
/** Gas limit of an ERC-20 transfer from a hot wallet (a USDC transfer uses ~35-60k). */
const ERC20_TRANSFER_GAS = 120_000n;

interface HotWallet {
  config: HotWalletConfig;
  /** One account per hot wallet (created on first use with the network's chain). */
  account: SignerAccount | null;
}

/** Why a refund waits instead of being executed by a hot wallet (reported once per refund). */
export type HotWalletSkip = 'per_refund_limit' | 'per_day_limit';

/**
 * Executes approved refunds on chain and tracks them to confirmation.
 *
 * - `executeWithAuthorization`: a provider-signed EIP-3009 authorization (payTo → payer, the refund amount) is
 *   verified and submitted by one of the facilitator's signers (the provider pays no gas).
 * - `runHotWallets`: approved refunds of a payTo that has a configured hot wallet are sent as ERC-20 `transfer`s,
 *   within its per-refund and per-UTC-day limits; the day's total is counted from the ledger's refund facts.
 * - `reconcileSubmitted`: every submitted refund's transaction is followed to its receipt (rebroadcasting the stored
 *   bytes if a node lost it) and the outcome recorded: refund.succeeded, or refund.failed (the ledger's postings
 *   release the held amount back to revenue).
 */
@Injectable()
export class RefundExecutor {
  private readonly logger = new Logger(RefundExecutor.name);
  private readonly verifier: RefundAuthorizationVerifier;
  private readonly hotWallets = new Map<string, HotWallet>();
  private readonly walletLocks = new InProcessPaymentLocks();
  private readonly skipped = new Map<string, HotWalletSkip>();

  constructor(
    private readonly bus: PaymentCommandBus,
    private readonly indexService: WorkflowIndexService,
    private readonly networks: RefundNetworks,
    private readonly txStore: RefundTxStore,
    private readonly clock: Clock,
    @Inject(REFUNDS_OPTIONS) private readonly options: RefundsOptions,
  ) {
    this.verifier = new RefundAuthorizationVerifier(options.authorizationMaxValiditySeconds);
    for (const config of options.hotWallets) {
      this.hotWallets.set(walletKey(config.network, config.payTo), { config, account: null });
    }
  }

  /** Refunds a hot wallet left for manual execution, and why. */
  skippedByHotWallet(): ReadonlyMap<string, HotWalletSkip> {
    return this.skipped;
  }

  /** Verifies the authorization and submits it (idempotent: a refund already submitted returns its transaction). */
  async executeWithAuthorization(
    paymentId: string,
    refundId: string,
    authorization: RefundAuthorization,
    meta: CommandMeta,
  ): Promise<Hash> {
    return this.bus.withPayment(paymentId, async (stream) => {
      const refund = refundOf(stream.state, refundId);
      if (refund.status === 'submitted' || refund.status === 'succeeded') {
        return refund.submittedTxHashes.at(-1) as Hash;
      }
      assertApproved(refund);
      const payment = stream.state.payment!;
      const network = this.network(payment.network);
      const facts = await this.verifier.verify(
        network,
        {
          refundId,
          network: payment.network,
          asset: payment.asset,
          payTo: payment.payTo,
          payer: payment.payer!,
          amount: refund.amount,
        },
        authorization,
        Math.floor(this.clock.now().getTime() / 1000),
      );
      const signer = nextSigner(network.signers);
      return this.submit(stream, network, signer, refund, {
        method: 'authorization',
        from: getAddress(payment.payTo),
        call: {
          to: getAddress(payment.asset),
          data: refundAuthorizationCalldata(facts),
          gas: network.gasLimits.transferWithAuthorization,
        },
        meta,
      });
    });
  }

  /** Executes every approved refund a configured hot wallet may pay now. Returns the refund ids submitted. */
  async runHotWallets(): Promise<string[]> {
    if (this.hotWallets.size === 0) return [];
    const index = this.indexService.current();
    const submitted: string[] = [];
    for (const refund of index.refundsWithStatus('approved')) {
      const payment = index.payment(refund.paymentId);
      if (!payment) continue;
      const wallet = this.hotWallets.get(walletKey(payment.network, payment.payTo));
      if (!wallet) continue;
      try {
        const done = await this.walletLocks.run(wallet.config.address, () => this.executeWithHotWallet(refund, wallet));
        if (done) submitted.push(refund.refundId);
      } catch (error) {
        this.logger.warn(`hot wallet refund ${refund.refundId} failed: ${(error as Error).message}`);
      }
    }
    return submitted;
  }

  /**
   * Executes one approved refund with its payTo's hot wallet now (the API's executeRefund without an authorization).
   * HOT_WALLET_UNAVAILABLE when no wallet is configured for the payTo or the limits do not allow it.
   */
  async executeWithHotWalletNow(refundId: string): Promise<void> {
    const index = this.indexService.current();
    const refund = index.refund(refundId);
    const payment = refund && index.payment(refund.paymentId);
    if (!refund || !payment) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `refund ${refundId} not found`);
    // The refund's own state decides first (a requested or terminal refund is refused as such, wallet or not).
    const state = this.bus.peek(refund.paymentId)?.refunds[refundId];
    const status = state?.status ?? refund.status;
    if (status === 'submitted' || status === 'succeeded') return;
    if (state) assertApproved(state);
    const wallet = this.hotWallets.get(walletKey(payment.network, payment.payTo));
    if (!wallet) {
      throw new RefundsException(
        RefundsErrorCode.HOT_WALLET_UNAVAILABLE,
        `no hot wallet pays refunds of ${payment.payTo} on ${payment.network}: execute it with a provider-signed authorization`,
      );
    }
    const done = await this.walletLocks.run(wallet.config.address, () => this.executeWithHotWallet(refund, wallet));
    if (!done) {
      const why = this.skipped.get(refundId);
      if (why) {
        throw new RefundsException(
          RefundsErrorCode.HOT_WALLET_UNAVAILABLE,
          `the hot wallet's ${why.replace(/_/g, ' ')} does not allow refund ${refundId}: execute it with a provider-signed authorization`,
        );
      }
      const current = this.bus.peek(refund.paymentId)?.refunds[refundId];
      if (current) assertApproved(current);
    }
  }

  private async executeWithHotWallet(refund: IndexedRefund, wallet: HotWallet): Promise<boolean> {
    const { config } = wallet;
    const amount = BigInt(refund.amount);
    if (amount > config.perRefundLimit) return this.skip(refund.refundId, 'per_refund_limit');
    // The day's total from the ledger's facts (refund.submitted by hot_wallet today), current as of our last append:
    // this runs under the wallet's lock and every append brings the index up to date before the lock is released.
    const spent = this.indexService.current().hotWalletSpend(config.network, config.payTo, this.clock.now());
    if (spent + amount > config.perDayLimit) return this.skip(refund.refundId, 'per_day_limit');
    const network = this.network(config.network);
    wallet.account ??= new SignerAccount(privateKeyToAccount(config.key.reveal()), network.chain);
    const account = wallet.account;
    return this.bus.withPayment(refund.paymentId, async (stream) => {
      const current = stream.state.refunds[refund.refundId];
      if (!current || current.status !== 'approved') return false;
      const payment = stream.state.payment!;
      await this.submit(stream, network, account, current, {
        method: 'hot_wallet',
        from: account.address,
        call: {
          to: getAddress(payment.asset),
          data: encodeFunctionData({
            abi: erc20Abi,
            functionName: 'transfer',
            args: [getAddress(payment.payer!), BigInt(current.amount)],
          }),
          gas: ERC20_TRANSFER_GAS,
        },
        meta: { correlationId: `refund:${refund.refundId}`, causationId: null },
      });
      this.skipped.delete(refund.refundId);
      return true;
    });
  }

  private skip(refundId: string, why: HotWalletSkip): false {
    if (this.skipped.get(refundId) !== why) {
      this.logger.log(`refund ${refundId} waits for a provider authorization: hot wallet ${why.replace(/_/g, ' ')}`);
      this.skipped.set(refundId, why);
    }
    return false;
  }

  private async submit(
    stream: PaymentStreamHandle,
    network: RefundNetwork,
    signer: SignerAccount,
    refund: RefundEntity,
    how: { method: 'authorization' | 'hot_wallet'; from: Address; call: RefundCall; meta: CommandMeta },
  ): Promise<Hash> {
    const payment = stream.state.payment!;
    try {
      return await submitRefundTransaction(this.txStore, {
        network,
        signer,
        call: how.call,
        tx: {
          refundId: refund.refundId,
          paymentId: payment.paymentId!,
          method: how.method,
          asset: getAddress(payment.asset),
          from: how.from,
          to: getAddress(payment.payer!),
          value: refund.amount,
        },
        recordSubmitted: async (hash) => {
          await stream.record(
            [{ type: 'SubmitRefund', data: { refundId: refund.refundId, txHash: hash, method: how.method } }],
            how.meta,
          );
        },
        now: () => this.clock.now(),
      });
    } catch (error) {
      if (!(error instanceof RefundBroadcastRejected)) throw error;
      await stream.record(
        [
          {
            type: 'RecordRefundFailed',
            data: {
              refundId: refund.refundId,
              reason: `broadcast refused: ${error.message}`.slice(0, 4000),
              txHash: error.hash,
            },
          },
        ],
        how.meta,
      );
      throw new RefundsException(
        RefundsErrorCode.SUBMISSION_FAILED,
        `the node refused the refund transaction: ${error.message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Follows every submitted refund to its outcome. Returns the refund ids whose outcome was recorded. */
  async reconcileSubmitted(): Promise<string[]> {
    const done: string[] = [];
    for (const refund of this.indexService.current().refundsWithStatus('submitted')) {
      try {
        if (await this.reconcile(refund)) done.push(refund.refundId);
      } catch (error) {
        this.logger.warn(`confirming refund ${refund.refundId} failed: ${(error as Error).message}`);
      }
    }
    return done;
  }

  private async reconcile(refund: IndexedRefund): Promise<boolean> {
    const payment = this.indexService.current().payment(refund.paymentId);
    const network = payment && this.networks.get(payment.network);
    if (!payment || !network || payment.payer === null) return false;
    for (const hash of [...refund.txHashes].reverse() as Hash[]) {
      const receipt = await network.chain.getTransactionReceipt(hash).catch(() => null);
      if (!receipt) continue;
      if (this.options.confirmations > 1) {
        const head = await network.chain.getBlockNumber();
        if (head < receipt.blockNumber + BigInt(this.options.confirmations - 1)) return false;
      }
      const stored = this.txStore.get(hash);
      const verdict = judgeRefundReceipt(receipt, {
        asset: payment.asset,
        from: stored?.from ?? null,
        to: payment.payer,
        value: refund.amount,
      });
      return this.recordOutcome(
        refund,
        hash,
        verdict.status === 'succeeded'
          ? {
              type: 'RecordRefundSucceeded',
              data: {
                refundId: refund.refundId,
                txHash: hash,
                blockNumber: verdict.blockNumber.toString(),
                amount: refund.amount,
              },
            }
          : { type: 'RecordRefundFailed', data: { refundId: refund.refundId, reason: verdict.reason, txHash: hash } },
      );
    }
    // Nothing mined yet: make sure the node still has the latest transaction (replay the very same bytes).
    const latest = refund.txHashes.at(-1) as Hash | undefined;
    const stored = latest ? this.txStore.get(latest) : undefined;
    if (!latest || !stored || stored.discarded) return false;
    if (await network.chain.hasTransaction(latest).catch(() => true)) return false;
    try {
      await network.chain.sendRawTransaction(stored.raw);
      return false;
    } catch (error) {
      if (!NONCE_TOO_LOW.test(String((error as Error).message))) return false;
      if (await network.chain.getTransactionReceipt(latest).catch(() => null)) return false; // mined meanwhile
      return this.recordOutcome(refund, latest, {
        type: 'RecordRefundFailed',
        data: {
          refundId: refund.refundId,
          reason: 'refund transaction dropped: its nonce was used by another transaction',
          txHash: latest,
        },
      });
    }
  }

  private async recordOutcome(
    refund: IndexedRefund,
    hash: Hash,
    command:
      | {
          type: 'RecordRefundSucceeded';
          data: { refundId: string; txHash: string; blockNumber: string; amount: string };
        }
      | { type: 'RecordRefundFailed'; data: { refundId: string; reason: string; txHash: string } },
  ): Promise<boolean> {
    return this.bus.withPayment(refund.paymentId, async (stream) => {
      const current = stream.state.refunds[refund.refundId];
      if (!current || current.status !== 'submitted' || !current.submittedTxHashes.includes(hash)) return false;
      await stream.record([command], { correlationId: `refund:${refund.refundId}`, causationId: null });
      return true;
    });
  }

  private network(id: string): RefundNetwork {
    const network = this.networks.get(id);
    if (!network) {
      throw new RefundsException(
        RefundsErrorCode.NETWORK_NOT_CONFIGURED,
        `refunds cannot execute on ${id}: network not configured`,
      );
    }
    return network;
  }
}

function walletKey(network: string, payTo: string): string {
  return `${network}|${payTo.toLowerCase()}`;
}

function nextSigner(pool: SignerPool): SignerAccount {
  try {
    return pool.next();
  } catch (error) {
    throw new RefundsException(RefundsErrorCode.NETWORK_NOT_CONFIGURED, (error as Error).message, { cause: error });
  }
}

export function refundOf(state: PaymentState, refundId: string): RefundEntity {
  const refund = state.refunds[refundId];
  if (!refund) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `refund ${refundId} not found`);
  return refund;
}

function assertApproved(refund: RefundEntity): void {
  if (refund.status === 'approved') return;
  if (refund.status === 'failed' || refund.status === 'canceled') {
    throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `refund ${refund.refundId} is ${refund.status}`);
  }
  throw new LedgerException(
    LedgerErrorCode.INVALID_TRANSITION,
    `refund ${refund.refundId} is ${refund.status}; only an approved refund can be executed`,
  );
}
