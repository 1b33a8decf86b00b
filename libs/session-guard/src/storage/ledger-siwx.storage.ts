import type { SIWxStorage } from '@x402/extensions/sign-in-with-x';
import { SessionServiceClient, type SessionServiceClientOptions } from '../service/session-service.client';

/**
 * The official SIWx storage interface (`@x402/extensions/sign-in-with-x`), persisted by the session service in the
 * ledger, so a resource server that uses the official `createSIWxResourceServerExtension` gets durable, replay-safe
 * entitlements with no other change:
 *
 * - `recordPayment(path, payer)` (official settle hook) binds the payer's settled payment for that path (found in
 *   the ledger) to a session under the provider's policy (`session.issued`);
 * - `hasPaid(path, address)` is true while the wallet has an active session whose scope covers the path;
 * - `hasUsedNonce` / `recordNonce` keep every SIWx nonce single-use (`session.nonce_consumed`); recording a nonce
 *   twice fails, so two concurrent replays of one proof cannot both be granted.
 *
 * Everything survives restarts (state is rebuilt from the log).
 */
export class LedgerSIWxStorage implements SIWxStorage {
  private readonly client: SessionServiceClient;

  constructor(service: SessionServiceClient | SessionServiceClientOptions) {
    this.client = service instanceof SessionServiceClient ? service : new SessionServiceClient(service);
  }

  async hasPaid(resource: string, address: string): Promise<boolean> {
    return (await this.client.siwxHasPaid(resource, address)).paid;
  }

  async recordPayment(resource: string, address: string): Promise<void> {
    await this.client.siwxRecordPayment(resource, address);
  }

  async hasUsedNonce(nonce: string): Promise<boolean> {
    return (await this.client.siwxHasUsedNonce(nonce)).used;
  }

  async recordNonce(nonce: string): Promise<void> {
    await this.client.siwxRecordNonce(nonce);
  }
}
