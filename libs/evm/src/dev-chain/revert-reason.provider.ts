import { RpcRequestError } from 'viem';
import type { Eip1193Provider } from './eip1193-provider';

/** JSON-RPC error code nodes (geth, anvil) use for a revert; `data` carries the ABI-encoded revert. */
export const EXECUTION_REVERTED_CODE = 3;

export interface RevertWithoutCode {
  message: string;
  data: string;
  transactionHash?: string;
}

/**
 * Hardhat 2's EDR provider rejects reverts with a SolidityError that carries the revert `data` (hex) but no JSON-RPC
 * `code`. Returns its parts when `e` is such an error, else undefined.
 */
export function asRevertWithoutCode(e: unknown): RevertWithoutCode | undefined {
  if (e === null || typeof e !== 'object') return undefined;
  const err = e as { code?: unknown; data?: unknown; message?: unknown; transactionHash?: unknown };
  if (err.code !== undefined || typeof err.data !== 'string') return undefined;
  return {
    message: typeof err.message === 'string' ? err.message : 'execution reverted',
    data: err.data,
    ...(typeof err.transactionHash === 'string' ? { transactionHash: err.transactionHash } : {}),
  };
}

/**
 * Makes the EDR provider's reverts look to viem like a node's: a revert is rethrown as viem's own RpcRequestError
 * with `code: 3`, the original message (as `details`) and the revert `data`, exactly what viem's HTTP transport
 * throws for a geth-style revert. So viem decodes revert reasons and custom errors, and, because the error is
 * already a viem error with a known code, does not wrap it as UnknownRpcError and retry it with backoff (~1 s).
 * Every other error passes through untouched.
 */
export function withRevertReasonCodes(provider: Eip1193Provider): Eip1193Provider {
  return {
    async request(args) {
      try {
        return await provider.request(args);
      } catch (e) {
        const revert = asRevertWithoutCode(e);
        if (revert === undefined) throw e;
        throw new RpcRequestError({
          body: { method: args.method, params: args.params },
          error: { code: EXECUTION_REVERTED_CODE, message: revert.message, data: revert.data },
          url: 'in-process://dev-chain',
        });
      }
    },
  };
}
