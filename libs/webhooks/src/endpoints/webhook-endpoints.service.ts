import { Inject, Injectable } from '@nestjs/common';
import { SecretGenerator } from '@x402-ledger/auth';
import { Clock } from '@x402-ledger/ledger';
import { webhookSecretFromHex } from '../signing/webhook-signature';
import { WebhookStore, type WebhookEndpointRecord } from '../store/webhook.records';
import { WebhooksErrorCode, WebhooksException } from '../webhooks.exception';
import { WEBHOOKS_OPTIONS, type WebhooksOptions } from '../webhooks.options';
import { eventTypePatternProblem } from './webhook-event-types';
import { webhookUrlProblem } from './webhook-url';

/** An endpoint as the API shows it (never the secret). */
export type WebhookEndpointView = Omit<WebhookEndpointRecord, 'secret'>;

export interface WebhookEndpointInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
}

/**
 * The endpoint registry, per tenant: register (returns the signing secret once), update, enable/disable, rotate the
 * secret, list. An endpoint receives the deliverable events of its tenant recorded after it was registered.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly store: WebhookStore,
    private readonly secrets: SecretGenerator,
    private readonly clock: Clock,
    @Inject(WEBHOOKS_OPTIONS) private readonly options: WebhooksOptions,
  ) {}

  async register(
    tenant: string,
    input: WebhookEndpointInput,
  ): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const checked = this.check(input);
    if (this.store.endpoints(tenant).length >= this.options.maxEndpointsPerTenant) {
      throw invalid(`a tenant may register at most ${this.options.maxEndpointsPerTenant} endpoints`);
    }
    const now = this.clock.now().toISOString();
    const record: WebhookEndpointRecord = {
      endpointId: `we_${this.secrets.hex(12)}`,
      tenant,
      ...checked,
      secret: webhookSecretFromHex(this.secrets.hex(32)),
      enabled: true,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.putEndpoint(record);
    return { endpoint: view(record), secret: record.secret };
  }

  async update(
    tenant: string,
    endpointId: string,
    changes: Partial<WebhookEndpointInput> & { enabled?: boolean },
  ): Promise<WebhookEndpointView> {
    const current = this.record(tenant, endpointId);
    const checked = this.check({
      url: changes.url ?? current.url,
      eventTypes: changes.eventTypes ?? current.eventTypes,
      description: changes.description === undefined ? current.description : changes.description,
    });
    if (changes.enabled !== undefined && typeof changes.enabled !== 'boolean')
      throw invalid('enabled must be a boolean');
    const next: WebhookEndpointRecord = {
      ...current,
      ...checked,
      enabled: changes.enabled ?? current.enabled,
      updatedAt: this.clock.now().toISOString(),
    };
    await this.store.putEndpoint(next);
    return view(next);
  }

  /** A new secret; deliveries signed from now on use it. Returns it once. */
  async rotateSecret(tenant: string, endpointId: string): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const current = this.record(tenant, endpointId);
    const next = {
      ...current,
      secret: webhookSecretFromHex(this.secrets.hex(32)),
      updatedAt: this.clock.now().toISOString(),
    };
    await this.store.putEndpoint(next);
    return { endpoint: view(next), secret: next.secret };
  }

  list(tenant: string): WebhookEndpointView[] {
    return this.store.endpoints(tenant).map(view);
  }

  get(tenant: string, endpointId: string): WebhookEndpointView {
    return view(this.record(tenant, endpointId));
  }

  private record(tenant: string, endpointId: string): WebhookEndpointRecord {
    const record = this.store.endpoint(endpointId);
    if (!record || record.tenant !== tenant) {
      throw new WebhooksException(WebhooksErrorCode.NOT_FOUND, `webhook endpoint ${endpointId} not found`);
    }
    return record;
  }

  private check(input: WebhookEndpointInput): Pick<WebhookEndpointRecord, 'url' | 'eventTypes' | 'description'> {
    const urlProblem = webhookUrlProblem(input.url, this.options.allowPrivateUrls);
    if (urlProblem) throw invalid(urlProblem);
    if (!Array.isArray(input.eventTypes) || input.eventTypes.length === 0 || input.eventTypes.length > 50) {
      throw invalid('eventTypes must list 1..50 event types or patterns');
    }
    const problems = input.eventTypes.map((t) => (typeof t === 'string' ? eventTypePatternProblem(t) : 'not a string'));
    const first = problems.find((p) => p !== null);
    if (first) throw invalid(`eventTypes: ${first}`);
    const description = input.description ?? null;
    if (description !== null && (typeof description !== 'string' || description.length > 500)) {
      throw invalid('description must be at most 500 characters');
    }
    return { url: input.url, eventTypes: [...new Set(input.eventTypes)], description };
  }
}

function view(record: WebhookEndpointRecord): WebhookEndpointView {
  const { secret: _secret, ...rest } = record;
  return rest;
}

function invalid(message: string): WebhooksException {
  return new WebhooksException(WebhooksErrorCode.INVALID_INPUT, message);
}
