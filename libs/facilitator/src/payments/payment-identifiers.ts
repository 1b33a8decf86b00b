import { Injectable } from '@nestjs/common';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import { PaymentStateStore } from '../state/payment-state.store';
import type { PaymentRequest } from './payment-request';

/**
 * The payment-identifier extension (`extensions["payment-identifier"].info.id`), per tenant: the first payload seen
 * with an id binds it; the same id with a different payload is a conflict (HTTP 409); the same id with the same
 * payload is processed normally, which answers with the recorded outcome of that payment (reserved, settled with
 * its tx hash, or failed with its reason) — never a second transfer, never a second success.
 */
@Injectable()
export class PaymentIdentifiers {
  constructor(private readonly store: PaymentStateStore) {}

  async check(pr: PaymentRequest, tenant: string): Promise<void> {
    if (!pr.paymentIdentifier) return;
    const bound = await this.store.bindPaymentIdentifier(`${tenant}|${pr.paymentIdentifier}`, {
      fingerprint: pr.payloadFingerprint,
      streamId: pr.paymentId,
    });
    if (bound.fingerprint !== pr.payloadFingerprint) {
      throw new FacilitatorException(
        FacilitatorErrorCode.PAYMENT_IDENTIFIER_CONFLICT,
        `payment-identifier "${pr.paymentIdentifier}" was already used with a different payload`,
      );
    }
  }
}
