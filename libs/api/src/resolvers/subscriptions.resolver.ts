import { Args, Context, ID, Resolver, Subscription } from '@nestjs/graphql';
import { requirePrincipal, type ApiContext } from '../graphql/api-context';
import { optionalAddress, optionalHexId } from '../inputs/validate';
import { DisputeUpdatedEvent, PaymentSettledEvent, RefundUpdatedEvent } from '../models/subscription-events.model';
import { PaymentNotifier } from '../notifications/payment-notifier';

/**
 * Live events over graphql-ws (`connectionParams: { authorization: "Bearer …" }`). Each subscriber receives only
 * events of payments its principal may see; the optional arguments narrow further.
 */
@Resolver()
export class SubscriptionsResolver {
  constructor(private readonly notifier: PaymentNotifier) {}

  @Subscription(() => PaymentSettledEvent, { description: 'A payment in scope settled.' })
  paymentSettled(
    @Context() ctx: ApiContext,
    @Args('payTo', { type: () => String, nullable: true }) payTo?: string,
  ): AsyncIterableIterator<Record<string, unknown>> {
    const principal = requirePrincipal(ctx);
    const address = optionalAddress(payTo, 'payTo');
    return this.notifier.subscribe(
      principal,
      'paymentSettled',
      (n) => address === undefined || n.ownership.payTo === address,
    );
  }

  @Subscription(() => RefundUpdatedEvent, { description: 'A refund of a payment in scope changed.' })
  refundUpdated(
    @Context() ctx: ApiContext,
    @Args('paymentId', { type: () => ID, nullable: true }) paymentId?: string,
  ): AsyncIterableIterator<Record<string, unknown>> {
    const principal = requirePrincipal(ctx);
    const id = optionalHexId(paymentId, 'paymentId');
    return this.notifier.subscribe(principal, 'refundUpdated', (n) => id === undefined || n.paymentId === id);
  }

  @Subscription(() => DisputeUpdatedEvent, { description: 'A dispute of a payment in scope changed.' })
  disputeUpdated(
    @Context() ctx: ApiContext,
    @Args('paymentId', { type: () => ID, nullable: true }) paymentId?: string,
  ): AsyncIterableIterator<Record<string, unknown>> {
    const principal = requirePrincipal(ctx);
    const id = optionalHexId(paymentId, 'paymentId');
    return this.notifier.subscribe(principal, 'disputeUpdated', (n) => id === undefined || n.paymentId === id);
  }
}
