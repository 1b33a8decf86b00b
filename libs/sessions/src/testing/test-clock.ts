import { Clock } from '@x402-ledger/ledger';

/** A settable clock for tests. */
export class TestClock extends Clock {
  constructor(private current = Date.parse('2026-03-01T12:00:00.000Z')) {
    super();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}
