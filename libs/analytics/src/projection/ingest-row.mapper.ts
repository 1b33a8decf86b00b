import type { EventEnvelope } from '@x402-ledger/ledger';

import { isUint256, toClickHouseTime } from './clickhouse-values.util';
import type { ContextNeeds, PaymentContext, ProjectionContext } from './projection-context';

/** Decimals of an asset for display (null when unknown). Bound by the app to the network/asset registry. */
export type AssetDecimals = (network: string, asset: string) => number | null;

/** Columns of `projection_ingest` the projector writes, in the order of the values of an IngestRow. */
export const INGEST_COLUMNS = [
  'event_id',
  'type',
  'stream_id',
  'sequence',
  'occurred_at',
  'tenant',
  'status',
  'payment_id',
  'refund_id',
  'dispute_id',
  'session_id',
  'scheme',
  'network',
  'asset',
  'decimals',
  'amount',
  'payment_amount',
  'payer',
  'pay_to',
  'resource',
  'reason',
  'message',
  'tx_hash',
  'signer',
  'block_number',
  'block_timestamp',
  'gas_used',
  'effective_gas_price',
  'gas_cost',
  'submitted_at',
  'payment_settled_at',
  'actor',
  'method',
  'respond_by',
  'evidence_count',
  'wallet',
  'policy_id',
  'policy_version',
  'expires_at',
  'max_calls',
  'budget',
  'calls',
  'spend',
  'window_end',
  'linked_dispute_id',
] as const;
export type IngestColumn = (typeof INGEST_COLUMNS)[number];
export type IngestValue = string | number | null;
type Value = IngestValue;

const NULLABLE: ReadonlySet<IngestColumn> = new Set<IngestColumn>([
  'decimals',
  'block_timestamp',
  'submitted_at',
  'payment_settled_at',
  'respond_by',
  'expires_at',
  'max_calls',
  'budget',
  'window_end',
]);
const NUMERIC: ReadonlySet<IngestColumn> = new Set<IngestColumn>([
  'sequence',
  'block_number',
  'evidence_count',
  'policy_version',
  'calls',
]);
const UINT256: ReadonlySet<IngestColumn> = new Set<IngestColumn>([
  'amount',
  'payment_amount',
  'gas_used',
  'effective_gas_price',
  'gas_cost',
  'spend',
]);
const INDEX = Object.fromEntries(INGEST_COLUMNS.map((c, i) => [c, i])) as Record<IngestColumn, number>;
/** The value of each column (INGEST_COLUMNS order) when an event does not set it: the column type's default. */
export const INGEST_DEFAULTS: readonly Value[] = INGEST_COLUMNS.map((c) =>
  NULLABLE.has(c) ? null : NUMERIC.has(c) ? 0 : UINT256.has(c) ? '0' : '',
);

/**
 * One row of `projection_ingest` as values in INGEST_COLUMNS order (inserted as TabSeparated: a fixed-size array is
 * much cheaper to build and to serialize than an object with ~45 keys, at 100k rows/s). Columns an event does not
 * set keep the table's default.
 */
export class IngestRow {
  readonly values: Value[] = INGEST_DEFAULTS.slice();

  set(column: IngestColumn, value: Value): this {
    this.values[INDEX[column]] = value;
    return this;
  }

  get(column: IngestColumn): Value {
    return this.values[INDEX[column]];
  }

  /** `{ column: value }` of the columns that differ from the defaults (tests, logs). */
  toObject(): Partial<Record<IngestColumn, Value>> {
    const out: Partial<Record<IngestColumn, Value>> = {};
    INGEST_COLUMNS.forEach((c, i) => {
      if (this.values[i] !== INGEST_DEFAULTS[i]) out[c] = this.values[i];
    });
    return out;
  }
}

export type MapResult = { kind: 'row'; row: IngestRow } | { kind: 'raw-only' } | { kind: 'invalid'; reason: string };

class InvalidData extends Error {}

/** Typed reads of an event's data; any mismatch makes the event "invalid" (stored raw only, counted). */
class DataReader {
  constructor(private readonly data: Record<string, unknown>) {}

  text(name: string, options: { nullable?: boolean } = {}): string {
    const v = this.data[name];
    if (typeof v === 'string') return v;
    if ((v === null || v === undefined) && options.nullable) return '';
    throw new InvalidData(`${name} is not a string`);
  }

  lower(name: string, options: { nullable?: boolean } = {}): string {
    return this.text(name, options).toLowerCase();
  }

  amount(name: string): string {
    const v = this.data[name];
    if (!isUint256(v)) throw new InvalidData(`${name} is not a uint256 decimal string`);
    return v;
  }

  optionalAmount(name: string): string | null {
    const v = this.data[name];
    return v === null || v === undefined ? null : this.amount(name);
  }

  time(name: string): string {
    const v = this.data[name];
    if (typeof v !== 'string' || !Number.isFinite(Date.parse(v))) throw new InvalidData(`${name} is not an ISO time`);
    return toClickHouseTime(v);
  }

  int(name: string, options: { nullable?: boolean } = {}): number | null {
    const v = this.data[name];
    if ((v === null || v === undefined) && options.nullable) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InvalidData(`${name} is not an integer`);
    return v;
  }

  count(name: string): number {
    const v = this.data[name];
    if (v === undefined || v === null) return 0;
    if (!Array.isArray(v)) throw new InvalidData(`${name} is not an array`);
    return v.length;
  }
}

const PAYMENT_STATUS: Record<string, string> = {
  'payment.verified': 'verified',
  'payment.verification_failed': 'verification_failed',
  'payment.settlement_submitted': 'submitted',
  'payment.settled': 'settled',
  'payment.settlement_failed': 'settlement_failed',
};
const REFUND_STATUS: Record<string, string> = {
  'refund.requested': 'requested',
  'refund.approved': 'approved',
  'refund.submitted': 'submitted',
  'refund.succeeded': 'succeeded',
  'refund.failed': 'failed',
  'refund.canceled': 'canceled',
};
const DISPUTE_STATUS: Record<string, string> = {
  'dispute.opened': 'open',
  'dispute.evidence_submitted': '',
  'dispute.under_review': 'under_review',
  'dispute.won': 'won',
  'dispute.lost': 'lost',
  'dispute.withdrawn': 'withdrawn',
};
const SESSION_STATUS: Record<string, string> = {
  'session.issued': 'active',
  'session.used': '',
  'session.revoked': 'revoked',
  'session.expired': 'expired',
};

/**
 * Turns an envelope into its `projection_ingest` row, reading the payment's / session's earlier facts from the
 * projection context and recording this event's facts into it. Types the analytics schema does not model (nonces,
 * discovery, unknown future types) are stored raw only.
 */
export class IngestRowMapper {
  constructor(private readonly decimalsOf: AssetDecimals = () => null) {}

  /** Adds the aggregates whose context this event needs (and that an earlier event may have left in ClickHouse). */
  collectNeeds(envelope: EventEnvelope, needs: ContextNeeds): void {
    const { type, tenant, streamId } = envelope;
    if (type === 'payment.settled' || type in REFUND_STATUS || type in DISPUTE_STATUS) {
      add(needs.payments, tenant, streamId);
    } else if (type === 'session.used' || type === 'session.revoked' || type === 'session.expired') {
      add(needs.sessions, tenant, streamId);
    }
  }

  map(envelope: EventEnvelope, context: ProjectionContext): MapResult {
    try {
      const { type } = envelope;
      if (type in PAYMENT_STATUS) return { kind: 'row', row: this.payment(envelope, context) };
      if (type in REFUND_STATUS) return { kind: 'row', row: this.refund(envelope, context) };
      if (type in DISPUTE_STATUS) return { kind: 'row', row: this.dispute(envelope, context) };
      if (type in SESSION_STATUS) return { kind: 'row', row: this.session(envelope, context) };
      return { kind: 'raw-only' };
    } catch (error) {
      if (error instanceof InvalidData) return { kind: 'invalid', reason: error.message };
      throw error;
    }
  }

  private base(e: EventEnvelope, status: string): IngestRow {
    return new IngestRow()
      .set('event_id', e.id)
      .set('type', e.type)
      .set('stream_id', e.streamId)
      .set('sequence', e.sequence)
      .set('occurred_at', toClickHouseTime(e.occurredAt))
      .set('tenant', e.tenant)
      .set('status', status);
  }

  private payment(e: EventEnvelope, context: ProjectionContext): IngestRow {
    const d = new DataReader(e.data);
    const failedVerification = e.type === 'payment.verification_failed';
    const paymentId = d.text('paymentId', { nullable: failedVerification });
    const network = d.text('network');
    const asset = d.lower('asset');
    const decimals = this.decimalsOf(network, asset);
    const amount = d.amount('amount');
    const payer = d.lower('payer', { nullable: failedVerification });
    const payTo = d.lower('payTo');
    const resource = d.text('resourceUrl', { nullable: true });
    const row = this.base(e, PAYMENT_STATUS[e.type])
      .set('payment_id', paymentId)
      .set('scheme', d.text('scheme'))
      .set('network', network)
      .set('asset', asset)
      .set('decimals', decimals)
      .set('amount', amount)
      .set('payer', payer)
      .set('pay_to', payTo)
      .set('resource', resource);
    const known: Partial<PaymentContext> = { network, asset, decimals, amount, payer, payTo, resource };
    switch (e.type) {
      case 'payment.verification_failed':
        row.set('reason', d.text('reason')).set('message', d.text('message', { nullable: true }));
        break;
      case 'payment.settlement_submitted': {
        const submittedAt = d.time('submittedAt');
        row.set('tx_hash', d.lower('txHash')).set('signer', d.lower('signer')).set('submitted_at', submittedAt);
        known.submittedAt = submittedAt;
        break;
      }
      case 'payment.settled': {
        const gasUsed = d.amount('gasUsed');
        const gasPrice = d.amount('effectiveGasPrice');
        row
          .set('tx_hash', d.lower('txHash'))
          .set('signer', d.lower('signer'))
          .set('block_number', d.amount('blockNumber'))
          .set('block_timestamp', d.time('blockTimestamp'))
          .set('gas_used', gasUsed)
          .set('effective_gas_price', gasPrice)
          .set('gas_cost', (BigInt(gasUsed) * BigInt(gasPrice)).toString())
          .set('submitted_at', paymentId === '' ? null : (context.payment(e.tenant, paymentId)?.submittedAt ?? null));
        known.settledAt = row.get('occurred_at') as string;
        break;
      }
      case 'payment.settlement_failed':
        row
          .set('reason', d.text('reason'))
          .set('message', d.text('message', { nullable: true }))
          .set('tx_hash', d.lower('txHash', { nullable: true }));
        break;
    }
    if (paymentId !== '') context.notePayment(e.tenant, paymentId, known);
    return row;
  }

  /** The payment's dimensions, copied onto refund and dispute rows. */
  private withPaymentDimensions(row: IngestRow, e: EventEnvelope, context: ProjectionContext): IngestRow {
    row.set('payment_id', e.streamId);
    const p = context.payment(e.tenant, e.streamId);
    if (!p) return row;
    return row
      .set('network', p.network)
      .set('asset', p.asset)
      .set('decimals', p.decimals)
      .set('payer', p.payer)
      .set('pay_to', p.payTo)
      .set('resource', p.resource)
      .set('payment_amount', p.amount)
      .set('payment_settled_at', p.settledAt);
  }

  private refund(e: EventEnvelope, context: ProjectionContext): IngestRow {
    const d = new DataReader(e.data);
    const row = this.withPaymentDimensions(this.base(e, REFUND_STATUS[e.type]), e, context).set(
      'refund_id',
      d.text('refundId'),
    );
    switch (e.type) {
      case 'refund.requested':
        row
          .set('amount', d.amount('amount'))
          .set('reason', d.text('reason'))
          .set('actor', d.text('requestedBy'))
          .set('linked_dispute_id', d.text('disputeId', { nullable: true }));
        break;
      case 'refund.approved':
        row.set('actor', d.text('approvedBy'));
        break;
      case 'refund.submitted':
        row.set('tx_hash', d.lower('txHash')).set('method', d.text('method'));
        break;
      case 'refund.succeeded':
        row
          .set('tx_hash', d.lower('txHash'))
          .set('block_number', d.amount('blockNumber'))
          .set('amount', d.amount('amount'));
        break;
      case 'refund.failed':
        row.set('reason', d.text('reason')).set('tx_hash', d.lower('txHash', { nullable: true }));
        break;
      case 'refund.canceled':
        row.set('reason', d.text('reason'));
        break;
    }
    return row;
  }

  private dispute(e: EventEnvelope, context: ProjectionContext): IngestRow {
    const d = new DataReader(e.data);
    const row = this.withPaymentDimensions(this.base(e, DISPUTE_STATUS[e.type]), e, context).set(
      'dispute_id',
      d.text('disputeId'),
    );
    switch (e.type) {
      case 'dispute.opened':
        row
          .set('reason', d.text('reason'))
          .set('actor', d.text('openedBy'))
          .set('respond_by', d.time('respondBy'))
          .set('evidence_count', d.count('evidence'));
        break;
      case 'dispute.evidence_submitted':
        row.set('actor', d.text('party')).set('evidence_count', d.count('evidence'));
        break;
      case 'dispute.won':
      case 'dispute.lost':
        row.set('actor', d.text('decidedBy')).set('message', d.text('note', { nullable: true }));
        break;
    }
    return row;
  }

  private session(e: EventEnvelope, context: ProjectionContext): IngestRow {
    const d = new DataReader(e.data);
    const sessionId = d.text('sessionId');
    const row = this.base(e, SESSION_STATUS[e.type]).set('session_id', sessionId);
    if (e.type === 'session.issued') {
      const network = d.text('network');
      const asset = d.lower('asset');
      const decimals = this.decimalsOf(network, asset);
      row
        .set('payment_id', d.text('paymentId'))
        .set('wallet', d.lower('wallet'))
        .set('network', network)
        .set('asset', asset)
        .set('decimals', decimals)
        .set('policy_id', d.text('policyId'))
        .set('policy_version', d.int('policyVersion'))
        .set('expires_at', d.time('expiresAt'))
        .set('max_calls', d.int('maxCalls', { nullable: true }))
        .set('budget', d.optionalAmount('budget'));
      context.noteSession(e.tenant, sessionId, { network, asset, decimals });
      return row;
    }
    const s = context.session(e.tenant, sessionId);
    if (s) row.set('network', s.network).set('asset', s.asset).set('decimals', s.decimals);
    if (e.type === 'session.used') {
      row.set('calls', d.int('calls')).set('spend', d.amount('spend')).set('window_end', d.time('windowEnd'));
    } else if (e.type === 'session.revoked') {
      row.set('reason', d.text('reason')).set('actor', d.text('revokedBy'));
    }
    return row;
  }
}

function add(map: Map<string, Set<string>>, tenant: string, id: string): void {
  let set = map.get(tenant);
  if (!set) map.set(tenant, (set = new Set()));
  set.add(id);
}
