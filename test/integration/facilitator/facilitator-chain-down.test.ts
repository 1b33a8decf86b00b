import { SignerKey, signEip3009Request, type NetworkConfig } from '@x402-ledger/evm';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { startFacilitatorApp, type FacilitatorApp } from './support/facilitator-app';

describe('FacilitatorModule when the chain is unreachable', () => {
  let fac: FacilitatorApp;
  const network: NetworkConfig = {
    network: 'eip155:31337',
    chainId: 31337,
    displayName: 'down',
    v1Name: null,
    rpcUrls: ['http://127.0.0.1:1'],
    assets: [],
    confirmations: 1,
    gasLimits: { transferWithAuthorization: 200_000n, deployment: 1_000_000n },
    feeModel: 'eip1559',
    signerKeys: [SignerKey.parse(generatePrivateKey())!],
    eip6492AllowedFactories: [],
    receiptTimeoutMs: 1_000,
    receiptPollMs: 50,
    rpcTimeoutMs: 1_000,
  };
  beforeAll(async () => {
    fac = await startFacilitatorApp({ networks: [network] });
  });
  afterAll(() => fac?.close());

  it('answers 503 with protocol-shaped bodies (never 500), and records nothing', async () => {
    const request = await signEip3009Request({
      account: privateKeyToAccount(generatePrivateKey()),
      chainId: 31337,
      requirements: {
        scheme: 'exact',
        network: 'eip155:31337',
        amount: '1',
        asset: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
        maxTimeoutSeconds: 60,
        extra: { name: 'USD Coin', version: '2' },
      },
    });
    const post = (path: string) =>
      fetch(`${fac.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
    const verify = await post('/verify');
    expect(verify.status).toBe(503);
    expect(await verify.json()).toMatchObject({ isValid: false, invalidReason: 'unexpected_verify_error' });
    const settle = await post('/settle');
    expect(settle.status).toBe(503);
    expect(await settle.json()).toMatchObject({
      success: false,
      errorReason: 'unexpected_settle_error',
      transaction: '',
      network: 'eip155:31337',
    });
    let records = 0;
    await fac.eventLog.replay(async (batch) => {
      records += batch.length;
    });
    expect(records).toBe(0);
  });
});
