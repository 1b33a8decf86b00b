import { bytesToHex, hexToBytes, type Hex } from 'viem';
import {
  decodeProbeOutput,
  encodeRunnerCall,
  packCheck,
  runnerCheckSize,
  type Eip3009ProbeCheck,
} from './eip3009-probe.codec';

const check: Eip3009ProbeCheck = {
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  value: 1000n,
  validAfter: 0n,
  validBefore: 2n ** 40n,
  nonce: `0x${'ab'.repeat(32)}`,
  digest: `0x${'11'.repeat(32)}`,
  domainSeparator: `0x${'22'.repeat(32)}`,
  sigMode: 1,
  v: 27,
  r: `0x${'33'.repeat(32)}`,
  s: `0x${'44'.repeat(32)}`,
  signature: `0x${'55'.repeat(65)}`,
  simMode: 0,
  simV: 28,
  factory: '0x0000000000000000000000000000000000000000',
  factoryData: '0xdeadbeef',
};

describe('probe codec', () => {
  it('packs a check in the runner layout (Eip3009Probe.sol)', () => {
    const sut = packCheck(check);
    const hex = bytesToHex(sut).slice(2);
    const at = (offset: number, len: number) => `0x${hex.slice(offset * 2, (offset + len) * 2)}`;
    expect(sut.length).toBe(runnerCheckSize(check) - 2);
    expect(at(0, 20)).toBe(check.token.toLowerCase());
    expect(at(20, 20)).toBe(check.from.toLowerCase());
    expect(BigInt(at(60, 32))).toBe(1000n);
    expect(BigInt(at(124, 32))).toBe(2n ** 40n);
    expect(at(188, 32)).toBe(check.domainSeparator);
    expect(at(284, 3)).toBe('0x1b1c09'); // v=27, simV=28, flags = sigMode 1 | simMode 0 | domain separator (8)
    expect(at(307, 4)).toBe('0x00410004');
    expect(at(311 + 65, 4)).toBe('0xdeadbeef');
    expect(encodeRunnerCall([check, check]).startsWith('0x')).toBe(true);
  });

  it('decodes success records, failure records with diagnostics, and missing results', () => {
    const record = (payerCode: number, tokenCode: number, flags: number, fields: Hex[] = []) => {
      const head = new Uint8Array(9);
      new DataView(head.buffer).setUint32(0, payerCode);
      new DataView(head.buffer).setUint32(4, tokenCode);
      head[8] = flags;
      const parts = [
        head,
        ...fields.flatMap((f) => {
          const b = hexToBytes(f);
          return [Uint8Array.of(b.length >> 8, b.length & 0xff), b];
        }),
      ];
      const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        body.set(p, o);
        o += p.length;
      }
      return body;
    };
    const frame = (...records: Uint8Array[]) => {
      const out: number[] = [];
      for (const r of records) out.push(r.length >> 8, r.length & 0xff, ...r);
      return bytesToHex(Uint8Array.from(out));
    };
    const ok = record(0, 100, 0b11);
    const failed = record(23, 100, 0b1111101, [
      '0x08c379a0',
      `0x${'00'.repeat(31)}05`,
      '0x',
      '0x1234',
      `0x${'00'.repeat(32)}`,
    ]);
    const [a, b, c] = decodeProbeOutput(frame(ok, failed, new Uint8Array(0)), 3);
    expect(a).toMatchObject({
      payerCodeSize: 0,
      tokenCodeSize: 100,
      signatureValid: true,
      simulation: { success: true },
    });
    expect(b).toMatchObject({
      payerCodeSize: 23,
      signatureValid: true,
      simulation: { success: false, data: '0x08c379a0' },
      balanceOf: { success: true },
      name: { success: true, data: '0x' },
      version: { success: true, data: '0x1234' },
      authorizationState: { success: true },
    });
    expect(c).toBeNull();
    expect(() => decodeProbeOutput(frame(ok), 2)).toThrow(/truncated/);
  });
});
