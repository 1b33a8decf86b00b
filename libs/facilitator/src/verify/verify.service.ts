import { Injectable, Logger } from '@nestjs/common';
import { isPermit2Facts } from '@x402-ledger/evm';
import { Clock } from '@x402-ledger/ledger';
import { EvmReason, GenericReason, type VerifyResponse } from '@x402-ledger/protocol';
import type { ApiPrincipal } from '../auth/api-key.store';
import { commonEventData, eventMessage, withPaymentId } from '../payments/event-facts';
import { ExactEvmNetworks } from '../payments/exact-evm-networks';
import { KeyedMutex } from '../payments/keyed-mutex';
import { refusal, verifyInvalid, verifyValid } from '../payments/payment-answers';
import { PaymentIdentifiers } from '../payments/payment-identifiers';
import { PaymentRecorder } from '../payments/payment-recorder';
import { parsePaymentRequest, payerAndNonce, type PaymentRequest } from '../payments/payment-request';
import { claimStream } from '../state/claim-stream';
import { PaymentStateStore } from '../state/payment-state.store';

/**
 * POST /verify. A valid payment is RESERVED by its verification (payment.verified on the log, owned by the calling
 * tenant): any other verification of the same payment — a copy of the payload, concurrent or later — is refused with
 * `invalid_exact_evm_nonce_already_used` while the reservation stands (until settled or the authorization expires),
 * so a resource handler runs at most once per payment. The payment's own /settle proceeds (see SettleService).
 */
@Injectable()
export class VerifyService {
  private readonly logger = new Logger(VerifyService.name);

  constructor(
    private readonly networks: ExactEvmNetworks,
    private readonly store: PaymentStateStore,
    private readonly recorder: PaymentRecorder,
    private readonly locks: KeyedMutex,
    private readonly identifiers: PaymentIdentifiers,
    private readonly clock: Clock,
  ) {}

  async verify(body: unknown, principal: ApiPrincipal, correlationId: string): Promise<VerifyResponse> {
    const pr = parsePaymentRequest(body, this.networks.v1Aliases);
    const r = pr.request.paymentRequirements;
    const payer = payerOf(pr);
    if (r.scheme !== 'exact')
      return verifyInvalid(GenericReason.UnsupportedScheme, payer, `scheme "${r.scheme}" is not supported`);
    const network = this.networks.get(pr.network);
    if (!network) return verifyInvalid(GenericReason.InvalidNetwork, payer, `network "${pr.network}" is not supported`);
    await this.identifiers.check(pr, principal.tenant);

    const early = refusal(pr.paymentId ? this.store.get(pr.paymentId) : undefined, this.nowSeconds());
    if (early) return verifyInvalid(early.reason, payer, early.message);

    return this.locks.run(pr.streamId, async () => {
      await claimStream(this.store, pr.streamId);
      const state = pr.paymentId ? this.store.get(pr.paymentId) : undefined;
      const refused = refusal(state, this.nowSeconds());
      if (refused) return verifyInvalid(refused.reason, payer, refused.message);

      const outcome = await network.verifyPayment(pr.request, this.nowSeconds());
      const data = commonEventData(pr, outcome.facts);
      const writable = this.recorder.canWrite(pr.streamId, principal.tenant);
      if (outcome.isValid) {
        const common = withPaymentId(data);
        if (!common || !outcome.facts.nonce) throw new Error('a valid verification must yield recordable facts');
        if (!writable)
          return verifyInvalid(EvmReason.NonceAlreadyUsed, outcome.payer, 'this payment belongs to another tenant');
        await this.recorder.record(pr.streamId, principal.tenant, correlationId, {
          type: 'RecordVerified',
          data: {
            ...common,
            nonce: outcome.facts.nonce,
            validAfter: outcome.facts.validAfter.toString(),
            validBefore: outcome.facts.validBefore.toString(),
            x402Version: pr.x402Version,
            assetTransferMethod: isPermit2Facts(outcome.facts) ? 'permit2' : 'eip3009',
            signatureKind: outcome.facts.signatureKind,
          },
        });
        return verifyValid(outcome.payer);
      }
      if (data && writable) {
        await this.recorder.record(pr.streamId, principal.tenant, correlationId, {
          type: 'RecordVerificationFailed',
          data: { ...data, reason: outcome.reason, message: eventMessage(outcome.message) },
        });
      } else {
        this.logger.debug(`verification failure not recorded (stream ${pr.streamId}): ${outcome.reason}`);
      }
      return verifyInvalid(outcome.reason, outcome.payer, outcome.message);
    });
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

/** The payer as sent (`authorization.from` or `permit2Authorization.from`), echoed in answers like the SDK does. */
export function payerOf(pr: PaymentRequest): string | undefined {
  const { from } = payerAndNonce(pr.request.paymentPayload.payload);
  return typeof from === 'string' ? from : undefined;
}
