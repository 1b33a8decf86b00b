import type { CatalogEntry } from '../catalog/catalog-entry';
import { EMPTY_QUALITY } from '../quality/quality-stats.port';
import { rankScore } from './ranking';
import { TextIndex, tokenize } from './text-index';

const entry = (path: string, extra: Partial<CatalogEntry> = {}): CatalogEntry => ({
  resourceUrl: `https://x.example${path}`,
  type: 'http',
  x402Version: 2,
  accepts: [],
  lastUpdated: '2026-01-01T00:00:00.000Z',
  status: 'active',
  fetchUrl: `https://x.example${path}`,
  registered: false,
  tenant: 't',
  ...extra,
});

describe('TextIndex', () => {
  it('tokenizes words, drops stopwords and one-letter tokens', () => {
    expect(tokenize('The Weather-API for São Paulo, v2!')).toEqual(['weather', 'são', 'paulo', 'v2']);
  });

  it('scores name and tag matches above description matches, and rare terms above common ones', () => {
    const sut = new TextIndex([
      entry('/a', { serviceName: 'Weather', description: 'data' }),
      entry('/b', { description: 'weather data feed' }),
      entry('/c', { description: 'stock data' }),
    ]);
    const scores = sut.score('weather');
    expect(scores.get('https://x.example/a')).toBeGreaterThan(scores.get('https://x.example/b')!);
    expect(scores.has('https://x.example/c')).toBe(false);
    expect(sut.score('data stock').get('https://x.example/c')).toBeGreaterThan(
      sut.score('data').get('https://x.example/c')!,
    );
  });

  it('matches prefixes of 3+ characters at lower weight, and words inside bazaar info', () => {
    const sut = new TextIndex([
      entry('/forecast'),
      entry('/other', { extensions: { bazaar: { info: { input: { queryParams: { latitude: 1 } } } } } }),
    ]);
    expect(sut.score('fore').get('https://x.example/forecast')).toBeGreaterThan(0);
    expect(sut.score('fo').size).toBe(0);
    expect([...sut.score('latitude').keys()]).toEqual(['https://x.example/other']);
  });
});

describe('rankScore', () => {
  it('lifts usage logarithmically and lowers disputes, refunds and stale listings', () => {
    const base = rankScore(1, EMPTY_QUALITY, 'active');
    expect(base).toBe(1);
    expect(rankScore(1, { ...EMPTY_QUALITY, l30DaysTotalCalls: 99 }, 'active')).toBeCloseTo(1.6);
    expect(rankScore(1, { ...EMPTY_QUALITY, l30DaysDisputeRate: 1 }, 'active')).toBe(0.5);
    expect(rankScore(1, { ...EMPTY_QUALITY, l30DaysRefundRate: 1 }, 'active')).toBe(0.75);
    expect(rankScore(1, EMPTY_QUALITY, 'stale')).toBe(0.7);
  });
});
