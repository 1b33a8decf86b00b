import { EventLogException } from '@x402-ledger/event-log';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import type { PaymentStateStore } from './payment-state.store';

/**
 * Claims a payment stream before /verify or /settle decides on it. Embedded mode (and the owner, caught up): resolves
 * at once, synchronously checked. Kafka mode on a non-owner: a retryable 503 with Retry-After (the x402 client or the
 * resource server retries; behind a load balancer the retry may reach the owner), the owner's URL in the message.
 */
export async function claimStream(store: PaymentStateStore, streamId: string): Promise<void> {
  try {
    await store.claim(streamId);
  } catch (error) {
    if (error instanceof EventLogException && error.retryable) {
      throw new FacilitatorException(
        FacilitatorErrorCode.NOT_RECORDED,
        `not the owner of this payment now (${error.message})`,
        { cause: error, retryAfterSeconds: Math.max(1, Math.ceil((error.details?.retryAfterMs ?? 1000) / 1000)) },
      );
    }
    throw error;
  }
}
