/** Bounded exponential backoff with ±20 % jitter, and a sleep that close() can cut short. */
export interface BackoffOptions {
  /** First delay (default 100 ms). */
  initialMs?: number;
  /** Upper bound of any delay (default 5 s). */
  maxMs?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 5000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(max, base * (0.8 + Math.random() * 0.4)));
}

/** A timer that resolves after `ms` or as soon as wake() is called, whichever comes first. */
export class WakeableSleep {
  private pending: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  sleep(ms: number): Promise<void> {
    this.wake();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = null;
        resolve();
      }, ms);
      this.pending = { timer, resolve };
    });
  }

  wake(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.resolve();
  }
}
