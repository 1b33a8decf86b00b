import { latestEventSchemas } from '@x402-ledger/ledger';

const DELIVERABLE_PREFIXES = ['payment', 'refund', 'dispute', 'session'] as const;

/** Ledger event types a provider can subscribe to (its own payments, refunds, disputes and sessions). */
export const DELIVERABLE_EVENT_TYPES: readonly string[] = Object.keys(latestEventSchemas).filter(
  (type) => DELIVERABLE_PREFIXES.some((p) => type.startsWith(`${p}.`)) && !type.startsWith('session.nonce_'),
);

const DELIVERABLE = new Set(DELIVERABLE_EVENT_TYPES);

/** Null when the pattern is valid: `*`, `<prefix>.*` for a deliverable prefix, or an exact deliverable type. */
export function eventTypePatternProblem(pattern: string): string | null {
  if (pattern === '*') return null;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -2);
    return (DELIVERABLE_PREFIXES as readonly string[]).includes(prefix)
      ? null
      : `${pattern}: prefix must be one of ${DELIVERABLE_PREFIXES.join(', ')}`;
  }
  return DELIVERABLE.has(pattern) ? null : `${pattern}: not a deliverable event type`;
}

/** Whether an event type is deliverable and matches one of the endpoint's patterns. */
export function matchesEventTypes(patterns: readonly string[], type: string): boolean {
  if (!DELIVERABLE.has(type)) return false;
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}
