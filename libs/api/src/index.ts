// Public API of the GraphQL API module.
export { ApiCoreModule, ApiModule } from './api.module';
export { API_OPTIONS, DEFAULT_LIMITS, resolveLimits, type ApiLimits, type ApiModuleOptions } from './api.options';
export { ApiErrorCode, ApiException } from './api.exception';
export { API_RESOLVERS } from './resolvers';
export { buildSchemaSdl, formatSdl } from './schema/build-schema';
export { RefundWorkflow } from './workflows/refund-workflow.port';
export { DisputeWorkflow } from './workflows/dispute-workflow.port';
export {
  DuplicatePayments,
  duplicateRefundKey,
  type WorkflowDuplicateGroup,
  type WorkflowDuplicatePayment,
} from './workflows/duplicate-payments.port';
export type {
  CommandContext,
  CommandResult,
  WorkflowDispute,
  WorkflowPayment,
  WorkflowRefund,
  WorkflowRefundAuthorization,
} from './workflows/workflow.types';
export { RefundExecutionError } from './resolvers/mutation.util';
export { PaymentNotifier } from './notifications/payment-notifier';
export { ApiReadModel } from './queries/read-model';
export { scopeOf, UNRESTRICTED, type ReadScope } from './queries/read-scope';
export { loadManifest, parseManifest, type PersistedQueryManifest } from './limits/persisted-queries';
