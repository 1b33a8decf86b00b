import { HTTPFacilitatorClient } from '@x402/core/server';
import { EvmReason, type FacilitatorRequestV2, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { type DevChain, devChainNetwork, signEip3009Request, startDevChain, TEST_USDC_ABI } from '@x402-ledger/evm';
import { getAddress, parseEventLogs } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { allEvents, startFacilitatorApp, type FacilitatorApp } from './support/facilitator-app';

describe('FacilitatorModule over HTTP (dev chain, embedded log)', () => {
  let dev: DevChain;
  let fac: FacilitatorApp;
  let client: HTTPFacilitatorClient;
  let requirements: PaymentRequirementsV2;
  let buyerIndex = 0;

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    fac = await startFacilitatorApp({ networks: [devChainNetwork(dev)] });
    client = new HTTPFacilitatorClient({ url: fac.url });
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
  afterAll(async () => {
    await fac?.close();
    await dev?.close();
  });

  const buyer = () => privateKeyToAccount(dev.buyers[buyerIndex++ % dev.buyers.length].privateKey);
  const sign = (extra: Partial<Parameters<typeof signEip3009Request>[0]> = {}) =>
    signEip3009Request({ account: buyer(), requirements, chainId: dev.chainId, ...extra });
  const balance = (address: `0x${string}`) =>
    dev.publicClient.readContract({
      address: dev.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [address],
    }) as Promise<bigint>;
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${fac.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const transfersIn = async (hash: `0x${string}`) => {
    const receipt = await dev.publicClient.getTransactionReceipt({ hash });
    return parseEventLogs({ abi: TEST_USDC_ABI, eventName: 'Transfer', logs: receipt.logs });
  };

  it('GET /supported lists concrete networks, V1 names and our signers, parsed by the SDK client', async () => {
    const sut = await client.getSupported();
    expect(sut.kinds).toEqual([
      { x402Version: 2, scheme: 'exact', network: 'eip155:31337' },
      { x402Version: 1, scheme: 'exact', network: 'hardhat' },
    ]);
    expect(sut.signers['eip155:*']).toEqual(dev.facilitatorSigners.map((s) => s.address));
    expect(sut.extensions).toEqual(['payment-identifier']);
  });

  it('verify → settle moves the money once; a copy is refused at verify and a replayed settle names the tx', async () => {
    const request = await sign();
    const { paymentPayload: p, paymentRequirements: r } = request;
    const before = await balance(dev.providers[0].address);

    const verified = await client.verify(p as never, r as never);
    expect(verified).toEqual({
      isValid: true,
      payer: (p.payload as { authorization: { from: string } }).authorization.from,
    });

    const copy = await client.verify(p as never, r as never);
    expect(copy).toMatchObject({ isValid: false, invalidReason: EvmReason.NonceAlreadyUsed });

    const settled = await client.settle(p as never, r as never);
    expect(settled).toMatchObject({
      success: true,
      network: 'eip155:31337',
      transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(await balance(dev.providers[0].address)).toBe(before + 1000n);
    expect(await transfersIn(settled.transaction as `0x${string}`)).toHaveLength(1);

    const replay = await client.settle(p as never, r as never);
    expect(replay).toEqual({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
      errorMessage: 'this payment is already settled',
      transaction: settled.transaction,
      network: 'eip155:31337',
      payer: settled.payer,
    });

    const events = (await allEvents(fac.eventLog)).filter((e) => e.data.payer === getAddress(settled.payer!));
    expect(events.map((e) => e.type)).toEqual(['payment.verified', 'payment.settlement_submitted', 'payment.settled']);
    expect(events.every((e) => e.tenant === 'dev')).toBe(true);
    expect(events[2].data).toMatchObject({
      txHash: settled.transaction,
      amount: '1000',
      payTo: dev.providers[0].address,
      resourceUrl: 'http://127.0.0.1:4021/weather',
      blockNumber: expect.stringMatching(/^[1-9][0-9]*$/),
      gasUsed: expect.stringMatching(/^[1-9][0-9]*$/),
    });
  });

  it('10 concurrent settles of one payload (upfront flow): one broadcast, one success, the others name its tx', async () => {
    const request = await sign();
    const before = await balance(dev.providers[0].address);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.settle(request.paymentPayload as never, request.paymentRequirements as never),
      ),
    );
    const wins = answers.filter((a) => a.success);
    expect(wins).toHaveLength(1);
    const losers = answers.filter((a) => !a.success);
    expect(
      losers.every((a) => a.errorReason === EvmReason.NonceAlreadyUsed && a.transaction === wins[0].transaction),
    ).toBe(true);
    expect(await balance(dev.providers[0].address)).toBe(before + 1000n);
    const submitted = (await allEvents(fac.eventLog)).filter(
      (e) => e.type === 'payment.settlement_submitted' && e.data.txHash === wins[0].transaction,
    );
    expect(submitted).toHaveLength(1);
  });

  it('answers negative verdicts with 200, settle failures with transaction "" and network', async () => {
    const tampered = await sign();
    (tampered.paymentPayload.payload as { authorization: { value: string } }).authorization.value = '999';
    expect(await client.verify(tampered.paymentPayload as never, tampered.paymentRequirements as never)).toMatchObject({
      isValid: false,
      invalidReason: EvmReason.InvalidSignature,
    });
    const expired = await sign({ authorization: { validBefore: String(Math.floor(Date.now() / 1000) - 10) } });
    const res = await post('/settle', JSON.stringify(expired));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      success: false,
      errorReason: EvmReason.ValidBeforeExpired,
      transaction: '',
      network: 'eip155:31337',
    });
  });

  it.each([
    ['malformed JSON', '{"x402Version":2,', /malformed JSON/],
    [
      'a wrong shape',
      JSON.stringify({ paymentPayload: { x402Version: 2 }, paymentRequirements: {} }),
      /paymentPayload\.accepted: Required/,
    ],
    [
      'an unknown version',
      JSON.stringify({ paymentPayload: { x402Version: 7 }, paymentRequirements: {} }),
      /expected 1 or 2/,
    ],
    ['an oversized body', JSON.stringify({ pad: 'x'.repeat(300_000) }), /too large/],
  ])('answers %s with 400 and a clear message on both endpoints', async (_case, body, message) => {
    for (const path of ['/verify', '/settle']) {
      const res = await post(path, body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as Record<string, unknown>;
      expect(json.invalidMessage ?? json.errorMessage).toMatch(message);
      if (path === '/settle') expect(json).toMatchObject({ success: false, transaction: '' });
    }
  });

  it('rejects a non-payment-shaped payload field with 400 naming the field', async () => {
    const request = await sign();
    (request.paymentPayload.payload as { authorization: { value: string } }).authorization.value = 'ten';
    const res = await post('/verify', JSON.stringify(request));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      isValid: false,
      invalidReason: 'invalid_payload',
      invalidMessage: expect.stringContaining('authorization.value'),
    });
  });

  it('accepts V1 payloads and answers with the V1 network name', async () => {
    const request = await sign();
    const v1 = {
      x402Version: 1,
      paymentPayload: { x402Version: 1, scheme: 'exact', network: 'hardhat', payload: request.paymentPayload.payload },
      paymentRequirements: {
        scheme: 'exact',
        network: 'hardhat',
        maxAmountRequired: requirements.amount,
        resource: 'http://127.0.0.1/v1',
        description: 'v1',
        payTo: requirements.payTo,
        maxTimeoutSeconds: 300,
        asset: requirements.asset,
        extra: requirements.extra,
      },
    };
    const verified = await (await post('/verify', JSON.stringify(v1))).json();
    expect(verified).toMatchObject({ isValid: true });
    const settled = await (await post('/settle', JSON.stringify(v1))).json();
    expect(settled).toMatchObject({ success: true, network: 'hardhat' });
  });

  it('payment-identifier: same id + other payload → 409; same id + same payload → the recorded outcome', async () => {
    const withId = (req: FacilitatorRequestV2, id: string): FacilitatorRequestV2 => ({
      ...req,
      paymentPayload: {
        ...req.paymentPayload,
        extensions: { 'payment-identifier': { info: { required: false, id } } },
      },
    });
    const id = `pay_${'a1'.repeat(16)}`;
    const first = withId(await sign(), id);
    const settled = await client.settle(first.paymentPayload as never, first.paymentRequirements as never);
    expect(settled.success).toBe(true);
    const again = await client.settle(first.paymentPayload as never, first.paymentRequirements as never);
    expect(again).toMatchObject({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
      transaction: settled.transaction,
    });
    const other = withId(await sign(), id);
    const res = await post('/settle', JSON.stringify(other));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      success: false,
      errorReason: 'payment_identifier_conflict',
      transaction: '',
    });
  });
});
