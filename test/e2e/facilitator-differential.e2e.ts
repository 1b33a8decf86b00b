import {
  type DevChain,
  devChainNetwork,
  signEip3009Request,
  type SignOptions,
  startDevChain,
  TEST_USDC_ABI,
} from '@x402-ledger/evm';
import { EvmReason, GenericReason, type FacilitatorRequestV2, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { getAddress, serializeErc6492Signature, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { startFacilitatorApp, type FacilitatorApp } from '../integration/facilitator/support/facilitator-app';
import { officialFacilitator } from '../integration/facilitator/support/official-facilitator';

interface Case {
  name: string;
  request: FacilitatorRequestV2;
}

/**
 * Where our verdict deliberately differs from the official x402Facilitator + ExactEvmScheme (2.27.0). Every other
 * case must give the identical verdict and reason code. Mirrored in docs/adr/0005-one-payment-one-service.md.
 */
const DELIBERATE: Record<string, { official: string; ours: string; why: string }> = {
  'accepted.amount differs': {
    official: 'valid',
    ours: `invalid:${EvmReason.AuthorizationValueMismatch}`,
    why: 'accepted must equal the requirements',
  },
  'accepted.payTo differs': {
    official: 'valid',
    ours: `invalid:${EvmReason.RecipientMismatch}`,
    why: 'accepted must equal the requirements',
  },
  'accepted.asset differs': {
    official: 'valid',
    ours: `invalid:${GenericReason.InvalidPaymentRequirements}`,
    why: 'accepted must equal the requirements',
  },
  'validBefore beyond maxTimeoutSeconds': {
    official: 'valid',
    ours: `invalid:${EvmReason.ValidBeforeExpired}`,
    why: 'validBefore is capped at now + maxTimeoutSeconds (+30 s skew)',
  },
  'non-numeric value': {
    official: 'throw',
    ours: `http400:${GenericReason.InvalidPayload}`,
    why: 'the SDK throws (HTTP 500 in its example server); we answer 400',
  },
  'missing signature': {
    official: 'throw',
    ours: `http400:${GenericReason.InvalidPayload}`,
    why: 'the SDK throws; we answer 400',
  },
  'requirements.asset not an address': {
    official: 'throw',
    ours: `http400:${GenericReason.InvalidPaymentRequirements}`,
    why: 'the SDK throws; we answer 400',
  },
  'requirements.scheme unknown': {
    official: 'throw',
    ours: `invalid:${GenericReason.UnsupportedScheme}`,
    why: 'the SDK throws "no facilitator registered"; we answer 200 isValid:false',
  },
  'unconfigured network': {
    official: 'throw',
    ours: `invalid:${GenericReason.InvalidNetwork}`,
    why: 'the SDK throws "no facilitator registered"; we answer 200 isValid:false',
  },
};

describe('differential: our /verify vs the official x402Facilitator on the same chain', () => {
  let dev: DevChain;
  let fac: FacilitatorApp;
  let official: ReturnType<typeof officialFacilitator>;
  let requirements: PaymentRequirementsV2;
  let wallet: Address;
  const FACTORY = getAddress('0x00000000000000000000000000000000000fac70');

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    fac = await startFacilitatorApp({ networks: [devChainNetwork(dev)] });
    official = officialFacilitator({
      rpcUrl: dev.rpcUrl,
      chain: dev.chain,
      network: dev.network,
      privateKey: dev.facilitatorSigners[0].privateKey,
    });
    requirements = {
      scheme: 'exact',
      network: dev.network,
      amount: '1000',
      asset: dev.token.address,
      payTo: dev.providers[0].address,
      maxTimeoutSeconds: 300,
      extra: { name: dev.token.name, version: dev.token.version },
    };
    wallet = await dev.deploySmartWallet(privateKeyToAccount(dev.buyers[4].privateKey).address);
    await dev.mintUsdc(wallet, 1_000_000n);
  });
  afterAll(async () => {
    await fac?.close();
    await dev?.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const buyer = (i: number) => privateKeyToAccount(dev.buyers[i % 4].privateKey);
  const sign = (account: PrivateKeyAccount, opts: Partial<SignOptions> = {}) =>
    signEip3009Request({ account, requirements, chainId: dev.chainId, ...opts });
  const payloadOf = (r: FacilitatorRequestV2) =>
    r.paymentPayload.payload as { signature: string; authorization: Record<string, string> };
  const mutate = (r: FacilitatorRequestV2, fn: (r: FacilitatorRequestV2) => void): FacilitatorRequestV2 => {
    const copy = JSON.parse(JSON.stringify(r)) as FacilitatorRequestV2;
    fn(copy);
    return copy;
  };
  const flip = (hex: string, at: number) => `${hex.slice(0, at)}${hex[at] === 'a' ? 'b' : 'a'}${hex.slice(at + 1)}`;

  async function corpus(): Promise<Case[]> {
    const cases: Case[] = [];
    const add = (name: string, request: FacilitatorRequestV2) => cases.push({ name, request });
    const t = now();
    for (let i = 0; i < 40; i++) {
      const amount = String(1000 + i * 7);
      add(
        'valid',
        await signEip3009Request({
          account: buyer(i),
          requirements: { ...requirements, amount },
          chainId: dev.chainId,
          authorization: { validAfter: i % 2 ? '0' : String(t - 600) },
        }),
      );
    }
    for (let i = 0; i < 8; i++) {
      const base = await sign(buyer(i));
      for (const field of ['value', 'to', 'validAfter', 'validBefore', 'nonce'] as const) {
        add(
          `tampered ${field}`,
          mutate(base, (r) => {
            const a = payloadOf(r).authorization;
            if (field === 'to') a.to = dev.providers[2].address;
            else if (field === 'nonce') a.nonce = `0x${'7'.repeat(64)}`;
            else if (field === 'validBefore') a.validBefore = String(BigInt(a.validBefore) - 1n);
            else if (field === 'validAfter') a.validAfter = '1';
            else a.value = String(BigInt(a.value) + 1n);
          }),
        );
      }
      add(
        'tampered from',
        mutate(base, (r) => (payloadOf(r).authorization.from = buyer(i + 1).address)),
      );
      for (const at of [4, 40, 70, 100, 128])
        add(
          'tampered signature byte',
          mutate(base, (r) => (payloadOf(r).signature = flip(payloadOf(r).signature, at))),
        );
      add(
        'signature v as 0/1',
        mutate(base, (r) => {
          const s = payloadOf(r).signature;
          payloadOf(r).signature =
            `${s.slice(0, 130)}${(parseInt(s.slice(130), 16) - 27).toString(16).padStart(2, '0')}`;
        }),
      );
      add(
        'signature v = 29',
        mutate(base, (r) => (payloadOf(r).signature = `${payloadOf(r).signature.slice(0, 130)}1d`)),
      );
      add(
        'signature truncated',
        mutate(base, (r) => (payloadOf(r).signature = payloadOf(r).signature.slice(0, 128))),
      );
      add(
        'signature empty',
        mutate(base, (r) => (payloadOf(r).signature = '0x')),
      );
      add(
        'mis-checksummed from',
        mutate(base, (r) => {
          const a = payloadOf(r).authorization;
          const k = a.from.slice(2).search(/[a-fA-F]/) + 2;
          a.from = `${a.from.slice(0, k)}${a.from[k] === a.from[k].toLowerCase() ? a.from[k].toUpperCase() : a.from[k].toLowerCase()}${a.from.slice(k + 1)}`;
        }),
      );
      add(
        'short nonce',
        mutate(base, (r) => (payloadOf(r).authorization.nonce = '0x1234')),
      );
    }
    for (let i = 0; i < 6; i++) {
      const account = buyer(i);
      add('recipient mismatch', await sign(account, { authorization: { to: dev.providers[1].address } }));
      add('value mismatch', await sign(account, { authorization: { value: String(999 - i) } }));
      add('expired', await sign(account, { authorization: { validBefore: String(t - 10 * (i + 1)) } }));
      add('expires within 6 s', await sign(account, { authorization: { validBefore: String(t + 3) } }));
      add('not yet valid', await sign(account, { authorization: { validAfter: String(t + 120 * (i + 1)) } }));
      add('wrong domain name', await sign(account, { domain: { name: 'USDC' } }));
      add('wrong domain version', await sign(account, { domain: { version: '1' } }));
      add('wrong chainId', await sign(account, { domain: { chainId: 8453 } }));
      add('wrong verifyingContract', await sign(account, { domain: { verifyingContract: dev.providers[2].address } }));
      add(
        'requirements name differs from token',
        await signEip3009Request({
          account,
          requirements: { ...requirements, extra: { name: 'USDC', version: '2' } },
          chainId: dev.chainId,
        }),
      );
      add(
        'requirements version differs from token',
        await signEip3009Request({
          account,
          requirements: { ...requirements, extra: { name: 'USD Coin', version: '3' } },
          chainId: dev.chainId,
        }),
      );
      add('insufficient balance', await sign(privateKeyToAccount(generatePrivateKey())));
      const base = await sign(account);
      add(
        'accepted.scheme differs',
        mutate(base, (r) => (r.paymentPayload.accepted.scheme = 'upto')),
      );
      add(
        'accepted.network differs',
        mutate(base, (r) => (r.paymentPayload.accepted.network = 'eip155:1')),
      );
      add(
        'missing extra.name',
        mutate(base, (r) => (r.paymentRequirements.extra = { version: '2' })),
      );
      add(
        'missing extra',
        mutate(base, (r) => delete r.paymentRequirements.extra),
      );
      add(
        'accepted.amount differs',
        mutate(base, (r) => (r.paymentPayload.accepted.amount = '1')),
      );
      add(
        'accepted.payTo differs',
        mutate(base, (r) => (r.paymentPayload.accepted.payTo = dev.providers[2].address)),
      );
      add(
        'accepted.asset differs',
        mutate(base, (r) => (r.paymentPayload.accepted.asset = dev.providers[2].address)),
      );
      add(
        'validBefore beyond maxTimeoutSeconds',
        await sign(account, { authorization: { validBefore: String(t + 3600 + i) } }),
      );
    }
    for (let i = 0; i < 4; i++) {
      const owner = privateKeyToAccount(dev.buyers[4].privateKey);
      add('ERC-1271 wallet, owner signature', await sign(owner, { authorization: { from: wallet } }));
      add('ERC-1271 wallet, stranger signature', await sign(buyer(i), { authorization: { from: wallet } }));
      const undeployed = privateKeyToAccount(generatePrivateKey()).address;
      const cf = await sign(owner, { authorization: { from: undeployed } });
      add(
        'ERC-6492 counterfactual, factory not allowed',
        mutate(cf, (r) => {
          payloadOf(r).signature = serializeErc6492Signature({
            address: FACTORY,
            data: '0xabcdef',
            signature: payloadOf(r).signature as Hex,
          });
        }),
      );
      const eoaAsset = dev.providers[2].address;
      add(
        'asset is not a contract',
        await signEip3009Request({
          account: buyer(i),
          requirements: { ...requirements, asset: eoaAsset },
          chainId: dev.chainId,
        }),
      );
    }
    for (let i = 0; i < 6; i++) {
      const used = await sign(buyer(i));
      const { authorization: a, signature } = payloadOf(used);
      const w = dev.walletClientFor(dev.facilitatorSigners[3]);
      const hash = await w.writeContract({
        address: dev.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'transferWithAuthorization',
        args: [
          getAddress(a.from),
          getAddress(a.to),
          BigInt(a.value),
          BigInt(a.validAfter),
          BigInt(a.validBefore),
          a.nonce as Hex,
          signature as Hex,
        ],
      });
      await dev.publicClient.waitForTransactionReceipt({ hash });
      add('nonce already used on chain', used);
    }
    for (let i = 0; i < 3; i++) {
      const base = await sign(buyer(i));
      add(
        'non-numeric value',
        mutate(base, (r) => (payloadOf(r).authorization.value = 'ten')),
      );
      add(
        'missing signature',
        mutate(base, (r) => delete (payloadOf(r) as Partial<{ signature: string }>).signature),
      );
      add(
        'requirements.asset not an address',
        mutate(base, (r) => (r.paymentRequirements.asset = 'USDC')),
      );
      add(
        'requirements.scheme unknown',
        mutate(base, (r) => (r.paymentRequirements.scheme = 'upto')),
      );
      add(
        'unconfigured network',
        mutate(base, (r) => {
          r.paymentRequirements.network = 'eip155:999999';
          r.paymentPayload.accepted.network = 'eip155:999999';
        }),
      );
    }
    return cases;
  }

  async function theirs(c: Case): Promise<string> {
    try {
      const result = await official.verify(c.request.paymentPayload as never, c.request.paymentRequirements as never);
      return result.isValid ? 'valid' : `invalid:${result.invalidReason}`;
    } catch {
      return 'throw';
    }
  }

  async function ours(c: Case): Promise<string> {
    const res = await fetch(`${fac.url}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        x402Version: 2,
        paymentPayload: c.request.paymentPayload,
        paymentRequirements: c.request.paymentRequirements,
      }),
    });
    const body = (await res.json()) as { isValid: boolean; invalidReason?: string };
    if (res.status !== 200) return `http${res.status}:${body.invalidReason}`;
    return body.isValid ? 'valid' : `invalid:${body.invalidReason}`;
  }

  it('gives identical verdicts and reason codes on ≥ 200 payloads, except the listed deliberate differences', async () => {
    const cases = await corpus();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const mismatches: string[] = [];
    const seenDeliberate = new Set<string>();
    const tally = new Map<string, number>();
    for (const c of cases) {
      const [official, our] = [await theirs(c), await ours(c)];
      tally.set(`${c.name} → ${our}`, (tally.get(`${c.name} → ${our}`) ?? 0) + 1);
      const deliberate = DELIBERATE[c.name];
      if (deliberate) {
        seenDeliberate.add(c.name);
        if (official !== deliberate.official || our !== deliberate.ours)
          mismatches.push(
            `${c.name}: official ${official}, ours ${our} (expected ${deliberate.official} / ${deliberate.ours})`,
          );
      } else if (official !== our) {
        mismatches.push(`${c.name}: official ${official}, ours ${our}`);
      }
    }
    if (process.env.DIFF_VERBOSE) console.log([...tally].map(([k, n]) => `${n} × ${k}`).join('\n'));
    expect(mismatches).toEqual([]);
    expect([...seenDeliberate].sort()).toEqual(Object.keys(DELIBERATE).sort());
    // Every kind of case reached a verdict we expect, and the corpus really covers the SDK's reasons.
    const verdicts = new Set([...tally.keys()].map((k) => k.split(' → ')[1]));
    for (const reason of [
      'valid',
      EvmReason.InvalidSignature,
      EvmReason.RecipientMismatch,
      EvmReason.AuthorizationValueMismatch,
      EvmReason.ValidBeforeExpired,
      EvmReason.ValidAfterInFuture,
      EvmReason.TokenNameMismatch,
      EvmReason.TokenVersionMismatch,
      EvmReason.InsufficientBalance,
      EvmReason.NonceAlreadyUsed,
      EvmReason.InvalidScheme,
      EvmReason.NetworkMismatch,
      EvmReason.MissingEip712Domain,
      EvmReason.FactoryNotAllowed,
      EvmReason.AssetNotDeployedContract,
      EvmReason.SimulationFailed,
    ]) {
      expect(verdicts.has(reason === 'valid' ? 'valid' : `invalid:${reason}`)).toBe(true);
    }
  });
});
