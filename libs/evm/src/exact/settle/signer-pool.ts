import type { Address, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { SignerKey } from '../../networks/signer-key';
import type { EvmChain } from '../chain/evm-chain.port';
import { ExactEvmErrorCode, ExactEvmException } from '../exact-evm.exception';

/**
 * One facilitator account on one chain: its viem account, its own transaction nonce (kept locally so settlements do
 * not wait for each other's receipts), and a lock that orders nonce assignment and broadcast.
 */
export class SignerAccount {
  readonly address: Address;
  private nextNonce: number | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly account: LocalAccount,
    private readonly chain: EvmChain,
  ) {
    this.address = account.address;
  }

  /**
   * Runs `fn` with the next nonce, one caller at a time. `fn` returns whether the nonce was consumed (broadcast or
   * known to the node); if not, the next caller gets the same nonce, so no gap is ever left behind.
   */
  withNonce<T>(fn: (nonce: number) => Promise<{ consumed: boolean; value: T }>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.nextNonce === null) this.nextNonce = await this.chain.getTransactionCount(this.address, 'pending');
      const { consumed, value } = await fn(this.nextNonce);
      if (consumed) this.nextNonce++;
      return value;
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Forgets the local nonce: the next caller re-reads it from the chain (after a "nonce too low"). */
  resync(): void {
    this.nextNonce = null;
  }
}

/** The facilitator accounts of one network, used round-robin. */
export class SignerPool {
  private readonly signers: SignerAccount[];
  private cursor = 0;

  constructor(keys: readonly SignerKey[], chain: EvmChain) {
    this.signers = keys.map((k) => new SignerAccount(privateKeyToAccount(k.reveal()), chain));
  }

  get addresses(): Address[] {
    return this.signers.map((s) => s.address);
  }

  next(): SignerAccount {
    if (this.signers.length === 0) {
      throw new ExactEvmException(ExactEvmErrorCode.NO_SIGNER, 'no facilitator signer is configured for this network');
    }
    const signer = this.signers[this.cursor % this.signers.length];
    this.cursor = (this.cursor + 1) % this.signers.length;
    return signer;
  }

  byAddress(address: string): SignerAccount | undefined {
    return this.signers.find((s) => s.address.toLowerCase() === address.toLowerCase());
  }
}
