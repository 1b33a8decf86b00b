import { AuthResolver } from './auth.resolver';
import { DisputeMutationsResolver } from './dispute-mutations.resolver';
import { DisputesResolver } from './disputes.resolver';
import { DuplicatesResolver } from './duplicates.resolver';
import { OperationsResolver, VerificationFailureConnectionResolver } from './operations.resolver';
import { PaymentConnectionResolver, PaymentsResolver } from './payments.resolver';
import { RefundMutationsResolver } from './refund-mutations.resolver';
import { RefundsResolver } from './refunds.resolver';
import { RevenueResolver } from './revenue.resolver';
import { SessionsResolver } from './sessions.resolver';
import { SubscriptionsResolver } from './subscriptions.resolver';

/** Every resolver of the API (the schema is generated from these). */
export const API_RESOLVERS = [
  PaymentsResolver,
  PaymentConnectionResolver,
  RevenueResolver,
  RefundsResolver,
  DisputesResolver,
  SessionsResolver,
  OperationsResolver,
  VerificationFailureConnectionResolver,
  AuthResolver,
  RefundMutationsResolver,
  DuplicatesResolver,
  DisputeMutationsResolver,
  SubscriptionsResolver,
] as const;
