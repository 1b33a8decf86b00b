import DataLoader from 'dataloader';
import type { DisputeRecord } from '../queries/disputes.reader';
import type { PaymentRecord } from '../queries/payment.record';
import type { ReadScope } from '../queries/read-scope';
import type { ApiReadModel } from '../queries/read-model';
import type { RefundRecord } from '../queries/refunds.reader';
import type { SessionRecord } from '../queries/sessions.reader';
import type { TimelineEventRecord, TimelineKey } from '../queries/timeline.reader';

const MAX_BATCH = 200;

/**
 * Per-request DataLoaders: nested fields of a page (a payment's refunds, disputes, sessions, timeline; a refund's
 * payment) are fetched in one query per field instead of one per row. Every loader reads through the request's scope,
 * so nested fields are as scoped as top-level ones.
 */
export class ApiLoaders {
  readonly payment: DataLoader<string, PaymentRecord | null>;
  readonly refund: DataLoader<string, RefundRecord | null>;
  readonly dispute: DataLoader<string, DisputeRecord | null>;
  readonly refundsOfPayment: DataLoader<string, RefundRecord[]>;
  readonly disputesOfPayment: DataLoader<string, DisputeRecord[]>;
  readonly sessionsOfPayment: DataLoader<string, SessionRecord[]>;
  readonly timeline: DataLoader<TimelineKey, TimelineEventRecord[], string>;
  /** Number of batched queries run (exposed for tests and metrics). */
  batches = 0;

  constructor(read: ApiReadModel, scope: ReadScope) {
    const options = { maxBatchSize: MAX_BATCH };
    const byIds =
      <T>(fetch: (ids: readonly string[]) => Promise<Map<string, T>>) =>
      async (ids: readonly string[]): Promise<(T | null)[]> => {
        this.batches++;
        const found = await fetch(ids);
        return ids.map((id) => found.get(id) ?? null);
      };
    const listsByIds =
      <T>(fetch: (ids: readonly string[]) => Promise<Map<string, T[]>>) =>
      async (ids: readonly string[]): Promise<T[][]> => {
        this.batches++;
        const found = await fetch(ids);
        return ids.map((id) => found.get(id) ?? []);
      };
    this.payment = new DataLoader(
      byIds((ids) => read.payments.byIds(scope, ids)),
      options,
    );
    this.refund = new DataLoader(
      byIds((ids) => read.refunds.byIds(scope, ids)),
      options,
    );
    this.dispute = new DataLoader(
      byIds((ids) => read.disputes.byIds(scope, ids)),
      options,
    );
    this.refundsOfPayment = new DataLoader(
      listsByIds((ids) => read.refunds.byPaymentIds(scope, ids)),
      options,
    );
    this.disputesOfPayment = new DataLoader(
      listsByIds((ids) => read.disputes.byPaymentIds(scope, ids)),
      options,
    );
    this.sessionsOfPayment = new DataLoader(
      listsByIds((ids) => read.sessions.byPaymentIds(scope, ids)),
      options,
    );
    this.timeline = new DataLoader(
      async (keys: readonly TimelineKey[]) => {
        this.batches++;
        const found = await read.timeline.byPayments(keys);
        return keys.map((k) => found.get(k.paymentId) ?? []);
      },
      { ...options, cacheKeyFn: (k) => k.paymentId },
    );
  }
}
