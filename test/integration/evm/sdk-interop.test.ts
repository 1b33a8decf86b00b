// The official x402 SDK (@x402/evm 2.27 `exact` client and facilitator) against the dev chain and TestUSDC:
// proves the token, its EIP-712 domain, revert strings and the Multicall3 the SDK's diagnostics call are what the
// SDK expects of USDC on a public chain.
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { ExactEvmScheme as ExactEvmClientScheme } from '@x402/evm/exact/client';
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator';
import { toClientEvmSigner, toFacilitatorEvmSigner } from '@x402/evm';
import { publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { TEST_USDC_ABI, startDevChain, type DevChain } from '@x402-ledger/evm';

describe('official @x402/evm exact scheme against the dev chain', () => {
  let chain: DevChain;

  beforeAll(async () => {
    chain = await startDevChain({ rpcPort: 0 });
  });
  afterAll(async () => {
    await chain?.close();
  });

  const balanceOf = (address: `0x${string}`) =>
    chain.publicClient.readContract({
      address: chain.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [address],
    });

  function facilitator(): ExactEvmFacilitatorScheme {
    const wallet = chain.walletClientFor(chain.facilitatorSigners[0]).extend(publicActions);
    const signer = toFacilitatorEvmSigner({
      address: wallet.account.address,
      readContract: (args) => wallet.readContract(args as Parameters<typeof wallet.readContract>[0]),
      verifyTypedData: (args) => wallet.verifyTypedData(args as Parameters<typeof wallet.verifyTypedData>[0]),
      writeContract: (args) => wallet.writeContract(args as Parameters<typeof wallet.writeContract>[0]),
      sendTransaction: (args) => wallet.sendTransaction(args),
      waitForTransactionReceipt: (args) => wallet.waitForTransactionReceipt(args),
      getCode: (args) => wallet.getCode(args),
    });
    return new ExactEvmFacilitatorScheme(signer);
  }

  async function pay(requirements: PaymentRequirements): Promise<PaymentPayload> {
    const buyer = privateKeyToAccount(chain.buyers[0].privateKey);
    const client = new ExactEvmClientScheme(
      toClientEvmSigner(buyer, {
        readContract: (args) =>
          chain.publicClient.readContract(args as Parameters<typeof chain.publicClient.readContract>[0]),
      }),
    );
    const created = await client.createPaymentPayload(2, requirements);
    return { x402Version: created.x402Version, accepted: requirements, payload: created.payload };
  }

  it('verifies and settles a payment, then refuses the replay with the SDK reason', async () => {
    const requirements: PaymentRequirements = {
      scheme: 'exact',
      network: chain.network,
      asset: chain.token.address,
      amount: '10000',
      payTo: chain.providers[0].address,
      maxTimeoutSeconds: 60,
      extra: { name: chain.token.name, version: chain.token.version },
    };
    const payload = await pay(requirements);
    const sut = facilitator();
    const payToBefore = await balanceOf(chain.providers[0].address);

    const verified = await sut.verify(payload, requirements);
    expect(verified).toMatchObject({ isValid: true, payer: chain.buyers[0].address });

    const settled = await sut.settle(payload, requirements);
    expect(settled).toMatchObject({ success: true, network: 'eip155:31337', payer: chain.buyers[0].address });
    expect(settled.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await balanceOf(chain.providers[0].address)).toBe(payToBefore + 10_000n);

    // Replay: the simulation fails and the SDK's Multicall3 diagnosis (tryAggregate) names the used nonce.
    const replay = await sut.verify(payload, requirements);
    expect(replay.isValid).toBe(false);
    expect(replay.invalidReason).toBe('invalid_exact_evm_nonce_already_used');
    expect(replay.invalidMessage).toContain('FiatTokenV2: authorization is used or canceled');
  });

  it('flags a wrong EIP-712 domain name through the SDK diagnosis', async () => {
    const requirements: PaymentRequirements = {
      scheme: 'exact',
      network: chain.network,
      asset: chain.token.address,
      amount: '1',
      payTo: chain.providers[1].address,
      maxTimeoutSeconds: 60,
      extra: { name: 'USDC', version: '2' },
    };
    const verified = await facilitator().verify(await pay(requirements), requirements);
    expect(verified.isValid).toBe(false);
    // the signature is valid for the domain it names, so the simulation fails and the diagnosis reads name()
    expect(verified.invalidReason).toBe('invalid_exact_evm_token_name_mismatch');
  });
});
