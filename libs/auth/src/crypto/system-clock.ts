import { Clock } from '@x402-ledger/ledger';

/** The system clock (the ledger's Clock port). */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
