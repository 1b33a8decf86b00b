import { HTTPFacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { toClientEvmSigner } from '@x402/evm';
import { EvmReason, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { type DevChain, devChainNetwork, type Permit2Payload, startDevChain, TEST_TOKEN_ABI } from '@x402-ledger/evm';
import { getAddress, parseEventLogs, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { allEvents, startFacilitatorApp, type FacilitatorApp } from './support/facilitator-app';
import { officialFacilitator } from './support/official-facilitator';

/**
 * Permit2 through our facilitator's HTTP API on the real Hardhat dev chain (Permit2 + x402ExactPermit2Proxy at their
 * canonical addresses, TestToken without EIP-3009), with payloads built by the OFFICIAL @x402/evm exact client.
 */
describe('Permit2 over HTTP (dev chain, official client payloads)', () => {
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
      amount: '1500000000000000000', // 1.5 TT (18 decimals)
      asset: dev.permit2.token.address,
      payTo: dev.providers[1].address,
      maxTimeoutSeconds: 300,
      extra: { assetTransferMethod: 'permit2' },
    };
  }, 60_000);
  afterAll(async () => {
    await fac?.close();
    await dev?.close();
  });

  /** A full PaymentPayload as @x402/core's client assembles it around the scheme's createPaymentPayload. */
  const officialPayload = async (privateKey: `0x${string}`, reqs = requirements) => {
    const scheme = new ExactEvmScheme(toClientEvmSigner(privateKeyToAccount(privateKey)));
    const partial = await scheme.createPaymentPayload(2, reqs as never);
    return {
      ...partial,
      x402Version: 2,
      resource: { url: 'http://127.0.0.1/paid', description: 'paid', mimeType: 'application/json' },
      accepted: reqs,
    };
  };
  const approvedBuyer = () => dev.permit2.approvedBuyers[buyerIndex++ % dev.permit2.approvedBuyers.length];
  const balance = (address: Address) =>
    dev.publicClient.readContract({
      address: dev.permit2.token.address,
      abi: TEST_TOKEN_ABI,
      functionName: 'balanceOf',
      args: [address],
    });

  it('dev chain: Permit2, the proxy and TestToken are installed; buyers are funded and approved (but one)', async () => {
    for (const address of [dev.permit2.permit2Address, dev.permit2.proxyAddress, dev.permit2.token.address]) {
      expect((await dev.publicClient.getCode({ address }))?.length).toBeGreaterThan(100);
    }
    const allowance = (owner: Address) =>
      dev.publicClient.readContract({
        address: dev.permit2.token.address,
        abi: TEST_TOKEN_ABI,
        functionName: 'allowance',
        args: [owner, dev.permit2.permit2Address],
      });
    expect(await allowance(dev.permit2.approvedBuyers[0].address)).toBe(2n ** 256n - 1n);
    expect(await allowance(dev.permit2.unapprovedBuyer.address)).toBe(0n);
    expect(await balance(dev.permit2.unapprovedBuyer.address)).toBe(10n ** 24n);
  });

  it('verify → settle moves the tokens through the proxy once; replays are refused and move nothing', async () => {
    const buyer = approvedBuyer();
    const payload = await officialPayload(buyer.privateKey);
    const payTo = getAddress(requirements.payTo);
    const [buyerBefore, payToBefore] = [await balance(buyer.address), await balance(payTo)];

    expect(await client.verify(payload as never, requirements as never)).toEqual({
      isValid: true,
      payer: buyer.address,
    });
    const settled = await client.settle(payload as never, requirements as never);
    expect(settled).toMatchObject({ success: true, network: dev.network, payer: buyer.address });

    const receipt = await dev.publicClient.getTransactionReceipt({ hash: settled.transaction as `0x${string}` });
    expect(getAddress(receipt.to!)).toBe(dev.permit2.proxyAddress);
    const transfers = parseEventLogs({ abi: TEST_TOKEN_ABI, eventName: 'Transfer', logs: receipt.logs });
    expect(transfers.map((t) => t.args)).toEqual([
      { from: buyer.address, to: payTo, value: 1_500_000_000_000_000_000n },
    ]);
    expect(await balance(buyer.address)).toBe(buyerBefore - 1_500_000_000_000_000_000n);
    expect(await balance(payTo)).toBe(payToBefore + 1_500_000_000_000_000_000n);

    // Replays of the very same payload: at /verify and at /settle, nothing broadcast, the tx named.
    expect(await client.verify(payload as never, requirements as never)).toMatchObject({
      isValid: false,
      invalidReason: EvmReason.NonceAlreadyUsed,
    });
    const replay = await client.settle(payload as never, requirements as never);
    expect(replay).toMatchObject({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
      transaction: settled.transaction,
    });
    expect(await balance(payTo)).toBe(payToBefore + 1_500_000_000_000_000_000n);

    const nonce = (payload.payload as { permit2Authorization: { nonce: string } }).permit2Authorization.nonce;
    const events = (await allEvents(fac.eventLog)).filter(
      (e) => (e.data as { payer?: string }).payer === buyer.address && e.type.startsWith('payment.'),
    );
    expect(events.map((e) => e.type)).toEqual(['payment.verified', 'payment.settlement_submitted', 'payment.settled']);
    expect(events[0].data).toMatchObject({
      assetTransferMethod: 'permit2',
      signatureKind: 'eoa',
      nonce,
      asset: dev.permit2.token.address,
      amount: '1500000000000000000',
    });
    expect(events[2].data).toMatchObject({ txHash: settled.transaction, gasUsed: receipt.gasUsed.toString() });
  });

  it('a payment already consumed on chain (unknown to us) is refused by the simulation: permit2_simulation_failed', async () => {
    const buyer = approvedBuyer();
    const payload = await officialPayload(buyer.privateKey);
    // Settled by someone else first (directly through the proxy), so our state knows nothing of it.
    const auth = (payload.payload as unknown as Permit2Payload).permit2Authorization;
    const other = dev.walletClientFor(dev.facilitatorSigners[3]);
    const { x402ExactPermit2ProxyABI } = await import('@x402/evm');
    const hash = await other.writeContract({
      address: dev.permit2.proxyAddress,
      abi: x402ExactPermit2ProxyABI,
      functionName: 'settle',
      args: [
        {
          permitted: { token: getAddress(auth.permitted.token), amount: BigInt(auth.permitted.amount) },
          nonce: BigInt(auth.nonce),
          deadline: BigInt(auth.deadline),
        },
        getAddress(auth.from),
        { to: getAddress(auth.witness.to), validAfter: BigInt(auth.witness.validAfter) },
        (payload.payload as { signature: `0x${string}` }).signature,
      ],
    });
    expect((await dev.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    const answer = await client.verify(payload as never, requirements as never);
    expect(answer).toMatchObject({ isValid: false, invalidReason: 'permit2_simulation_failed' });
    expect(answer.invalidMessage).toMatch(/InvalidNonce/);
  });

  it('a buyer who has not approved Permit2 gets permit2_allowance_required (isValid:false, HTTP 200)', async () => {
    const payload = await officialPayload(dev.permit2.unapprovedBuyer.privateKey);
    const res = await fetch(`${fac.url}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x402Version: 2, paymentPayload: payload, paymentRequirements: requirements }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      isValid: false,
      invalidReason: 'permit2_allowance_required',
      payer: dev.permit2.unapprovedBuyer.address,
    });
  });

  it('the official x402Facilitator reaches the same verdicts on the dev chain (contracts are SDK-compatible)', async () => {
    const official = officialFacilitator({
      rpcUrl: dev.rpcUrl,
      chain: dev.chain,
      network: dev.network,
      privateKey: dev.facilitatorSigners[2].privateKey,
    });
    const valid = await officialPayload(approvedBuyer().privateKey);
    const unapproved = await officialPayload(dev.permit2.unapprovedBuyer.privateKey);
    const raised = { ...requirements, amount: '2000000000000000000' };
    // (From another payload: a copy of `valid` would be refused by ours as reserved, stricter than the SDK.)
    const tampered = structuredClone(await officialPayload(approvedBuyer().privateKey)) as typeof valid & {
      payload: Permit2Payload;
    };
    tampered.payload.permit2Authorization.permitted.amount = raised.amount;
    tampered.accepted = raised;
    const cases = [
      [valid, requirements],
      [unapproved, requirements],
      [tampered, raised],
    ] as const;
    for (const [payload, reqs] of cases) {
      const theirs = await official.verify(payload as never, reqs as never);
      const ours = await client.verify(payload as never, reqs as never);
      expect({ isValid: ours.isValid, reason: ours.invalidReason }).toEqual({
        isValid: theirs.isValid,
        reason: theirs.invalidReason,
      });
    }
    // The official facilitator settles on our dev contracts too (then ours refuses the spent payment).
    const settled = await official.settle(valid as never, requirements as never);
    expect(settled).toMatchObject({ success: true });
  });

  it('a tampered amount (requirements raised to match) fails the signature: invalid_permit2_signature', async () => {
    const payload = await officialPayload(approvedBuyer().privateKey);
    const raised = { ...requirements, amount: '2000000000000000000' };
    const tampered = structuredClone(payload) as typeof payload & { payload: Permit2Payload };
    tampered.payload.permit2Authorization.permitted.amount = raised.amount;
    tampered.accepted = raised;
    expect(await client.verify(tampered as never, raised as never)).toMatchObject({
      isValid: false,
      invalidReason: 'invalid_permit2_signature',
    });
    const settle = await client.settle(tampered as never, raised as never);
    expect(settle).toMatchObject({ success: false, errorReason: 'invalid_permit2_signature', transaction: '' });
  });

  it('an ERC-1271 smart wallet pays through Permit2 (signatureKind erc1271)', async () => {
    const owner = privateKeyToAccount(dev.permit2.approvedBuyers[0].privateKey);
    const wallet = await dev.deploySmartWallet(owner.address);
    await dev.setTestTokenBalance(wallet, 10n ** 21n);
    await dev.setTestTokenAllowance(wallet, dev.permit2.permit2Address, 2n ** 256n - 1n);
    // The official client signs with `signer.address` as `from`: a signer whose address is the wallet, signing as its owner.
    const signer = toClientEvmSigner({ ...owner, address: wallet } as never);
    const scheme = new ExactEvmScheme(signer);
    const partial = await scheme.createPaymentPayload(2, requirements as never);
    const payload = { ...partial, x402Version: 2, resource: { url: 'http://127.0.0.1/paid' }, accepted: requirements };
    expect(await client.verify(payload as never, requirements as never)).toEqual({ isValid: true, payer: wallet });
    const settled = await client.settle(payload as never, requirements as never);
    expect(settled).toMatchObject({ success: true, payer: wallet });
    expect(await balance(wallet)).toBe(10n ** 21n - 1_500_000_000_000_000_000n);
    const verified = (await allEvents(fac.eventLog)).find(
      (e) => e.type === 'payment.verified' && (e.data as { payer?: string }).payer === getAddress(wallet),
    );
    expect(verified?.data).toMatchObject({ signatureKind: 'erc1271', assetTransferMethod: 'permit2' });
  });
});
