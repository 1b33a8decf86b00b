import { x402Facilitator } from '@x402/core/facilitator';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/facilitator';
import { createWalletClient, http, publicActions, type Chain, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/**
 * The official facilitator exactly as the x402 README wires it (viem wallet client over HTTP JSON-RPC,
 * toFacilitatorEvmSigner, ExactEvmScheme), pointed at the same chain as ours: the reference for differential tests
 * and benchmarks.
 */
export function officialFacilitator(opts: {
  rpcUrl: string;
  chain: Chain;
  network: string;
  privateKey: Hex;
  eip6492AllowedFactories?: string[];
}): x402Facilitator {
  const account = privateKeyToAccount(opts.privateKey);
  const wc = createWalletClient({ account, chain: opts.chain, transport: http(opts.rpcUrl) }).extend(publicActions);
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    getCode: (a) => wc.getCode(a),
    readContract: (a) => wc.readContract({ ...a, args: a.args ?? [] } as never),
    verifyTypedData: (a) => wc.verifyTypedData(a as never),
    writeContract: (a) => wc.writeContract({ ...a, args: a.args ?? [] } as never),
    sendTransaction: (a) => wc.sendTransaction(a),
    waitForTransactionReceipt: (a) => wc.waitForTransactionReceipt(a),
  });
  return new x402Facilitator().register(
    opts.network as `${string}:${string}`,
    new ExactEvmScheme(signer, { eip6492AllowedFactories: opts.eip6492AllowedFactories ?? [] }),
  );
}
