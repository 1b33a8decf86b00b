import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadNetworksFile, networksFromEnv, resolveNetworks } from './load-networks';
import { NetworksErrorCode, NetworksException } from './networks.exception';

const KEY_A = `0x${'a1'.repeat(32)}`;
const KEY_B = `0x${'b2'.repeat(32)}`;
const entry = {
  network: 'eip155:84532',
  rpcUrls: ['https://rpc-a.example', 'https://rpc-b.example'],
  assets: [
    { address: '0x036cbd53842c5426634e7929541ec2318f3dcf7e', name: 'USDC', version: '2', decimals: 6, symbol: 'USDC' },
  ],
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetworksException);
    return (e as NetworksException).problems;
  }
  throw new Error('expected NetworksException');
}

describe('networks configuration', () => {
  it('applies defaults, checksums assets and keeps RPC failover order', () => {
    const [sut] = resolveNetworks({ networks: [entry] }, { defaultSignerKeys: [KEY_A, KEY_B] });
    expect(sut).toMatchObject({
      network: 'eip155:84532',
      chainId: 84532,
      rpcUrls: ['https://rpc-a.example', 'https://rpc-b.example'],
      confirmations: 1,
      feeModel: 'eip1559',
      gasLimits: { transferWithAuthorization: 200_000n, deployment: 1_500_000n },
      receiptTimeoutMs: 60_000,
    });
    expect(sut.assets[0].address).toBe('0x036CbD53842c5426634e7929541eC2318f3dCF7e');
    expect(sut.signerKeys.map((k) => k.reveal())).toEqual([KEY_A, KEY_B]);
  });

  it('never prints signer keys', () => {
    const [sut] = resolveNetworks({ networks: [entry] }, { defaultSignerKeys: [KEY_A] });
    expect(JSON.stringify(sut, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('a1a1');
    expect(inspect(sut, { depth: 5 })).not.toContain('a1a1');
    expect(`${sut.signerKeys[0]}`).toBe('[redacted]');
  });

  it('reads per-network keys from an env variable or a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-net-'));
    writeFileSync(join(dir, 'keys'), `${KEY_B}\n`);
    const sut = resolveNetworks(
      {
        networks: [
          { ...entry, signerKeysEnv: 'BASE_KEYS' },
          { ...entry, network: 'eip155:8453', signerKeysFile: join(dir, 'keys') },
        ],
      },
      { env: { BASE_KEYS: `${KEY_A}, ${KEY_B}` } },
    );
    expect(sut[0].signerKeys).toHaveLength(2);
    expect(sut[1].signerKeys.map((k) => k.reveal())).toEqual([KEY_B]);
  });

  it('lists every problem at once and hides key values', () => {
    const sut = problems(() =>
      resolveNetworks(
        { networks: [entry, { ...entry, signerKeysEnv: 'MISSING' }] },
        { defaultSignerKeys: ['0xnot-a-secret-key'] },
      ),
    );
    expect(sut).toEqual([
      'FACILITATOR_PRIVATE_KEYS: entry 1 is not a 0x-prefixed 32-byte hex key (value hidden)',
      'networks.0 (eip155:84532): no signer keys (signerKeysEnv, signerKeysFile or FACILITATOR_PRIVATE_KEYS)',
      'networks.1 (eip155:84532): network listed twice',
      'networks.1 (eip155:84532): signerKeysEnv MISSING is not set',
      'networks.1 (eip155:84532): no signer keys (signerKeysEnv, signerKeysFile or FACILITATOR_PRIVATE_KEYS)',
    ]);
    expect(sut.join('\n')).not.toContain('not-a-secret');
  });

  it('rejects wrong shapes with field paths', () => {
    const sut = problems(() => resolveNetworks({ networks: [{ ...entry, network: 'base', rpcUrls: [] }] }));
    expect(sut.some((p) => p.startsWith('networks.0.network'))).toBe(true);
    expect(sut.some((p) => p.startsWith('networks.0.rpcUrls'))).toBe(true);
  });

  it('loads a file and the one-network env shortcut', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-net-'));
    writeFileSync(join(dir, 'networks.json'), JSON.stringify({ networks: [entry] }));
    expect(loadNetworksFile(join(dir, 'networks.json'), { defaultSignerKeys: [KEY_A] })).toHaveLength(1);
    expect(() => loadNetworksFile(join(dir, 'nope.json'))).toThrow(
      expect.objectContaining({ code: NetworksErrorCode.UNREADABLE_FILE }),
    );
    const [sut] = networksFromEnv(
      {
        RPC_URL: 'http://127.0.0.1:8545',
        RPC_FALLBACK_URLS: 'http://127.0.0.1:8546',
        NETWORK: 'eip155:31337',
        CONFIRMATIONS: '2',
      },
      [KEY_A],
    );
    expect(sut).toMatchObject({
      chainId: 31337,
      confirmations: 2,
      rpcUrls: ['http://127.0.0.1:8545', 'http://127.0.0.1:8546'],
    });
  });
});
