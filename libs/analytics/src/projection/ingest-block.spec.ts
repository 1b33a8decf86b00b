import { toIngestBlock } from './ingest-block';
import { INGEST_COLUMNS, IngestRow, type IngestColumn } from './ingest-row.mapper';

describe('toIngestBlock', () => {
  const all = new Set<IngestColumn>(INGEST_COLUMNS);

  it('keeps only the columns some row sets, in table order, with each row projected onto them', () => {
    const a = new IngestRow().set('event_id', 'e1').set('type', 'payment.settled').set('amount', '5');
    const b = new IngestRow().set('event_id', 'e2').set('type', 'refund.succeeded').set('refund_id', 'r1');
    const sut = toIngestBlock([a.values, b.values], all);
    expect(sut.columns).toEqual(['event_id', 'type', 'refund_id', 'amount']);
    expect(sut.rows).toEqual([
      ['e1', 'payment.settled', '', '5'],
      ['e2', 'refund.succeeded', 'r1', '0'],
    ]);
  });

  it('never leaves out a column that is not omittable (e.g. one with a DEFAULT expression)', () => {
    const row = new IngestRow().set('event_id', 'e1');
    const sut = toIngestBlock([row.values], new Set<IngestColumn>(['refund_id', 'decimals']));
    expect(sut.columns).toEqual(INGEST_COLUMNS.filter((c) => c !== 'refund_id' && c !== 'decimals'));
    expect(sut.rows[0]).toHaveLength(INGEST_COLUMNS.length - 2);
  });

  it('returns the rows as they are when every column is used', () => {
    const rows = [INGEST_COLUMNS.map((c) => `x-${c}`)];
    const sut = toIngestBlock(rows, all);
    expect(sut).toEqual({ columns: INGEST_COLUMNS, rows });
  });
});
