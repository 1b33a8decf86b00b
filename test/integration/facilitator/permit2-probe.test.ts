import {
  type DevChain,
  Permit2Verifier,
  signPermit2Request,
  startDevChain,
  ViemEvmChain,
  type Permit2VerifyOutcome,
} from '@x402-ledger/evm';
import type { FacilitatorRequestV2, PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { privateKeyToAccount } from 'viem/accounts';

/**
 * The Permit2 probe on the real dev chain through both transports — the batched runner (state override, many checks
 * per eth_call, each isolated in a reverting self-call) and one Multicall3 call per check — must give the same
 * verdicts; in a batch, copies of one payment must not see each other's simulated transfer.
 */
describe('Permit2 probe transports (dev chain)', () => {
  let dev: DevChain;
  let requirements: PaymentRequirementsV2;
  const sut = new Permit2Verifier({ validBeforeSkewSeconds: 5, simulate: true });
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    requirements = {
      scheme: 'exact',
      network: dev.network,
      amount: '1000',
      asset: dev.permit2.token.address,
      payTo: dev.providers[0].address,
      maxTimeoutSeconds: 300,
      extra: { assetTransferMethod: 'permit2' },
    };
  }, 60_000);
  afterAll(() => dev?.close());

  const chainWith = (permit2Probe: 'runner' | 'multicall') =>
    new ViemEvmChain({ network: dev.network, chainId: dev.chainId, rpcUrls: [dev.rpcUrl], permit2Probe });
  const sign = (privateKey: `0x${string}`, authorization = {}) =>
    signPermit2Request({ account: privateKeyToAccount(privateKey), requirements, chainId: dev.chainId, authorization });
  const verdict = (o: Permit2VerifyOutcome) => (o.isValid ? 'valid' : o.reason);

  it('runner and multicall agree on every verdict (and on the signature kind)', async () => {
    const approved = dev.permit2.approvedBuyers.map((b) => b.privateKey);
    const poor = privateKeyToAccount(approved[3]);
    await dev.setTestTokenBalance(poor.address, 10n);
    const requests: FacilitatorRequestV2[] = [
      ...(await Promise.all(approved.slice(0, 3).map((k) => sign(k)))),
      await sign(dev.permit2.unapprovedBuyer.privateKey),
      await sign(approved[3]),
      await sign(approved[0], { amount: '999' }),
    ];
    const tampered = structuredClone(await sign(approved[1]));
    (tampered.paymentPayload.payload as { signature: string }).signature = `0x${'11'.repeat(64)}1b` as `0x${string}`;
    requests.push(tampered);
    const expected = [
      'valid',
      'valid',
      'valid',
      'permit2_allowance_required',
      'permit2_insufficient_balance',
      'permit2_amount_mismatch',
      'invalid_permit2_signature',
    ];
    const runner = chainWith('runner');
    const multicall = chainWith('multicall');
    const viaRunner = await Promise.all(requests.map((r) => sut.verify(r, runner, now())));
    const viaMulticall = await Promise.all(requests.map((r) => sut.verify(r, multicall, now())));
    expect(viaRunner.map(verdict)).toEqual(expected);
    expect(viaMulticall.map(verdict)).toEqual(expected);
    expect(runner.permit2ProbeTransport).toBe('runner');
    expect(viaRunner.map((o) => o.facts.signatureKind)).toEqual(viaMulticall.map((o) => o.facts.signatureKind));
  });

  it('isolates checks in one runner batch: 8 copies of one payment all simulate as the first', async () => {
    const request = await sign(dev.permit2.approvedBuyers[1].privateKey);
    const runner = chainWith('runner');
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => sut.verify(request, runner, now())));
    expect(outcomes.map(verdict)).toEqual(Array(8).fill('valid'));
  });
});
