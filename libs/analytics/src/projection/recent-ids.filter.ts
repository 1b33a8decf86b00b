import { BoundedLru } from './bounded-lru';

/**
 * The ids of the events this process projected most recently (bounded). A redelivered or duplicated event found here is
 * dropped without asking ClickHouse. Only ids whose raw row ClickHouse acknowledged are added, so the filter never
 * claims more than ClickHouse knows.
 */
export class RecentIdsFilter {
  private readonly ids: BoundedLru<string, true>;

  constructor(capacity = 200_000) {
    this.ids = new BoundedLru(capacity);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  addAll(ids: Iterable<string>): void {
    for (const id of ids) this.ids.set(id, true);
  }

  clear(): void {
    this.ids.clear();
  }
}
