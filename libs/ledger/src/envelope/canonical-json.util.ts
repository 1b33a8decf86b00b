import { LedgerErrorCode, LedgerException } from '../ledger.exception';

/**
 * Canonical JSON: object keys sorted (UTF-16 code-unit order, as `Array.prototype.sort`), no whitespace, keys whose
 * value is `undefined` omitted (as JSON does). The same value always gives the same string, whatever the key order it
 * was built with. Refuses what JSON cannot carry faithfully: bigint, non-finite numbers, functions, symbols,
 * `undefined` inside arrays, and objects that are not plain (Date, Map, class instances).
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value);
  } catch (error) {
    if (error !== NOT_CANONICAL) throw error;
    throw describeFirstProblem(value, '$');
  }
}

const NOT_CANONICAL = Symbol('not canonical');

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw NOT_CANONICAL;
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw NOT_CANONICAL;
          out += i === 0 ? write(item) : ',' + write(item);
        }
        return out + ']';
      }
      if (!isPlainObject(value)) throw NOT_CANONICAL;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + write(item);
      }
      return out + '}';
    }
    default:
      throw NOT_CANONICAL;
  }
}

/** Slow path, only on failure: finds where the value stops being canonical JSON. */
function describeFirstProblem(value: unknown, path: string): LedgerException {
  const problem = (what: string): LedgerException =>
    new LedgerException(LedgerErrorCode.NON_CANONICAL_VALUE, `cannot serialize ${what} at ${path}`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      break;
    case 'number':
      if (!Number.isFinite(value)) return problem('a non-finite number');
      break;
    case 'object': {
      if (value === null) break;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) return describeFirstProblem(undefined, `${path}[${i}]`);
          const inner = describeFirstProblem(value[i], `${path}[${i}]`);
          if (inner.message !== OK) return inner;
        }
        break;
      }
      if (!isPlainObject(value)) return problem('an object that is not plain');
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item === undefined) continue;
        const inner = describeFirstProblem(item, `${path}.${key}`);
        if (inner.message !== OK) return inner;
      }
      break;
    }
    default:
      return problem(typeof value);
  }
  return new LedgerException(LedgerErrorCode.NON_CANONICAL_VALUE, OK);
}

const OK = 'ok';

/**
 * A plain object: its prototype is null or an `Object.prototype` — of any realm (objects decoded by a native addon, or
 * made in another vm context, carry their own realm's Object.prototype). Class instances, Date, Map, Buffer… are not.
 */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
