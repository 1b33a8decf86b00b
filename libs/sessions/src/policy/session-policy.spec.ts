import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '../testing/test-clock';
import { loadPoliciesFile } from './policies-file';
import { VersionedPolicyRepository, parsePolicyInput } from './policy.repository';
import { budgetOf, policyAcceptsPayment, policyCoversPath, policyCoversRoute, scopeOf } from './session-policy';

const base = {
  id: 'weather',
  routes: ['get /weather/:city', 'POST /weather'],
  accepts: [{ network: 'eip155:8453', asset: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913', minAmount: '1000' }],
  durationSeconds: 3600,
};

describe('session policies', () => {
  it('normalizes routes and addresses, applies defaults, and answers coverage questions', () => {
    const sut = parsePolicyInput(base);
    expect(sut).toMatchObject({
      tenant: 'default',
      routes: ['GET /weather/:city', 'POST /weather'],
      maxCalls: null,
      budget: null,
      pricing: 'per_session',
      pricePerCall: '0',
      enforcement: 'local',
    });
    expect(sut.accepts[0].asset).toBe('0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913');
    expect(policyCoversRoute(sut, 'GET', '/weather/paris')).toBe(true);
    expect(policyCoversRoute(sut, 'POST', '/weather/paris')).toBe(false);
    expect(policyCoversPath(sut, '/weather/paris')).toBe(true);
    expect(policyCoversPath(sut, '/other')).toBe(false);
    expect(scopeOf(sut)).toEqual({ methods: ['GET', 'POST'], routes: ['GET /weather/:city', 'POST /weather'] });
    const payment = {
      network: 'eip155:8453',
      asset: sut.accepts[0].asset.toLowerCase(),
      payTo: '0x' + '1'.repeat(40),
      amount: '1000',
    };
    expect(policyAcceptsPayment(sut, payment)).toBe(true);
    expect(policyAcceptsPayment(sut, { ...payment, amount: '999' })).toBe(false);
    expect(policyAcceptsPayment(sut, { ...payment, network: 'eip155:1' })).toBe(false);
    const perCall = parsePolicyInput({ ...base, pricing: 'per_call', pricePerCall: '10', budget: 'payment' });
    expect(budgetOf(perCall, '5000')).toBe('5000');
    expect(budgetOf(parsePolicyInput({ ...base, budget: '42' }), '5000')).toBe('42');
  });

  it('refuses inconsistent terms', () => {
    expect(() => parsePolicyInput({ ...base, pricing: 'per_call' })).toThrow(/pricePerCall.*budget|budget/);
    expect(() => parsePolicyInput({ ...base, pricePerCall: '5' })).toThrow(/per_session/);
    expect(() => parsePolicyInput({ ...base, routes: ['weather'] })).toThrow(/METHOD/);
    expect(() => parsePolicyInput({ ...base, extra: 1 })).toThrow(/INVALID|Unrecognized/i);
  });

  it('versions changes, keeps every version, and lets an unchanged config not undo API changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-policies-'));
    const file = join(dir, 'policies.json');
    const clock = new TestClock();
    const sut = new VersionedPolicyRepository(clock, file);
    expect((await sut.put(base, 'config')).version).toBe(1);
    expect((await sut.put(base, 'config')).version).toBe(1);
    expect((await sut.put({ ...base, maxCalls: 5 }, 'api')).version).toBe(2);
    expect((await sut.put(base, 'config')).version).toBe(2);
    expect((await sut.put({ ...base, durationSeconds: 60 }, 'config')).version).toBe(3);
    const reloaded = new VersionedPolicyRepository(clock, file);
    expect(reloaded.current('default', 'weather')).toMatchObject({ version: 3, durationSeconds: 60, source: 'config' });
    expect(reloaded.version('default', 'weather', 2)).toMatchObject({ maxCalls: 5, source: 'api' });
    expect(reloaded.list('default').map((p) => p.version)).toEqual([3]);
    expect(reloaded.list('other')).toEqual([]);
  });

  it('loads a policies file and names the bad entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-policies-file-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ policies: [base] }));
    expect(loadPoliciesFile(join(dir, 'ok.json'))).toEqual([base]);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([base, { ...base, durationSeconds: 0 }]));
    expect(() => loadPoliciesFile(join(dir, 'bad.json'))).toThrow(/bad\.json\[1\].*durationSeconds/);
    writeFileSync(join(dir, 'junk.json'), '{');
    expect(() => loadPoliciesFile(join(dir, 'junk.json'))).toThrow(/not readable JSON/);
  });
});
