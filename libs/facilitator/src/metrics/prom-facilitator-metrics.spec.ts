import { MetricsService } from '@x402-ledger/observability';
import { PromFacilitatorMetrics } from './prom-facilitator-metrics';

describe('PromFacilitatorMetrics', () => {
  it('counts answers by route, network, outcome and reason, and bounds the label values', async () => {
    const metrics = new MetricsService();
    const sut = new PromFacilitatorMetrics(metrics, ['eip155:8453']);
    sut.observe({ route: 'verify', network: 'eip155:8453', outcome: 'valid', reason: 'none', seconds: 0.004 });
    sut.observe({
      route: 'verify',
      network: 'eip155:8453',
      outcome: 'invalid',
      reason: 'invalid_exact_evm_payload_signature',
      seconds: 0.002,
    });
    sut.observe({ route: 'settle', network: 'eip155:1', outcome: 'error', reason: 'Robert"); DROP', seconds: 1.5 });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'x402_facilitator_requests_total{route="verify",network="eip155:8453",outcome="valid",reason="none"} 1',
    );
    expect(text).toContain(
      'x402_facilitator_requests_total{route="verify",network="eip155:8453",outcome="invalid",reason="invalid_exact_evm_payload_signature"} 1',
    );
    // Unknown networks and free-form reasons collapse, so a client cannot grow the label space.
    expect(text).toContain(
      'x402_facilitator_requests_total{route="settle",network="other",outcome="error",reason="other"} 1',
    );
    expect(text).toMatch(
      /x402_facilitator_request_duration_seconds_bucket\{le="2\.5",route="settle",network="other",outcome="error"\} 1/,
    );
  });
});
