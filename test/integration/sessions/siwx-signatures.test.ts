import { createSIWxPayload, encodeSIWxHeader } from '@x402/extensions/sign-in-with-x';
import { startDevChain, TEST_SMART_WALLET_ABI, TEST_SMART_WALLET_BYTECODE, type DevChain } from '@x402-ledger/evm';
import { SessionsErrorCode, ViemSignatureVerifier } from '@x402-ledger/sessions';
import {
  concatHex,
  encodeDeployData,
  getAddress,
  getContractAddress,
  hashMessage,
  keccak256,
  serializeErc6492Signature,
  toHex,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startSessionsApp, type SessionsApp } from '../../../libs/sessions/src/testing/sessions-app';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Arachnid's deterministic deployment proxy (CREATE2 factory: calldata = salt ‖ initcode). */
const CREATE2_PROXY = '0x4e59b44847b379578588920ca78fbf26c0b4956c' as const;
const CREATE2_PROXY_CODE =
  '0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3';

describe('SIWx signatures on a real chain: EOA, ERC-1271, ERC-6492', () => {
  let dev: DevChain;
  let app: SessionsApp;
  const owner = privateKeyToAccount(`0x${'42'.repeat(32)}`);
  const stranger = privateKeyToAccount(`0x${'43'.repeat(32)}`);
  const message = 'api.example.com wants you to sign in with your Ethereum account:\n…';

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    await dev.provider.request({ method: 'hardhat_setCode', params: [CREATE2_PROXY, CREATE2_PROXY_CODE] });
    app = await startSessionsApp({
      dataDir: mkdtempSync(join(tmpdir(), 'x402-siwx-sig-')),
      sessions: {
        auth: { apiKeys: { key_for_signature_tests_0123: 'acme' } },
        publicClients: { [dev.network]: dev.publicClient },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await dev?.close();
  });

  /** A counterfactual TestSmartWallet of `owner` (ERC-6492 wrapper data = the CREATE2 proxy call). */
  function counterfactual(salt: Hex) {
    const initcode = encodeDeployData({
      abi: TEST_SMART_WALLET_ABI,
      bytecode: TEST_SMART_WALLET_BYTECODE,
      args: [owner.address],
    });
    const address = getContractAddress({ opcode: 'CREATE2', from: CREATE2_PROXY, salt, bytecode: initcode });
    return { address, factoryData: concatHex([salt, initcode]) };
  }

  it('verifies EOA, deployed smart wallet (1271) and counterfactual smart wallet (6492) signatures, and refuses forgeries', async () => {
    const sut = new ViemSignatureVerifier(new Map([[dev.network, dev.publicClient]]));
    const network = dev.network;

    const eoa = await owner.signMessage({ message });
    expect(await sut.verify({ network, address: owner.address, message, signature: eoa })).toBe(true);
    expect(await sut.verify({ network, address: stranger.address, message, signature: eoa })).toBe(false);

    const wallet = await dev.deploySmartWallet(owner.address);
    const byOwner = await owner.sign({ hash: hashMessage(message) });
    const byStranger = await stranger.sign({ hash: hashMessage(message) });
    expect(await sut.verify({ network, address: wallet, message, signature: byOwner })).toBe(true);
    expect(await sut.verify({ network, address: wallet, message, signature: byStranger })).toBe(false);

    const cf = counterfactual(keccak256(toHex('wallet-1')));
    expect(await dev.publicClient.getCode({ address: cf.address })).toBeUndefined();
    const wrapped = serializeErc6492Signature({ address: CREATE2_PROXY, data: cf.factoryData, signature: byOwner });
    expect(await sut.verify({ network, address: cf.address, message, signature: wrapped })).toBe(true);
    const wrappedStranger = serializeErc6492Signature({
      address: CREATE2_PROXY,
      data: cf.factoryData,
      signature: byStranger,
    });
    expect(await sut.verify({ network, address: cf.address, message, signature: wrappedStranger })).toBe(false);
    // Verification simulates the deployment; nothing is deployed.
    expect(await dev.publicClient.getCode({ address: cf.address })).toBeUndefined();

    // Without a client for the network only EOAs verify (a smart wallet is refused, not guessed).
    const offline = new ViemSignatureVerifier();
    expect(await offline.verify({ network, address: owner.address, message, signature: eoa })).toBe(true);
    expect(await offline.verify({ network, address: wallet, message, signature: byOwner })).toBe(false);
    expect(await offline.verify({ network, address: owner.address, message, signature: '0xzz' as Hex })).toBe(false);
  });

  it('accepts SIWx proofs of smart wallets signed through the official client (1271 and 6492)', async () => {
    const service = app.service;
    const p = { tenant: 'acme', admin: false, subject: 'test' };
    const wallet = await dev.deploySmartWallet(owner.address);
    const cf = counterfactual(keccak256(toHex('wallet-2')));
    const signers = {
      erc1271: {
        address: wallet,
        signMessage: async ({ message: m }: { message: string }) => owner.sign({ hash: hashMessage(m) }),
      },
      erc6492: {
        address: cf.address,
        signMessage: async ({ message: m }: { message: string }) =>
          serializeErc6492Signature({
            address: CREATE2_PROXY,
            data: cf.factoryData,
            signature: await owner.sign({ hash: hashMessage(m) }),
          }),
      },
      forged: {
        address: wallet,
        signMessage: async ({ message: m }: { message: string }) => stranger.sign({ hash: hashMessage(m) }),
      },
    };
    const proofFor = async (signer: (typeof signers)[keyof typeof signers]) => {
      const { nonces } = await service.issueNonces(p, 'http://127.0.0.1:4021', 1);
      const payload = await createSIWxPayload(
        {
          domain: '127.0.0.1:4021',
          uri: 'http://127.0.0.1:4021/weather',
          version: '1',
          nonce: nonces[0].nonce,
          issuedAt: new Date().toISOString(),
          resources: ['http://127.0.0.1:4021/weather'],
          chainId: dev.network,
          type: 'eip191',
        },
        signer,
        'http://127.0.0.1:4021/weather',
      );
      return encodeSIWxHeader(payload);
    };
    expect((await service.verifyProof('acme', await proofFor(signers.erc1271))).wallet).toBe(getAddress(wallet));
    expect((await service.verifyProof('acme', await proofFor(signers.erc6492))).wallet).toBe(cf.address);
    await expect(service.verifyProof('acme', await proofFor(signers.forged))).rejects.toMatchObject({
      code: SessionsErrorCode.SIWX_REJECTED,
      reason: 'invalid_siwx_signature',
    });
  });
});
