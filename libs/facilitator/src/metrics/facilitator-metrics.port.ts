/** One answered /verify or /settle, as operators count it. */
export interface FacilitatorOutcome {
  route: 'verify' | 'settle';
  /** CAIP-2 network of the requirements (`unknown` when the body had none). */
  network: string;
  /** `valid`/`invalid` for /verify; `success`/`failure` for /settle; `error` when an exception answered (4xx/5xx). */
  outcome: 'valid' | 'invalid' | 'success' | 'failure' | 'error';
  /** The protocol reason code of a refusal (the SDK's verbatim), or the exception's code; `none` on success. */
  reason: string;
  seconds: number;
}

/**
 * The facilitator's operational figures (rates, refusals by reason, latency). A port so the facilitator does not
 * depend on a metrics library; the default counts nothing, `PromFacilitatorMetrics` exports them on /metrics.
 */
export abstract class FacilitatorMetrics {
  abstract observe(outcome: FacilitatorOutcome): void;
}

export class NoFacilitatorMetrics extends FacilitatorMetrics {
  observe(): void {}
}
