import {
  Clock,
  EventFactory,
  decidePayment,
  evolvePayment,
  initialPaymentState,
  paymentId as derivePaymentId,
  type EventEnvelope,
  type PaymentCommand,
  type PaymentState,
} from '@x402-ledger/ledger';

/** A clock the specs move by hand. */
export class ManualClock extends Clock {
  constructor(private current: Date) {
    super();
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date): void {
    this.current = new Date(at.getTime());
  }
}

export const NETWORK = 'eip155:31337';
export const ASSET = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const PAY_TO = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';

let counter = 0;

/** Facts of a settled payment (verified + settled), as the facilitator records them; not on any chain. */
export function settledPaymentCommands(input: {
  payer: string;
  amount: string;
  resourceUrl?: string;
  payTo?: string;
}): {
  paymentId: string;
  commands: PaymentCommand[];
} {
  counter += 1;
  const nonce = `0x${counter.toString(16).padStart(64, '0')}`;
  const paymentId = derivePaymentId({ network: NETWORK, asset: ASSET, payer: input.payer, nonce });
  const common = {
    paymentId,
    scheme: 'exact',
    network: NETWORK,
    asset: ASSET,
    amount: input.amount,
    payer: input.payer,
    payTo: input.payTo ?? PAY_TO,
    resourceUrl: input.resourceUrl ?? 'http://127.0.0.1:4021/weather',
  };
  return {
    paymentId,
    commands: [
      {
        type: 'RecordVerified',
        data: {
          ...common,
          nonce,
          validAfter: '0',
          validBefore: '9999999999',
          x402Version: 2,
          assetTransferMethod: 'eip3009',
          signatureKind: 'eoa',
        },
      },
      {
        type: 'RecordSettled',
        data: {
          ...common,
          txHash: `0x${'ab'.repeat(32)}`,
          blockNumber: '1',
          blockTimestamp: '2030-01-01T00:00:00.000Z',
          logIndex: 0,
          gasUsed: '1',
          effectiveGasPrice: '1',
          signer: PAY_TO,
        },
      },
    ],
  };
}

/** Decides and builds the envelopes of commands on a stream (the write path, without a log). */
export function buildEnvelopes(
  clock: Clock,
  tenant: string,
  streamId: string,
  commands: readonly PaymentCommand[],
  from: PaymentState = initialPaymentState(),
  meta: { correlationId: string; producer: string } = { correlationId: 'spec', producer: 'spec' },
): { envelopes: EventEnvelope[]; state: PaymentState } {
  const factory = new EventFactory(clock);
  let state = from;
  const envelopes: EventEnvelope[] = [];
  for (const command of commands) {
    const built = factory.create(
      { streamType: 'payment', streamId, lastSequence: state.sequence },
      decidePayment(state, command, { tenant, now: clock.now() }),
      { tenant, correlationId: meta.correlationId, causationId: null, producer: meta.producer },
    );
    for (const e of built) state = evolvePayment(state, e);
    envelopes.push(...built);
  }
  return { envelopes, state };
}
