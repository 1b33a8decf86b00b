import { Clock } from '@x402-ledger/ledger';

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
