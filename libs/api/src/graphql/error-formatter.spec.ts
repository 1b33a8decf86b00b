import { GraphQLError } from 'graphql';
import { AnalyticsErrorCode, AnalyticsException } from '@x402-ledger/analytics';
import { AuthErrorCode, AuthException } from '@x402-ledger/auth';
import { LedgerErrorCode, LedgerException } from '@x402-ledger/ledger';
import { ApiErrorCode, ApiException } from '../api.exception';
import { createFormatError } from './error-formatter';

function format(thrown: unknown, code = 'INTERNAL_SERVER_ERROR') {
  const logged: Record<string, unknown>[] = [];
  const sut = createFormatError({ error: (_m, meta) => logged.push(meta) });
  const wrapped = new GraphQLError('wrapped', { originalError: thrown as Error, path: ['payments'] });
  return {
    out: sut({ message: 'wrapped', path: ['payments'], extensions: { code, stacktrace: ['at x (y.ts:1)'] } }, wrapped),
    logged,
  };
}

describe('formatError', () => {
  it("maps every module's codes to client codes with safe messages", () => {
    expect(format(new ApiException(ApiErrorCode.BAD_USER_INPUT, 'first must be at most 100')).out).toMatchObject({
      message: 'first must be at most 100',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(format(new AuthException(AuthErrorCode.UNAUTHENTICATED, 'invalid token')).out.extensions).toEqual({
      code: 'UNAUTHENTICATED',
    });
    expect(format(new LedgerException(LedgerErrorCode.NOT_FOUND, 'payment x not found')).out.extensions).toEqual({
      code: 'NOT_FOUND',
    });
    expect(format(new LedgerException(LedgerErrorCode.REFUND_IN_FLIGHT, 'in flight')).out.extensions).toEqual({
      code: 'CONFLICT',
    });
    expect(format(new AnalyticsException(AnalyticsErrorCode.INVALID_QUERY, 'Invalid cursor')).out.extensions).toEqual({
      code: 'BAD_USER_INPUT',
    });
  });

  it('hides internal failures behind an error id and logs the cause (never SQL or stacks to the client)', () => {
    const { out, logged } = format(
      new AnalyticsException(
        AnalyticsErrorCode.CLICKHOUSE_FAILED,
        'ClickHouse query failed (SELECT secret FROM payments): boom',
      ),
    );
    expect(out.message).toBe('The analytics store is unavailable');
    expect(Object.keys(out.extensions ?? {}).sort()).toEqual(['code', 'errorId']);
    expect(JSON.stringify(out)).not.toMatch(/SELECT|stacktrace|\.ts:/);
    expect(logged[0]).toMatchObject({ errorId: out.extensions?.['errorId'] });
    const unknown = format(new TypeError("Cannot read properties of undefined (reading 'x')")).out;
    expect(unknown).toMatchObject({ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('keeps graphql-js and limit errors as they are, minus anything but the code and limit figures', () => {
    const sut = createFormatError({ error: () => undefined });
    const validation = new GraphQLError('Cannot query field "x" on type "Query".');
    expect(
      sut(
        { message: validation.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['…'] } },
        validation,
      ),
    ).toEqual({
      message: validation.message,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const deep = new GraphQLError('Query is too deep: depth 12 exceeds the limit of 10');
    expect(
      sut({ message: deep.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', depth: 12, maxDepth: 10 } }, deep)
        .extensions,
    ).toEqual({
      code: 'QUERY_TOO_DEEP',
      depth: 12,
      maxDepth: 10,
    });
  });
});
