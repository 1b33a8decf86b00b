import type { Address, Hex } from 'viem';
import { RefundTransfer } from '@x402-ledger/api';
import { TEST_USDC_ABI, type DevChain } from '@x402-ledger/evm';

/**
 * A RefundTransfer on the embedded dev chain: the provider's payTo wallet sends TestUSDC back to the payer with an
 * ERC-20 transfer (a real transaction on Hardhat's EVM), and the receipt decides success. Test-only: the product's
 * binding (hot wallet / provider signer) belongs to the evm lib.
 */
export class DevChainRefundTransfer extends RefundTransfer {
  sent = 0;

  constructor(private readonly chain: DevChain) {
    super();
  }

  async send(input: {
    network: string;
    asset: string;
    from: string;
    to: string;
    amount: string;
  }): Promise<{ txHash: string; method: 'hot_wallet' }> {
    const account = this.chain.providers.find((p) => p.address.toLowerCase() === input.from.toLowerCase());
    if (!account) throw new Error(`no dev signer for payTo ${input.from}`);
    const wallet = this.chain.walletClientFor(account);
    const hash = await wallet.writeContract({
      address: input.asset as Address,
      abi: TEST_USDC_ABI,
      functionName: 'transfer',
      args: [input.to as Address, BigInt(input.amount)],
    });
    this.sent++;
    return { txHash: hash, method: 'hot_wallet' };
  }

  async confirm(input: {
    txHash: string;
  }): Promise<{ success: true; blockNumber: string } | { success: false; reason: string }> {
    const receipt = await this.chain.publicClient.waitForTransactionReceipt({ hash: input.txHash as Hex });
    return receipt.status === 'success'
      ? { success: true, blockNumber: receipt.blockNumber.toString() }
      : { success: false, reason: 'transaction reverted' };
  }

  balanceOf(address: string): Promise<bigint> {
    return this.chain.publicClient.readContract({
      address: this.chain.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [address as Address],
    }) as Promise<bigint>;
  }
}
