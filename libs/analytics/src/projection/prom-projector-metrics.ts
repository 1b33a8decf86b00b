import { Global, Module } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '@x402-ledger/observability';
import { ProjectorMetrics, type ProjectorCounter, type ProjectorGauge } from './projector-metrics.port';

/** ProjectorMetrics on the process's Prometheus registry: `x402_projector_<name>_total` counters and `x402_projector_<name>` gauges. */
export class PromProjectorMetrics extends ProjectorMetrics {
  private readonly counters = new Map<ProjectorCounter, Counter>();
  private readonly gauges = new Map<ProjectorGauge, Gauge>();

  constructor(private readonly metrics: MetricsService) {
    super();
  }

  increment(name: ProjectorCounter, value = 1): void {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = this.metrics.counter(`x402_projector_${name}_total`, `Projector: ${name.replace(/_/g, ' ')}`);
      this.counters.set(name, counter);
    }
    counter.inc(value);
  }

  set(name: ProjectorGauge, value: number): void {
    let gauge = this.gauges.get(name);
    if (!gauge) {
      gauge = this.metrics.gauge(`x402_projector_${name}`, `Projector: ${name.replace(/_/g, ' ')}`);
      this.gauges.set(name, gauge);
    }
    gauge.set(value);
  }
}

/** Binds ProjectorMetrics to Prometheus for the whole app (needs ObservabilityModule). */
@Global()
@Module({
  providers: [
    {
      provide: ProjectorMetrics,
      useFactory: (m: MetricsService) => new PromProjectorMetrics(m),
      inject: [MetricsService],
    },
  ],
  exports: [ProjectorMetrics],
})
export class PromProjectorMetricsModule {}
