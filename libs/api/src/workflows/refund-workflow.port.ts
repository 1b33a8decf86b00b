import type {
  CommandContext,
  CommandResult,
  WorkflowPayment,
  WorkflowRefund,
  WorkflowRefundAuthorization,
} from './workflow.types';

/**
 * The refund workflow, as the GraphQL mutations need it. Implementations append the ledger's `refund.*` events on the
 * payment's stream (through the Payment aggregate's decide) and answer only once they are durable.
 *
 * Errors: LedgerException with its code for rules of the domain (NOT_SETTLED, REFUND_EXCEEDS_SETTLED,
 * REFUND_IN_FLIGHT, INVALID_TRANSITION, TERMINAL_STATE, IDEMPOTENCY_CONFLICT, NOT_FOUND …); ApiException NOT_AVAILABLE
 * when something this process cannot do is asked (e.g. executing without a hot wallet for the payTo).
 */
export abstract class RefundWorkflow {
  /** The payment as the writer knows it, or null when it does not exist. */
  abstract getPayment(paymentId: string): Promise<WorkflowPayment | null>;
  /** The payment a refund belongs to, or null. */
  abstract locateRefund(refundId: string): Promise<string | null>;

  /** refund.requested; refundId = refundId(paymentId, idempotencyKey); amount null = the same refund again, or all that is refundable. */
  abstract requestRefund(
    command: CommandContext & { amount: string | null; reason: string; requestedBy: WorkflowRefund['requestedBy'] },
  ): Promise<CommandResult<WorkflowRefund>>;
  /** refund.approved (requested → approved). */
  abstract approveRefund(command: CommandContext & { refundId: string }): Promise<CommandResult<WorkflowRefund>>;
  /** Sends the refund on chain: refund.submitted, then refund.succeeded | refund.failed once the receipt is known. */
  abstract executeRefund(
    command: CommandContext & { refundId: string; authorization?: WorkflowRefundAuthorization },
  ): Promise<CommandResult<WorkflowRefund>>;
  /** refund.canceled (requested | approved → canceled). */
  abstract cancelRefund(
    command: CommandContext & { refundId: string; reason: string },
  ): Promise<CommandResult<WorkflowRefund>>;
}
