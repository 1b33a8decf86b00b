import { mkdirSync } from 'node:fs';
import type { EventLog } from '@x402-ledger/event-log';
import type { EventEnvelope, PaymentState } from '@x402-ledger/ledger';
import { SignedTxStore, type SignedSettlementTx } from '@x402-ledger/evm';
import { open, type Database, type RootDatabase } from 'lmdb';
import { PaymentStateStore, type PaymentIdentifierBinding } from './payment-state.store';
import { PaymentStates } from './payment-states';

/**
 * The facilitator's durable local state in one LMDB environment (`stateDir`):
 *
 * | sub-database | key                          | value                                   |
 * |--------------|------------------------------|-----------------------------------------|
 * | `signedTx`   | `<paymentId>|<hash>`         | SignedSettlementTx (raw bytes to replay) |
 * | `resolved`   | paymentId                    | true once the payment's outcome is final |
 * | `answered`   | paymentId                    | true once a success answer was sent      |
 * | `paymentIds` | `<tenant>|<payment-identifier>` | PaymentIdentifierBinding             |
 *
 * Payment states themselves are NOT stored here: they are folded from the event log at start (the log is the
 * source of truth). Every write resolves after LMDB's commit and fdatasync (`root.flushed`).
 */
export class LmdbFacilitatorState extends PaymentStateStore {
  private readonly root: RootDatabase;
  private readonly signedTx: Database<SignedSettlementTx, string>;
  private readonly resolvedDb: Database<boolean, string>;
  private readonly answeredDb: Database<boolean, string>;
  private readonly paymentIds: Database<PaymentIdentifierBinding, string>;
  private readonly states = new PaymentStates();
  private readonly answered = new Set<string>();
  readonly signedTxs: SignedTxStore;

  constructor(path: string) {
    super();
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 8 });
    this.signedTx = this.root.openDB<SignedSettlementTx, string>('signedTx', {});
    this.resolvedDb = this.root.openDB<boolean, string>('resolved', {});
    this.answeredDb = this.root.openDB<boolean, string>('answered', {});
    this.paymentIds = this.root.openDB<PaymentIdentifierBinding, string>('paymentIds', {});
    for (const { key } of this.answeredDb.getRange()) this.answered.add(key);
    this.signedTxs = new LmdbSignedTxStore(this);
  }

  private async durable(write: Promise<unknown>): Promise<void> {
    await write;
    await this.root.flushed;
  }

  load(log: EventLog): Promise<void> {
    return this.ownership ? this.ownership.start(this.states.foldFor(this.ownership)) : this.states.load(log);
  }
  get(streamId: string): PaymentState | undefined {
    return this.states.get(streamId);
  }
  apply(envelopes: readonly EventEnvelope[]): void {
    this.states.apply(envelopes);
  }
  inFlight(): PaymentState[] {
    return this.states.inFlight();
  }
  get quarantined(): ReadonlyMap<string, string> {
    return this.states.quarantined;
  }
  successAnswered(paymentId: string): boolean {
    return this.answered.has(paymentId);
  }
  async markSuccessAnswered(paymentId: string): Promise<void> {
    await this.durable(this.answeredDb.put(paymentId, true));
    this.answered.add(paymentId);
  }
  async bindPaymentIdentifier(key: string, binding: PaymentIdentifierBinding): Promise<PaymentIdentifierBinding> {
    const existing = this.paymentIds.get(key);
    if (existing) return existing;
    const won = await this.paymentIds.ifNoExists(key, () => this.paymentIds.put(key, binding));
    await this.root.flushed;
    return won ? binding : (this.paymentIds.get(key) ?? binding);
  }

  /** @internal used by LmdbSignedTxStore */
  async saveTx(tx: SignedSettlementTx): Promise<void> {
    await this.durable(this.signedTx.put(`${tx.paymentId}|${tx.hash}`, tx));
  }
  /** @internal */
  txsFor(paymentId: string): SignedSettlementTx[] {
    return [...this.signedTx.getRange({ start: `${paymentId}|`, end: `${paymentId}|~` })].map((e) => e.value);
  }
  /** @internal */
  unresolvedTxs(): SignedSettlementTx[] {
    return [...this.signedTx.getRange()]
      .map((e) => e.value)
      .filter((tx) => !this.resolvedDb.get(tx.paymentId))
      .sort((a, b) => a.signedAt.localeCompare(b.signedAt) || a.nonce - b.nonce);
  }
  /** @internal The payment's outcome is on the log: its signed bytes are no longer needed (keeps scans small). */
  async resolveTxs(paymentId: string): Promise<void> {
    const keys = [...this.signedTx.getKeys({ start: `${paymentId}|`, end: `${paymentId}|~` })];
    await this.durable(
      this.root.transaction(() => {
        this.resolvedDb.put(paymentId, true);
        for (const key of keys) this.signedTx.remove(key);
      }),
    );
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

class LmdbSignedTxStore extends SignedTxStore {
  constructor(private readonly db: LmdbFacilitatorState) {
    super();
  }
  save(tx: SignedSettlementTx): Promise<void> {
    return this.db.saveTx(tx);
  }
  async forPayment(paymentId: string): Promise<SignedSettlementTx[]> {
    return this.db.txsFor(paymentId);
  }
  async unresolved(): Promise<SignedSettlementTx[]> {
    return this.db.unresolvedTxs();
  }
  resolve(paymentId: string): Promise<void> {
    return this.db.resolveTxs(paymentId);
  }
}
