import { parseRoutePattern, routeMatches, normalizeRequestPath } from '@x402-ledger/session-guard';
import { getAddress } from 'viem';
import { z } from 'zod';

const amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'atomic amount as a decimal string');
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, '0x-prefixed 20-byte hex address')
  .transform((a) => getAddress(a));
const routeKey = z
  .string()
  .min(3)
  .max(1000)
  .transform((key, ctx) => {
    try {
      return parseRoutePattern(key).key;
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
      return z.NEVER;
    }
  });

/** What payment buys the session: the paid network/asset (and payee) and the minimum amount. */
const acceptsSchema = z.strictObject({
  network: z.string().regex(/^eip155:[1-9][0-9]*$/, 'CAIP-2 EVM network, e.g. eip155:8453'),
  asset: address,
  payTo: address.optional(),
  minAmount: amount,
});

/**
 * A provider's session policy for a set of routes: what a settled payment buys. Policies are data (a config file or
 * the API), versioned; an issued session records `policyId` + `policyVersion`.
 *
 * - `routes`: the scope the session opens, as "METHOD /path/template" (method + route, not only a path);
 * - `accepts`: which payments qualify (network, asset, optional payTo, minimum amount);
 * - `durationSeconds`, `maxCalls` (null = unlimited), `budget` (max spend: "payment" = the amount paid, an atomic
 *   amount, or null = unlimited);
 * - `pricing`: `per_session` (the payment is the price; calls spend nothing) or `per_call` (each call spends
 *   `pricePerCall` from the budget);
 * - `enforcement`: `local` (resource servers meter and report in batches; bounded overshoot across instances) or
 *   `strict` (each call is reserved with the service first).
 */
export const sessionPolicyInputSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase id: a-z 0-9 . _ -, max 64'),
    tenant: z.string().min(1).max(100).default('default'),
    description: z.string().max(500).optional(),
    routes: z.array(routeKey).min(1).max(100),
    accepts: z.array(acceptsSchema).min(1).max(20),
    durationSeconds: z
      .number()
      .int()
      .min(1)
      .max(90 * 24 * 3600),
    maxCalls: z.number().int().positive().nullable().default(null),
    budget: z.union([z.literal('payment'), amount, z.null()]).default(null),
    pricing: z.enum(['per_session', 'per_call']).default('per_session'),
    pricePerCall: amount.default('0'),
    enforcement: z.enum(['local', 'strict']).default('local'),
  })
  .superRefine((p, ctx) => {
    if (p.pricing === 'per_call' && p.pricePerCall === '0') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['pricePerCall'], message: 'per_call pricing needs a price' });
    }
    if (p.pricing === 'per_call' && p.budget === null) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['budget'], message: 'per_call pricing needs a budget' });
    }
    if (p.pricing === 'per_session' && p.pricePerCall !== '0') {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['pricePerCall'],
        message: 'per_session pricing has no price per call',
      });
    }
  });

export type SessionPolicyInput = z.input<typeof sessionPolicyInputSchema>;
export type SessionPolicyTerms = z.output<typeof sessionPolicyInputSchema>;

/** A stored policy version. */
export interface SessionPolicy extends SessionPolicyTerms {
  version: number;
  createdAt: string;
  /** Where this version came from: the start-up configuration or the API. */
  source: 'config' | 'api';
}

export interface PaymentTerms {
  network: string;
  asset: string;
  payTo: string;
  amount: string;
}

/** True when the policy's `accepts` lets this payment buy a session. */
export function policyAcceptsPayment(policy: SessionPolicyTerms, payment: PaymentTerms): boolean {
  return policy.accepts.some(
    (a) =>
      a.network === payment.network &&
      a.asset.toLowerCase() === payment.asset.toLowerCase() &&
      (a.payTo === undefined || a.payTo.toLowerCase() === payment.payTo.toLowerCase()) &&
      BigInt(payment.amount) >= BigInt(a.minAmount),
  );
}

/** True when one of the policy's routes covers `method path` (method '*' = any method). */
export function policyCoversRoute(policy: SessionPolicyTerms, method: string, path: string): boolean {
  const normalized = normalizeRequestPath(path);
  const upper = method.toUpperCase();
  return policy.routes.some((key) => routeMatches(parseRoutePattern(key), upper, normalized));
}

/** True when one of the policy's routes covers `path` with any method (the official SIWx entitlement key). */
export function policyCoversPath(policy: SessionPolicyTerms, path: string): boolean {
  const normalized = normalizeRequestPath(path);
  return policy.routes.some((key) => parseRoutePattern(key).regex.test(normalized));
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The session scope recorded on session.issued: the methods and the full "METHOD /path" route keys. */
export function scopeOf(policy: SessionPolicyTerms): { methods: string[]; routes: string[] } {
  const methods = new Set<string>();
  for (const key of policy.routes) {
    const method = parseRoutePattern(key).method;
    if (method === '*') ALL_METHODS.forEach((m) => methods.add(m));
    else methods.add(method);
  }
  return { methods: [...methods].sort(), routes: [...policy.routes] };
}

/** The session budget for a payment of `paidAmount` (null = unlimited). */
export function budgetOf(policy: SessionPolicyTerms, paidAmount: string): string | null {
  if (policy.budget === null) return null;
  return policy.budget === 'payment' ? paidAmount : policy.budget;
}
