// Public API of the webhooks module: endpoint registry, durable signed deliveries driven from the event log, and the
// receiver-side verification helper (verifyWebhook has no dependency beyond node:crypto).
export { WebhooksErrorCode, WebhooksException } from './webhooks.exception';
export {
  WEBHOOKS_OPTIONS,
  resolveWebhooksOptions,
  type WebhooksOptions,
  type WebhooksOptionsInput,
} from './webhooks.options';
export { WebhooksModule, type WebhooksModuleConfig } from './webhooks.module';
export {
  DEFAULT_TOLERANCE_SECONDS,
  WEBHOOK_HEADERS,
  signWebhook,
  verifyWebhook,
  webhookSecretFromHex,
  type VerifiedWebhook,
  type WebhookHeaders,
} from './signing/webhook-signature';
export {
  WebhookEndpointsService,
  type WebhookEndpointInput,
  type WebhookEndpointView,
} from './endpoints/webhook-endpoints.service';
export { DELIVERABLE_EVENT_TYPES, eventTypePatternProblem, matchesEventTypes } from './endpoints/webhook-event-types';
export { webhookUrlProblem } from './endpoints/webhook-url';
export { WebhookDeliveriesService, type WebhookDeliveryView } from './delivery/webhook-deliveries.service';
export { WebhookDispatcher, type DispatchReport } from './delivery/webhook.dispatcher';
export { WebhookSchedulerConsumer, webhookBody, webhookDeliveryId } from './delivery/webhook-scheduler.consumer';
export { FetchWebhookTransport, WebhookTransport } from './delivery/webhook-transport.port';
export { nextAttemptAt } from './delivery/webhook-retry.policy';
export {
  WebhookStore,
  type WebhookAttemptRecord,
  type WebhookDeliveryRecord,
  type WebhookDeliveryStatus,
  type WebhookEndpointRecord,
} from './store/webhook.records';
export { LmdbWebhookStore } from './store/lmdb-webhook.store';
export { WebhooksController } from './http/webhooks.controller';
