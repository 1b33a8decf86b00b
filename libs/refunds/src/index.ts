// Public API of the refunds module: refund and dispute workflows on the payment streams (ADR 0003, ADR 0009).
export { RefundsErrorCode, RefundsException } from './refunds.exception';
export {
  REFUNDS_OPTIONS,
  resolveRefundsOptions,
  type HotWalletConfig,
  type RefundsOptions,
  type RefundsOptionsInput,
} from './refunds.options';
export { RefundsModule, type RefundsModuleConfig } from './refunds.module';
export { PaymentStreamLocks, PaymentStreamStore } from './streams/payment-streams.port';
export { FoldedPaymentStreams, InProcessPaymentLocks } from './streams/folded-payment-streams';
export { PaymentCommandBus, type CommandMeta, type PaymentStreamHandle } from './streams/payment-command.bus';
export {
  WorkflowIndex,
  type DuplicateCluster,
  type IndexedDispute,
  type IndexedPayment,
  type IndexedRefund,
} from './index/workflow-index';
export { WorkflowIndexService } from './index/workflow-index.service';
export { RefundService, type CallMeta, type RefundTarget, type RequestRefundInput } from './refunds/refund.service';
export type { RefundView } from './refunds/refund.view';
export {
  DEADLINE_ACTOR,
  DisputeService,
  decideCommands,
  type DisputeResolution,
  type OpenDisputeInput,
} from './disputes/dispute.service';
export type { DisputeView } from './disputes/dispute.view';
export {
  DisputeProofVerifier,
  disputeProofMessage,
  disputeProofResource,
  disputeProofStatement,
  type DisputeProof,
  type DisputeReason,
  type VerifiedDisputeProof,
} from './disputes/dispute-proof';
export {
  DuplicatePaymentsService,
  duplicateRefundKey,
  type DuplicatePayment,
  type DuplicatePaymentGroup,
} from './duplicates/duplicate-payments.service';
export { RefundExecutor, type HotWalletSkip } from './execution/refund.executor';
export {
  RefundNetworks,
  StaticRefundNetworks,
  refundNetworksFrom,
  type RefundNetwork,
  type SettlementNetworksLike,
} from './execution/refund-networks.port';
export {
  RefundAuthorizationVerifier,
  refundAuthorizationTypedData,
  type RefundAuthorization,
} from './execution/refund-authorization';
export { InMemoryRefundTxStore, RefundTxStore, type SignedRefundTx } from './execution/refund-tx.store';
export { LmdbRefundTxStore } from './execution/lmdb-refund-tx.store';
export { judgeRefundReceipt, type RefundReceiptVerdict } from './execution/refund-receipt';
export { RefundsWorker, type TickReport } from './worker/refunds.worker';
export { PaymentWorkflowAdapter } from './adapters/payment-workflow.adapter';
export { devChainHotWallets } from './dev-hot-wallets';
