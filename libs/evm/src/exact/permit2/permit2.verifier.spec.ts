import { EvmReason, GenericReason, type FacilitatorRequestV2, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { x402ExactPermit2ProxyABI } from '@x402/evm';
import { decodeFunctionData, getAddress, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ExactEvmErrorCode } from '../exact-evm.exception';
import { FakeEvmChain } from '../testing/fake-evm-chain';
import { signPermit2Request } from '../testing/sign-permit2';
import type { Permit2Payload } from './permit2.payload';
import { Permit2Reason, Permit2Verifier } from './permit2.verifier';

const TOKEN: Address = '0x7e57000000000000000000000000000000000018';
const OTHER_TOKEN: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PAY_TO: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const PROXY: Address = '0x402085c248EeA27D92E8b30b2C58ed07f9E20001';

describe('Permit2Verifier', () => {
  const buyer = privateKeyToAccount(generatePrivateKey());
  const walletOwner = privateKeyToAccount(generatePrivateKey());
  const WALLET: Address = getAddress('0x00000000000000000000000000000000000c0de1');
  let chain: FakeEvmChain;
  let sut: Permit2Verifier;
  let now: number;
  const requirements: PaymentRequirementsV2 = {
    scheme: 'exact',
    network: 'eip155:31337',
    amount: '1000',
    asset: TOKEN,
    payTo: PAY_TO,
    maxTimeoutSeconds: 300,
    extra: { assetTransferMethod: 'permit2' },
  };
  const sign = (opts: Partial<Parameters<typeof signPermit2Request>[0]> = {}) =>
    signPermit2Request({ account: buyer, requirements, chainId: 31337, nowSeconds: now, ...opts });
  /** Changes the payload after signing (what the signature does NOT cover). */
  const tamper = (req: FacilitatorRequestV2, patch: (auth: Permit2Payload['permit2Authorization']) => void) => {
    const copy = structuredClone(req);
    patch((copy.paymentPayload.payload as Permit2Payload).permit2Authorization);
    return copy;
  };
  const withRequirements = (
    req: FacilitatorRequestV2,
    patch: Partial<PaymentRequirementsV2>,
  ): FacilitatorRequestV2 => ({
    ...req,
    paymentPayload: { ...req.paymentPayload, accepted: { ...req.paymentPayload.accepted, ...patch } },
    paymentRequirements: { ...req.paymentRequirements, ...patch },
  });

  beforeEach(() => {
    chain = new FakeEvmChain();
    now = Number(chain.chainTime);
    const token = chain.addToken(TOKEN, { eip3009: false });
    token.balances.set(buyer.address.toLowerCase(), 1_000_000n);
    token.balances.set(WALLET.toLowerCase(), 1_000_000n);
    chain.approvePermit2(TOKEN, buyer.address, 2n ** 256n - 1n);
    chain.approvePermit2(TOKEN, WALLET, 2n ** 256n - 1n);
    chain.wallets.set(WALLET.toLowerCase(), walletOwner.address);
    sut = new Permit2Verifier({ validBeforeSkewSeconds: 5, simulate: true });
  });

  it('accepts a payload signed like the official client, in one probe, with the facts for settlement', async () => {
    const request = await sign({ authorization: { nonce: '123456789012345678901234567890' } });
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: true, payer: buyer.address });
    expect(chain.permit2ProbeCalls).toBe(1);
    const facts = outcome.facts;
    expect(facts).toMatchObject({
      assetTransferMethod: 'permit2',
      from: buyer.address,
      to: PAY_TO,
      value: 1000n,
      validAfter: 0n,
      validBefore: BigInt(now + 300),
      nonce: '123456789012345678901234567890',
      asset: getAddress(TOKEN),
      payTo: PAY_TO,
      amount: '1000',
      signatureKind: 'eoa',
      proxy: PROXY,
    });
    const { functionName, args } = decodeFunctionData({ abi: x402ExactPermit2ProxyABI, data: facts.settleCalldata });
    expect(functionName).toBe('settle');
    expect(args).toEqual([
      {
        permitted: { token: getAddress(TOKEN), amount: 1000n },
        nonce: 123456789012345678901234567890n,
        deadline: BigInt(now + 300),
      },
      buyer.address,
      { to: PAY_TO, validAfter: 0n },
      (request.paymentPayload.payload as { signature: string }).signature,
    ]);
  });

  it('accepts an ERC-1271 wallet (strict magic value) and reports signatureKind erc1271', async () => {
    const request = await sign({ account: walletOwner, authorization: { from: WALLET } });
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: true, payer: WALLET, facts: { signatureKind: 'erc1271' } });
  });

  it('canonicalizes a hex nonce to its decimal string (one payment, one on-chain nonce)', async () => {
    const request = await sign({ authorization: { nonce: '0x1f' } });
    expect((await sut.verify(request, chain, now)).facts.nonce).toBe('31');
  });

  const cases: [string, () => Promise<FacilitatorRequestV2>, string][] = [
    [
      'accepted.scheme is not exact',
      async () => {
        const r = await sign();
        r.paymentPayload.accepted = { ...r.paymentPayload.accepted, scheme: 'upto' };
        return r;
      },
      Permit2Reason.UnsupportedPayloadType,
    ],
    [
      'accepted.network differs',
      async () => {
        const r = await sign();
        r.paymentPayload.accepted = { ...r.paymentPayload.accepted, network: 'eip155:1' };
        return r;
      },
      EvmReason.NetworkMismatch,
    ],
    [
      'accepted.asset differs from the requirements (stricter than the SDK)',
      async () => {
        const r = await sign();
        r.paymentPayload.accepted = { ...r.paymentPayload.accepted, asset: OTHER_TOKEN };
        return r;
      },
      GenericReason.InvalidPaymentRequirements,
    ],
    [
      'the spender is not the x402 proxy',
      () => sign({ authorization: { spender: PAY_TO } }),
      Permit2Reason.InvalidSpender,
    ],
    ['witness.to is not payTo', () => sign({ authorization: { to: buyer.address } }), Permit2Reason.RecipientMismatch],
    [
      'the deadline is less than 6 s ahead',
      () => sign({ authorization: { deadline: String(now + 5) } }),
      Permit2Reason.DeadlineExpired,
    ],
    [
      'the deadline is beyond maxTimeoutSeconds + skew (stricter than the SDK)',
      () => sign({ authorization: { deadline: String(now + 400) } }),
      Permit2Reason.DeadlineExpired,
    ],
    [
      'witness.validAfter is in the future',
      () => sign({ authorization: { validAfter: String(now + 60) } }),
      Permit2Reason.NotYetValid,
    ],
    ['permitted.amount differs', () => sign({ authorization: { amount: '999' } }), Permit2Reason.AmountMismatch],
    [
      'permitted.token is another token',
      () => sign({ authorization: { token: OTHER_TOKEN } }),
      Permit2Reason.TokenMismatch,
    ],
    [
      'the amount was changed after signing',
      async () =>
        withRequirements(
          tamper(await sign(), (a) => (a.permitted.amount = '2000')),
          { amount: '2000' },
        ),
      Permit2Reason.InvalidSignature,
    ],
    ['the signature is for another chain', () => sign({ domain: { chainId: 1 } }), Permit2Reason.InvalidSignature],
    [
      'the signature is not 65 bytes',
      async () => {
        const r = await sign();
        const p = r.paymentPayload.payload as { signature: string };
        p.signature = p.signature.slice(0, -2);
        return r;
      },
      Permit2Reason.InvalidSignature,
    ],
    [
      'the signature is not hex',
      async () => {
        const r = await sign();
        (r.paymentPayload.payload as { signature: string }).signature = 'not-a-signature';
        return r;
      },
      Permit2Reason.InvalidSignature,
    ],
    [
      'an ERC-1271 wallet signed by someone else',
      () => sign({ account: buyer, authorization: { from: WALLET } }),
      Permit2Reason.InvalidSignature,
    ],
  ];

  it.each(cases)('refuses when %s', async (_name, build, reason) => {
    const outcome = await sut.verify(await build(), chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason });
  });

  it('answers permit2_allowance_required when the payer has not approved Permit2', async () => {
    chain.approvePermit2(TOKEN, buyer.address, 999n);
    expect(await sut.verify(await sign(), chain, now)).toMatchObject({
      isValid: false,
      reason: Permit2Reason.AllowanceRequired,
    });
  });

  it('answers permit2_insufficient_balance before the allowance (the SDK order)', async () => {
    chain.tokens.get(TOKEN.toLowerCase())!.balances.set(buyer.address.toLowerCase(), 10n);
    chain.approvePermit2(TOKEN, buyer.address, 0n);
    expect(await sut.verify(await sign(), chain, now)).toMatchObject({
      isValid: false,
      reason: Permit2Reason.InsufficientBalance,
    });
  });

  it('answers permit2_simulation_failed for a used nonce, naming InvalidNonce in the message', async () => {
    const request = await sign({ authorization: { nonce: '77' } });
    chain.permit2.usedNonces.add(`${buyer.address.toLowerCase()}|77`);
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason: Permit2Reason.SimulationFailed });
    expect(outcome.isValid === false && outcome.message).toMatch(/InvalidNonce/);
  });

  it('answers permit2_proxy_not_deployed when the proxy has no code', async () => {
    chain.permit2.proxyDeployed = false;
    expect(await sut.verify(await sign(), chain, now)).toMatchObject({
      isValid: false,
      reason: Permit2Reason.ProxyNotDeployed,
    });
  });

  it('answers asset_not_deployed_contract before the signature verdict (the SDK order)', async () => {
    const unknown: Address = '0x0000000000000000000000000000000000001234';
    const request = await sign({ requirements: { ...requirements, asset: unknown } });
    (request.paymentPayload.payload as { signature: string }).signature = '0x00';
    expect(await sut.verify(request, chain, now)).toMatchObject({
      isValid: false,
      reason: EvmReason.AssetNotDeployedContract,
    });
  });

  it('skips the simulation when asked (settle re-verification without simulate)', async () => {
    chain.approvePermit2(TOKEN, buyer.address, 0n);
    const noSim = new Permit2Verifier({ validBeforeSkewSeconds: 5, simulate: false });
    expect(await noSim.verify(await sign(), chain, now)).toMatchObject({ isValid: true });
  });

  it('throws INVALID_PAYLOAD (HTTP 400) for a payload the SDK could not process', async () => {
    const request = await sign();
    (request.paymentPayload.payload as Record<string, unknown>).permit2Authorization = { from: '0x12' };
    await expect(sut.verify(request, chain, now)).rejects.toMatchObject({ code: ExactEvmErrorCode.INVALID_PAYLOAD });
  });
});
