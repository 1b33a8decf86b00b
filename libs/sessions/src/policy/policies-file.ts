import { readFileSync } from 'node:fs';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import { parsePolicyInput } from './policy.repository';
import type { SessionPolicyInput } from './session-policy';

/**
 * Reads session policies from a JSON file: an array of policies, or `{ "policies": [...] }`. Every policy is
 * validated (INVALID_POLICY names the file, the index and the problems) — for SessionsModule.forRoot({ policies }).
 */
export function loadPoliciesFile(file: string): SessionPolicyInput[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SessionsException(
      SessionsErrorCode.INVALID_POLICY,
      `${file}: not readable JSON (${(error as Error).message})`,
    );
  }
  const list = Array.isArray(raw) ? raw : (raw as { policies?: unknown })?.policies;
  if (!Array.isArray(list)) {
    throw new SessionsException(
      SessionsErrorCode.INVALID_POLICY,
      `${file}: expected an array of policies or { policies: [...] }`,
    );
  }
  return list.map((entry, i) => {
    try {
      parsePolicyInput(entry);
    } catch (error) {
      throw new SessionsException(SessionsErrorCode.INVALID_POLICY, `${file}[${i}]: ${(error as Error).message}`);
    }
    return entry as SessionPolicyInput;
  });
}
