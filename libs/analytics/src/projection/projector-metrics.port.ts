/** Monotonic counters the projector increments. */
export type ProjectorCounter =
  /** Records handed to the projector (including redeliveries). */
  | 'events_received'
  /** Events written to ClickHouse for the first time. */
  | 'events_projected'
  /** Events dropped because ClickHouse (or the recent-ids filter) already had them: redeliveries, replays, log duplicates. */
  | 'events_duplicate'
  /** Events of a known type whose data could not be read; stored raw only. */
  | 'events_invalid'
  /** Batches handled to the end. */
  | 'batches'
  /** ClickHouse calls retried after a failure. */
  | 'clickhouse_retries';

/** Gauges the projector sets. */
export type ProjectorGauge =
  /** now − recordedAt of the newest event of the last batch, in seconds. */
  | 'lag_seconds'
  /** Size of the last batch. */
  | 'last_batch_size'
  /** Time the last batch took, in seconds. */
  | 'last_batch_seconds'
  /** 1 when the last ClickHouse call succeeded, 0 while retrying. */
  | 'clickhouse_up';

/**
 * Where the projector reports lag and throughput. The app binds it to prom-client (counter `x402_projector_<name>_total`,
 * gauge `x402_projector_<name>` for instance); NoopProjectorMetrics / InMemoryProjectorMetrics serve tests and tools.
 */
export abstract class ProjectorMetrics {
  abstract increment(name: ProjectorCounter, value?: number): void;
  abstract set(name: ProjectorGauge, value: number): void;
}

export class NoopProjectorMetrics extends ProjectorMetrics {
  increment(): void {}
  set(): void {}
}

/** Keeps the values in memory (tests, benchmarks, the CLI). */
export class InMemoryProjectorMetrics extends ProjectorMetrics {
  readonly counters = new Map<ProjectorCounter, number>();
  readonly gauges = new Map<ProjectorGauge, number>();

  increment(name: ProjectorCounter, value = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + value);
  }

  set(name: ProjectorGauge, value: number): void {
    this.gauges.set(name, value);
  }

  counter(name: ProjectorCounter): number {
    return this.counters.get(name) ?? 0;
  }
}
