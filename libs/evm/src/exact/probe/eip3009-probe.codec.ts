import {
  bytesToHex,
  concatHex,
  encodeAbiParameters,
  hexToBytes,
  toFunctionSelector,
  type Address,
  type Hex,
} from 'viem';
import { eip3009DigestFromSeparator } from '../eip3009/eip3009-digest';
import { EIP3009_BATCH_PROBE_BYTECODE } from './eip3009-probe.artifact';

/** One verification's chain questions (see Eip3009Probe.sol `Check`). */
export interface Eip3009ProbeCheck {
  token: Address;
  from: Address;
  to: Address;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: Hex;
  /** The EIP-712 digest; ignored when `domainSeparator` is set (the chain computes the digest from it). */
  digest: Hex;
  domainSeparator: Hex | null;
  /** 0: skip; 1: ecrecover when `from` has no code, strict ERC-1271 otherwise. */
  sigMode: 0 | 1;
  v: number;
  r: Hex;
  s: Hex;
  signature: Hex;
  /** 0: v,r,s overload; 1: bytes overload; 2: no simulation. */
  simMode: 0 | 1 | 2;
  simV: number;
  factory: Address;
  factoryData: Hex;
}

export interface ProbeCall {
  success: boolean;
  data: Hex;
}

/** The chain's answers for one check (see Eip3009Probe.sol `Result`). */
export interface Eip3009ProbeResult {
  payerCodeSize: number;
  tokenCodeSize: number;
  signatureValid: boolean;
  simulation: ProbeCall;
  balanceOf: ProbeCall;
  name: ProbeCall;
  version: ProbeCall;
  authorizationState: ProbeCall;
}

const CHECK_TUPLE = {
  type: 'tuple[]',
  components: [
    { name: 'token', type: 'address' },
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'digest', type: 'bytes32' },
    { name: 'sigMode', type: 'uint8' },
    { name: 'v', type: 'uint8' },
    { name: 'r', type: 'bytes32' },
    { name: 's', type: 'bytes32' },
    { name: 'signature', type: 'bytes' },
    { name: 'simMode', type: 'uint8' },
    { name: 'simV', type: 'uint8' },
    { name: 'factory', type: 'address' },
    { name: 'factoryData', type: 'bytes' },
  ],
} as const;

/**
 * Where the probe runner's code is placed by a state override for one eth_call. Any address works (nothing is
 * deployed); this one is recognizable in traces.
 */
export const PROBE_RUNNER_ADDRESS: Address = '0x00000000000000000000000000000000e3009001';

const PROBE_SELECTOR = toFunctionSelector('probe(bytes)');

function pushHex(parts: Uint8Array[], hex: Hex, size?: number): void {
  const bytes = hexToBytes(hex);
  if (size === undefined || bytes.length === size) parts.push(bytes);
  else {
    const padded = new Uint8Array(size);
    padded.set(bytes, size - bytes.length);
    parts.push(padded);
  }
}

function word(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** One check in the runner's packed layout (see Eip3009ProbeRunner). */
export function packCheck(c: Eip3009ProbeCheck): Uint8Array {
  const sig = hexToBytes(c.signature);
  const factoryData = hexToBytes(c.factoryData);
  if (sig.length > 0xffff || factoryData.length > 0xffff) throw new RangeError('signature or factory data too long');
  const parts: Uint8Array[] = [];
  pushHex(parts, c.token, 20);
  pushHex(parts, c.from, 20);
  pushHex(parts, c.to, 20);
  parts.push(word(c.value), word(c.validAfter), word(c.validBefore));
  pushHex(parts, c.nonce, 32);
  pushHex(parts, c.domainSeparator ?? c.digest, 32);
  pushHex(parts, c.r, 32);
  pushHex(parts, c.s, 32);
  parts.push(Uint8Array.of(c.v, c.simV, c.sigMode | (c.simMode << 1) | (c.domainSeparator ? 8 : 0)));
  pushHex(parts, c.factory, 20);
  parts.push(Uint8Array.of(sig.length >> 8, sig.length & 0xff, factoryData.length >> 8, factoryData.length & 0xff));
  parts.push(sig, factoryData);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Call data of `Eip3009ProbeRunner.probe(bytes)`: uint16 length ++ packed check, for each check. */
export function encodeRunnerCall(checks: readonly Eip3009ProbeCheck[]): Hex {
  const packed = checks.map(packCheck);
  const total = packed.reduce((n, p) => n + 2 + p.length, 0);
  const body = new Uint8Array(total);
  let at = 0;
  for (const p of packed) {
    body[at] = p.length >> 8;
    body[at + 1] = p.length & 0xff;
    body.set(p, at + 2);
    at += 2 + p.length;
  }
  return concatHex([PROBE_SELECTOR, encodeAbiParameters([{ type: 'bytes' }], [bytesToHex(body)])]);
}

/** Byte size of a check in the runner call (to bound a batch's call data). */
export function runnerCheckSize(c: Eip3009ProbeCheck): number {
  return 2 + 311 + (c.signature.length - 2) / 2 + (c.factoryData.length - 2) / 2;
}

/** The runner returns its records raw (not ABI-encoded). */
export function decodeRunnerOutput(output: Hex, count: number): (Eip3009ProbeResult | null)[] {
  return decodeProbeOutput(output, count);
}

/** The deployless call data: creation code ++ abi.encode(Check[]) (digests computed here). */
export function encodeProbeCall(checks: readonly Eip3009ProbeCheck[]): Hex {
  const withDigests = checks.map((c) =>
    c.domainSeparator ? { ...c, digest: eip3009DigestFromSeparator(c.domainSeparator, c) } : c,
  );
  return concatHex([EIP3009_BATCH_PROBE_BYTECODE, encodeAbiParameters([CHECK_TUPLE], [withDigests])]);
}

/**
 * Decodes the packed call output (layout in Eip3009Probe.sol); an entry is null when its probe produced no result
 * (e.g. it ran out of gas). When the simulation succeeded the diagnostic reads are not shipped (they are only needed
 * to explain a failure) and come back as `{ success: false, data: '0x' }`.
 */
export function decodeProbeOutput(output: Hex, count: number): (Eip3009ProbeResult | null)[] {
  const bytes = hexToBytes(output);
  const results: (Eip3009ProbeResult | null)[] = [];
  let at = 0;
  const u16 = () => {
    if (at + 2 > bytes.length) throw new Error('probe output truncated');
    const v = (bytes[at] << 8) | bytes[at + 1];
    at += 2;
    return v;
  };
  const u32 = (o: number) => ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
  for (let i = 0; i < count; i++) {
    const length = u16();
    const start = at;
    at += length;
    if (at > bytes.length) throw new Error('probe output truncated');
    if (length < 9) {
      results.push(null);
      continue;
    }
    const flags = bytes[start + 8];
    const none: ProbeCall = { success: false, data: '0x' };
    const result: Eip3009ProbeResult = {
      payerCodeSize: u32(start),
      tokenCodeSize: u32(start + 4),
      signatureValid: (flags & 1) !== 0,
      simulation: { success: (flags & 2) !== 0, data: '0x' },
      balanceOf: none,
      name: none,
      version: none,
      authorizationState: none,
    };
    if (flags & 64) {
      let p = start + 9;
      const field = (success: boolean): ProbeCall => {
        const n = (bytes[p] << 8) | bytes[p + 1];
        const data = bytesToHex(bytes.subarray(p + 2, p + 2 + n));
        p += 2 + n;
        return { success, data };
      };
      result.simulation = field(false);
      result.balanceOf = field((flags & 4) !== 0);
      result.name = field((flags & 8) !== 0);
      result.version = field((flags & 16) !== 0);
      result.authorizationState = field((flags & 32) !== 0);
    }
    results.push(result);
  }
  if (at !== bytes.length) throw new Error('probe output has trailing bytes');
  return results;
}
