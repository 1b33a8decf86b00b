import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { DisputeStatus, PaymentStatus } from './enums';
import { PageInfo } from './page-info.model';

@ObjectType({ description: 'Block-explorer links (null when the network has no known explorer).' })
export class PaymentLinks {
  @Field(() => String, { nullable: true })
  transaction!: string | null;

  @Field(() => String, { nullable: true })
  payer!: string | null;

  @Field(() => String, { nullable: true })
  payTo!: string | null;
}

@ObjectType({ description: 'One event of a payment stream (payment.*, refund.*, dispute.*), in stream order.' })
export class PaymentEvent {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Event type, e.g. payment.settled.' })
  type!: string;

  @Field(() => Int)
  sequence!: number;

  @Field(() => DateTimeScalar)
  occurredAt!: string;

  @Field(() => DateTimeScalar)
  recordedAt!: string;

  @Field()
  producer!: string;

  @Field({ description: "The event's data as JSON text (amounts are atomic decimal strings)." })
  data!: string;
}

@ObjectType({ description: 'An x402 payment: one EIP-3009/Permit2 authorization and what happened to it.' })
export class Payment {
  @Field(() => ID, { description: 'sha256(network|asset|payer|nonce).' })
  id!: string;

  @Field()
  tenant!: string;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field()
  scheme!: string;

  @Field({ description: 'CAIP-2 network, e.g. eip155:8453.' })
  network!: string;

  @Field({ description: 'Token contract (checksummed).' })
  asset!: string;

  @Field({ description: 'Atomic units, decimal string.' })
  amount!: string;

  @Field(() => Int, { nullable: true, description: "The asset's decimals, when known." })
  decimals!: number | null;

  @Field(() => String, { nullable: true, description: 'amount / 10^decimals, exact; null when decimals are unknown.' })
  formattedAmount!: string | null;

  @Field(() => String, { nullable: true, description: 'Paying wallet (checksummed).' })
  payer!: string | null;

  @Field({ description: 'Receiving address (checksummed).' })
  payTo!: string;

  @Field(() => String, { nullable: true, description: 'The paid resource URL.' })
  resource!: string | null;

  @Field(() => String, { nullable: true, description: 'Settlement transaction hash.' })
  transaction!: string | null;

  @Field(() => String, { nullable: true })
  blockNumber!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'First seen (first event).' })
  createdAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  updatedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  verifiedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  submittedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  settledAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Reason code of the last verification/settlement failure.' })
  failureReason!: string | null;

  @Field({ description: 'Σ succeeded refunds, atomic units.' })
  refundedAmount!: string;

  @Field(() => String, { nullable: true })
  formattedRefundedAmount!: string | null;

  @Field(() => Int)
  refundCount!: number;

  @Field(() => DisputeStatus, { nullable: true, description: 'State of the latest dispute, if any.' })
  disputeStatus!: DisputeStatus | null;

  @Field({ description: 'Gas used by the settlement transaction.' })
  gasUsed!: string;

  @Field({ description: 'gasUsed × effectiveGasPrice, wei.' })
  gasCostWei!: string;
}

@ObjectType()
export class PaymentEdge {
  @Field()
  cursor!: string;

  @Field(() => Payment)
  node!: Payment;
}

@ObjectType()
export class PaymentConnection {
  @Field(() => [PaymentEdge])
  edges!: PaymentEdge[];

  @Field(() => [Payment])
  nodes!: Payment[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
