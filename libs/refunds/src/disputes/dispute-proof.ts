import { SignatureVerifier } from '@x402-ledger/auth';
import type { DisputeOpenedData } from '@x402-ledger/ledger';
import { getAddress, type Address, type Hex } from 'viem';
import { createSiweMessage, parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';

export type DisputeReason = DisputeOpenedData['reason'];

/** A SIWx (CAIP-122 / EIP-4361) message signed by the payer's wallet, proving it controls the paying address. */
export interface DisputeProof {
  message: string;
  signature: string;
}

/** The URI a dispute proof lists in `Resources`: it binds the signature to one payment. */
export function disputeProofResource(paymentId: string): string {
  return `urn:x402:payment:${paymentId}`;
}

/** The statement a dispute proof carries: it binds the signature to the reason too. */
export function disputeProofStatement(paymentId: string, reason: DisputeReason): string {
  return `Open a dispute (${reason}) on x402 payment ${paymentId}`;
}

/** Builds the message a payer signs to open a dispute (for SDKs, the CLI and tests). */
export function disputeProofMessage(input: {
  domain: string;
  uri: string;
  address: Address;
  chainId: number;
  paymentId: string;
  reason: DisputeReason;
  nonce: string;
  issuedAt: Date;
  expirationTime?: Date;
}): string {
  return createSiweMessage({
    domain: input.domain,
    uri: input.uri,
    address: getAddress(input.address),
    chainId: input.chainId,
    version: '1',
    nonce: input.nonce,
    issuedAt: input.issuedAt,
    expirationTime: input.expirationTime,
    statement: disputeProofStatement(input.paymentId, input.reason),
    resources: [disputeProofResource(input.paymentId)],
  });
}

export interface VerifiedDisputeProof {
  /** Lowercase address that signed. */
  address: string;
  /** The SIWE nonce: one proof → one dispute (it is the dispute's idempotency key). */
  nonce: string;
}

/**
 * Verifies a payer's dispute proof: a SIWE message naming this domain, the payment (Resources) and the reason
 * (Statement), on the payment's chain, issued recently and not expired, signed by the payment's payer.
 */
export class DisputeProofVerifier {
  constructor(
    private readonly signatures: SignatureVerifier,
    private readonly options: { domain: string; maxAgeSeconds: number },
  ) {}

  async verify(
    proof: DisputeProof,
    payment: { paymentId: string; network: string; payer: string },
    reason: DisputeReason,
    now: Date,
  ): Promise<VerifiedDisputeProof> {
    if (typeof proof?.message !== 'string' || proof.message.length > 4000)
      throw reject('the proof message is missing or too long');
    if (
      typeof proof.signature !== 'string' ||
      !/^0x[0-9a-fA-F]{130,}$/.test(proof.signature) ||
      proof.signature.length > 20_000
    ) {
      throw reject('the proof signature is not hex');
    }
    const parsed = parseSiweMessage(proof.message);
    if (!parsed.address || !parsed.nonce || !parsed.domain || !parsed.chainId) {
      throw reject('not a SIWx message (address, domain, nonce, chain id)');
    }
    if (parsed.domain !== this.options.domain) {
      throw reject(`the proof names domain ${parsed.domain}, expected ${this.options.domain}`);
    }
    if (`eip155:${parsed.chainId}` !== payment.network) {
      throw reject(`the proof is for chain ${parsed.chainId}, the payment was on ${payment.network}`);
    }
    if (!(parsed.resources ?? []).includes(disputeProofResource(payment.paymentId))) {
      throw reject('the proof does not name this payment in its Resources');
    }
    if (parsed.statement !== disputeProofStatement(payment.paymentId, reason)) {
      throw reject('the proof statement does not name this payment and reason');
    }
    if (!validateSiweMessage({ message: parsed, domain: this.options.domain, time: now })) {
      throw reject('the proof is expired or not yet valid');
    }
    const issuedAt = parsed.issuedAt?.getTime();
    if (
      issuedAt === undefined ||
      issuedAt > now.getTime() + 60_000 ||
      now.getTime() - issuedAt > this.options.maxAgeSeconds * 1000
    ) {
      throw reject('Issued At is missing, in the future or too old');
    }
    if (parsed.address.toLowerCase() !== payment.payer.toLowerCase()) {
      throw reject('the proof is not signed for the address that paid');
    }
    const valid = await this.signatures.verify({
      address: parsed.address,
      message: proof.message,
      signature: proof.signature as Hex,
      chainId: parsed.chainId,
    });
    if (!valid) throw reject('the signature does not match the address');
    return { address: parsed.address.toLowerCase(), nonce: parsed.nonce };
  }
}

function reject(message: string): RefundsException {
  return new RefundsException(RefundsErrorCode.PROOF_REJECTED, message);
}
