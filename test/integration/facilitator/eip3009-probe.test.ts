import { EvmReason, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { getAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { officialFacilitator } from './support/official-facilitator';
import {
  type DevChain,
  Eip3009Verifier,
  signEip3009Request,
  startDevChain,
  TEST_USDC_ABI,
  ViemEvmChain,
} from '@x402-ledger/evm';

describe('Eip3009 probe on the Hardhat dev chain', () => {
  let dev: DevChain;
  let chain: ViemEvmChain;
  let requirements: PaymentRequirementsV2;
  const sut = new Eip3009Verifier({ allowedFactories: [], validBeforeSkewSeconds: 5, simulate: true });

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    chain = new ViemEvmChain({ network: dev.network, chainId: dev.chainId, rpcUrls: [dev.rpcUrl] });
    requirements = {
      scheme: 'exact',
      network: dev.network,
      amount: '1000',
      asset: dev.token.address,
      payTo: dev.providers[0].address,
      maxTimeoutSeconds: 300,
      extra: { name: dev.token.name, version: dev.token.version },
    };
  });
  afterAll(() => dev?.close());

  const now = () => Math.floor(Date.now() / 1000);
  const buyer = () => privateKeyToAccount(dev.buyers[0].privateKey);

  it('agrees with the official facilitator on valid and broken payloads', async () => {
    const official = officialFacilitator({
      rpcUrl: dev.rpcUrl,
      chain: dev.chain,
      network: dev.network,
      privateKey: dev.facilitatorSigners[0].privateKey,
    });
    const poor = privateKeyToAccount(`0x${'42'.repeat(32)}`);
    const cases = [
      await signEip3009Request({ account: buyer(), requirements, chainId: dev.chainId }),
      await signEip3009Request({
        account: buyer(),
        requirements,
        chainId: dev.chainId,
        authorization: { to: dev.providers[1].address },
      }),
      await signEip3009Request({ account: buyer(), requirements, chainId: dev.chainId, authorization: { value: '5' } }),
      await signEip3009Request({
        account: buyer(),
        requirements,
        chainId: dev.chainId,
        authorization: { validAfter: String(now() + 100) },
      }),
      await signEip3009Request({ account: poor, requirements, chainId: dev.chainId }),
      await signEip3009Request({
        account: buyer(),
        requirements: { ...requirements, extra: { name: 'USDC', version: '2' } },
        chainId: dev.chainId,
      }),
      await signEip3009Request({
        account: buyer(),
        requirements: { ...requirements, extra: { name: 'USD Coin', version: '1' } },
        chainId: dev.chainId,
      }),
      await signEip3009Request({ account: buyer(), requirements, chainId: dev.chainId, domain: { chainId: 1 } }),
    ];
    const ours = await Promise.all(cases.map((c) => sut.verify(c, chain, now())));
    const theirs = await Promise.all(
      cases.map((c) => official.verify(c.paymentPayload as never, c.paymentRequirements as never)),
    );
    expect(ours.map((o) => (o.isValid ? 'valid' : o.reason))).toEqual(
      theirs.map((t) => (t.isValid ? 'valid' : t.invalidReason)),
    );
    expect(ours.map((o) => (o.isValid ? 'valid' : o.reason))).toEqual([
      'valid',
      EvmReason.RecipientMismatch,
      EvmReason.AuthorizationValueMismatch,
      EvmReason.ValidAfterInFuture,
      EvmReason.InsufficientBalance,
      EvmReason.TokenNameMismatch,
      EvmReason.TokenVersionMismatch,
      EvmReason.InvalidSignature,
    ]);
  });

  it('detects a used nonce and verifies a deployed ERC-1271 wallet', async () => {
    const request = await signEip3009Request({ account: buyer(), requirements, chainId: dev.chainId });
    const auth = request.paymentPayload.payload as { authorization: Record<string, string>; signature: `0x${string}` };
    const wallet = dev.walletClientFor(dev.facilitatorSigners[3]);
    const abi = TEST_USDC_ABI;
    const hash = await wallet.writeContract({
      address: dev.token.address,
      abi,
      functionName: 'transferWithAuthorization',
      args: [
        getAddress(auth.authorization.from),
        getAddress(auth.authorization.to),
        BigInt(auth.authorization.value),
        BigInt(auth.authorization.validAfter),
        BigInt(auth.authorization.validBefore),
        auth.authorization.nonce as `0x${string}`,
        auth.signature,
      ],
    });
    await dev.publicClient.waitForTransactionReceipt({ hash });
    expect(await sut.verify(request, chain, now())).toMatchObject({
      isValid: false,
      reason: EvmReason.NonceAlreadyUsed,
    });

    const owner = privateKeyToAccount(dev.buyers[1].privateKey);
    const smart = await dev.deploySmartWallet(owner.address);
    await dev.mintUsdc(smart, 10_000n);
    const signed = await signEip3009Request({
      account: owner,
      requirements,
      chainId: dev.chainId,
      authorization: { from: smart },
    });
    expect(await sut.verify(signed, chain, now())).toMatchObject({
      isValid: true,
      facts: { signatureKind: 'erc1271' },
    });
    const forged = await signEip3009Request({
      account: buyer(),
      requirements,
      chainId: dev.chainId,
      authorization: { from: smart },
    });
    expect(await sut.verify(forged, chain, now())).toMatchObject({
      isValid: false,
      reason: EvmReason.InvalidSignature,
    });
  });

  it('answers 64 concurrent verifications with a handful of probe calls, each simulated on untouched state', async () => {
    const request = await signEip3009Request({ account: buyer(), requirements, chainId: dev.chainId });
    let calls = 0;
    const original = chain.client.call.bind(chain.client);
    chain.client.call = ((args: Parameters<typeof original>[0]) => {
      calls++;
      return original(args);
    }) as typeof original;
    const outcomes = await Promise.all(Array.from({ length: 64 }, () => sut.verify(request, chain, now())));
    chain.client.call = original;
    expect(outcomes.every((o) => o.isValid)).toBe(true);
    expect(calls).toBeLessThanOrEqual(8);
  });
});
