import { EvmReason, GenericReason, type FacilitatorRequestV2, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { getAddress, serializeErc6492Signature, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ExactEvmErrorCode } from '../exact-evm.exception';
import { FakeEvmChain } from '../testing/fake-evm-chain';
import { signEip3009Request } from '../testing/sign-eip3009';
import { Eip3009Verifier } from './eip3009.verifier';

const TOKEN: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PAY_TO: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const FACTORY: Address = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';

describe('Eip3009Verifier', () => {
  const buyer = privateKeyToAccount(generatePrivateKey());
  const owner = privateKeyToAccount(generatePrivateKey());
  let chain: FakeEvmChain;
  let sut: Eip3009Verifier;
  let now: number;
  const requirements: PaymentRequirementsV2 = {
    scheme: 'exact',
    network: 'eip155:31337',
    amount: '1000',
    asset: TOKEN,
    payTo: PAY_TO,
    maxTimeoutSeconds: 300,
    extra: { name: 'USD Coin', version: '2' },
  };
  const sign = (opts: Partial<Parameters<typeof signEip3009Request>[0]> = {}) =>
    signEip3009Request({ account: buyer, requirements, chainId: 31337, nowSeconds: now, ...opts });
  const withAuth = (req: FacilitatorRequestV2, patch: Record<string, string>): FacilitatorRequestV2 => {
    const payload = req.paymentPayload.payload as { authorization: Record<string, string>; signature: string };
    return {
      ...req,
      paymentPayload: {
        ...req.paymentPayload,
        payload: { ...payload, authorization: { ...payload.authorization, ...patch } },
      },
    };
  };

  beforeEach(() => {
    chain = new FakeEvmChain();
    now = Number(chain.chainTime);
    const token = chain.addToken(TOKEN);
    token.balances.set(buyer.address.toLowerCase(), 1_000_000n);
    sut = new Eip3009Verifier({ allowedFactories: [FACTORY], validBeforeSkewSeconds: 5, simulate: true });
  });

  it('accepts a payload signed like the official client, in one probe, with the facts for settlement', async () => {
    const request = await sign();
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: true, payer: buyer.address });
    expect(outcome.facts).toMatchObject({
      from: buyer.address,
      to: PAY_TO,
      value: 1000n,
      amount: '1000',
      signatureKind: 'eoa',
      settlementSignature: { mode: 'vrs', v: expect.any(Number) },
      deployment: null,
    });
    expect(chain.probeCalls).toBe(1);
  });

  it.each([
    [
      'accepted.scheme',
      (r: FacilitatorRequestV2) => ({
        ...r,
        paymentPayload: { ...r.paymentPayload, accepted: { ...r.paymentPayload.accepted, scheme: 'upto' } },
      }),
      EvmReason.InvalidScheme,
    ],
    [
      'missing extra.version',
      (r: FacilitatorRequestV2) => ({
        ...r,
        paymentRequirements: { ...r.paymentRequirements, extra: { name: 'USD Coin' } },
      }),
      EvmReason.MissingEip712Domain,
    ],
    [
      'accepted.network',
      (r: FacilitatorRequestV2) => ({
        ...r,
        paymentPayload: { ...r.paymentPayload, accepted: { ...r.paymentPayload.accepted, network: 'eip155:1' } },
      }),
      EvmReason.NetworkMismatch,
    ],
    [
      'accepted.asset (stricter)',
      (r: FacilitatorRequestV2) => ({
        ...r,
        paymentPayload: { ...r.paymentPayload, accepted: { ...r.paymentPayload.accepted, asset: FACTORY } },
      }),
      GenericReason.InvalidPaymentRequirements,
    ],
    [
      'accepted.payTo (stricter)',
      (r: FacilitatorRequestV2) => ({
        ...r,
        paymentPayload: { ...r.paymentPayload, accepted: { ...r.paymentPayload.accepted, payTo: FACTORY } },
      }),
      EvmReason.RecipientMismatch,
    ],
    [
      'accepted.amount (stricter)',
      (r: FacilitatorRequestV2) => ({
        ...r,
        paymentPayload: { ...r.paymentPayload, accepted: { ...r.paymentPayload.accepted, amount: '1' } },
      }),
      EvmReason.AuthorizationValueMismatch,
    ],
  ])('refuses %s before touching the chain', async (_case, mutate, reason) => {
    const outcome = await sut.verify(mutate(await sign()), chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason, payer: buyer.address });
    expect(chain.probeCalls).toBe(0);
  });

  it('refuses a tampered value as an invalid signature (the SDK order: signature before amount)', async () => {
    const request = withAuth(await sign(), { value: '999' });
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason: EvmReason.InvalidSignature });
  });

  it('refuses a mis-checksummed address and a short nonce as invalid signatures without a probe', async () => {
    // Flip the case of one letter of the EIP-55 spelling: still an address, but a wrong checksum.
    const i = buyer.address.slice(2).search(/[a-fA-F]/) + 2;
    const c = buyer.address[i];
    const badChecksum = `${buyer.address.slice(0, i)}${c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()}${buyer.address.slice(i + 1)}`;
    const patches: Record<string, string>[] = [{ from: badChecksum }, { nonce: '0x1234' }];
    for (const patch of patches) {
      const outcome = await sut.verify(withAuth(await sign(), patch), chain, now);
      expect(outcome).toMatchObject({ isValid: false, reason: EvmReason.InvalidSignature });
    }
    expect(chain.probeCalls).toBe(0);
  });

  it.each([
    ['recipient', { authorization: { to: FACTORY } }, EvmReason.RecipientMismatch],
    [
      'expired',
      { authorization: { validBefore: String(Math.floor(Date.now() / 1000) + 3) } },
      EvmReason.ValidBeforeExpired,
    ],
    [
      'not yet valid',
      { authorization: { validAfter: String(Math.floor(Date.now() / 1000) + 60) } },
      EvmReason.ValidAfterInFuture,
    ],
    ['wrong amount', { authorization: { value: '999' } }, EvmReason.AuthorizationValueMismatch],
    [
      'validBefore beyond maxTimeoutSeconds (stricter)',
      { authorization: { validBefore: String(Math.floor(Date.now() / 1000) + 3600) } },
      EvmReason.ValidBeforeExpired,
    ],
  ])('refuses a validly signed %s', async (_case, opts, reason) => {
    const outcome = await sut.verify(await sign(opts), chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason });
  });

  it('allows validBefore up to maxTimeoutSeconds + skew ahead', async () => {
    const outcome = await sut.verify(await sign({ authorization: { validBefore: String(now + 300 + 5) } }), chain, now);
    expect(outcome.isValid).toBe(true);
  });

  it('refuses an asset that is not a contract', async () => {
    chain.tokens.clear();
    const outcome = await sut.verify(await sign(), chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason: EvmReason.AssetNotDeployedContract });
  });

  it.each([
    [
      'a used nonce',
      (c: FakeEvmChain, nonce: Hex) =>
        c.tokens.get(TOKEN.toLowerCase())!.usedNonces.add(`${buyer.address.toLowerCase()}|${nonce}`),
      EvmReason.NonceAlreadyUsed,
    ],
    [
      'an empty balance',
      (c: FakeEvmChain) => c.tokens.get(TOKEN.toLowerCase())!.balances.set(buyer.address.toLowerCase(), 999n),
      EvmReason.InsufficientBalance,
    ],
    [
      'a token without EIP-3009',
      (c: FakeEvmChain) => (c.tokens.get(TOKEN.toLowerCase())!.eip3009 = false),
      EvmReason.Eip3009NotSupported,
    ],
  ])('diagnoses a failed simulation: %s', async (_case, arrange, reason) => {
    const request = await sign();
    arrange(chain, (request.paymentPayload.payload as { authorization: { nonce: Hex } }).authorization.nonce);
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason, message: expect.stringContaining('revert') });
    expect(chain.probeCalls).toBe(1);
  });

  it('diagnoses an EIP-712 name that differs from the token (signature valid off chain, rejected on chain)', async () => {
    const other = { ...requirements, extra: { name: 'USDC', version: '2' } };
    const request = await signEip3009Request({ account: buyer, requirements: other, chainId: 31337, nowSeconds: now });
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason: EvmReason.TokenNameMismatch });
  });

  it('verifies ERC-1271 contract wallets strictly (no ECDSA fallback)', async () => {
    const wallet = getAddress('0x00000000000000000000000000000000000a11e7');
    chain.wallets.set(wallet.toLowerCase(), owner.address);
    chain.tokens.get(TOKEN.toLowerCase())!.balances.set(wallet.toLowerCase(), 5000n);
    const signedByOwner = await sign({ account: owner, authorization: { from: wallet } });
    const good = await sut.verify(signedByOwner, chain, now);
    expect(good).toMatchObject({ isValid: true, facts: { signatureKind: 'erc1271' } });
    const signedByStranger = await sign({ authorization: { from: wallet } });
    expect(await sut.verify(signedByStranger, chain, now)).toMatchObject({
      isValid: false,
      reason: EvmReason.InvalidSignature,
    });
  });

  it('gates ERC-6492 counterfactual wallets on the factory allow-list and defers the signature to simulation', async () => {
    const wallet = getAddress('0x00000000000000000000000000000000000b0b00');
    chain.factories.set(FACTORY.toLowerCase(), { wallet, owner: owner.address });
    chain.tokens.get(TOKEN.toLowerCase())!.balances.set(wallet.toLowerCase(), 5000n);
    const wrap = async (factory: Address) => {
      const request = await sign({ account: owner, authorization: { from: wallet } });
      const payload = request.paymentPayload.payload as { signature: Hex };
      payload.signature = serializeErc6492Signature({
        address: factory,
        data: '0xdeadbeef',
        signature: payload.signature,
      });
      return request;
    };
    const allowed = await sut.verify(await wrap(FACTORY), chain, now);
    expect(allowed).toMatchObject({
      isValid: true,
      facts: { signatureKind: 'erc6492', deployment: { factory: FACTORY, data: '0xdeadbeef' } },
    });
    const refused = await sut.verify(await wrap(PAY_TO), chain, now);
    expect(refused).toMatchObject({ isValid: false, reason: EvmReason.FactoryNotAllowed });
  });

  it('simulates a 65-byte signature with v as the SDK passes it (raw 0/1 fails on chain)', async () => {
    const request = await sign();
    const payload = request.paymentPayload.payload as { signature: string };
    const v = parseInt(payload.signature.slice(130), 16);
    payload.signature = `${payload.signature.slice(0, 130)}${(v - 27).toString(16).padStart(2, '0')}`;
    const outcome = await sut.verify(request, chain, now);
    expect(outcome).toMatchObject({ isValid: false, reason: EvmReason.SimulationFailed });
  });

  it.each([
    ['a missing signature', (p: Record<string, unknown>) => delete p.signature, ExactEvmErrorCode.INVALID_PAYLOAD],
    [
      'a non-numeric value',
      (p: { authorization: Record<string, string> }) => (p.authorization.value = '1e3'),
      ExactEvmErrorCode.INVALID_PAYLOAD,
    ],
    [
      'a non-address from',
      (p: { authorization: Record<string, string> }) => (p.authorization.from = '0x12'),
      ExactEvmErrorCode.INVALID_PAYLOAD,
    ],
  ])('throws a typed exception for %s (the SDK throws there too)', async (_case, mutate, code) => {
    const request = await sign();
    mutate(request.paymentPayload.payload as never);
    await expect(sut.verify(request, chain, now)).rejects.toMatchObject({ code });
  });

  it('throws INVALID_REQUIREMENTS for an asset that is not an address', async () => {
    const request = await sign();
    request.paymentRequirements = { ...request.paymentRequirements, asset: 'USDC' };
    await expect(sut.verify(request, chain, now)).rejects.toMatchObject({
      code: ExactEvmErrorCode.INVALID_REQUIREMENTS,
    });
  });
});
