import type { CommandContext, CommandResult, WorkflowDispute, WorkflowPayment, WorkflowRefund } from './workflow.types';

/** The dispute workflow, as the GraphQL mutations need it (same error contract as RefundWorkflow). */
export abstract class DisputeWorkflow {
  abstract getPayment(paymentId: string): Promise<WorkflowPayment | null>;
  /** The payment a dispute belongs to, or null. */
  abstract locateDispute(disputeId: string): Promise<string | null>;

  /** dispute.opened; disputeId = disputeId(paymentId, idempotencyKey). */
  abstract openDispute(
    command: CommandContext & { reason: WorkflowDispute['reason']; evidence: string[]; respondBy: string },
  ): Promise<CommandResult<WorkflowDispute>>;
  /** dispute.evidence_submitted by the payer or the provider. */
  abstract submitDisputeEvidence(
    command: CommandContext & { disputeId: string; party: 'payer' | 'provider'; evidence: string[] },
  ): Promise<CommandResult<WorkflowDispute>>;
  /**
   * dispute.won | dispute.lost (moving it under review first when it still needs a response). LOST also requests the
   * payout refund (returned as `payoutRefund`).
   */
  abstract resolveDispute(
    command: CommandContext & { disputeId: string; outcome: 'won' | 'lost'; note: string | null },
  ): Promise<CommandResult<WorkflowDispute> & { payoutRefund: WorkflowRefund | null }>;
  /** dispute.withdrawn (by the payer who opened it, or an admin). */
  abstract withdrawDispute(command: CommandContext & { disputeId: string }): Promise<CommandResult<WorkflowDispute>>;
}
