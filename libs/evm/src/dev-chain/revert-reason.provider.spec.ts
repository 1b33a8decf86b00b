import { RpcRequestError } from 'viem';
import type { Eip1193Provider } from './eip1193-provider';
import { asRevertWithoutCode, EXECUTION_REVERTED_CODE, withRevertReasonCodes } from './revert-reason.provider';

const failingWith = (error: unknown): Eip1193Provider => ({
  request: () => Promise.reject(error),
});

describe('withRevertReasonCodes', () => {
  const revertData = '0x08c379a0';

  it('rethrows a revert without code as a viem RpcRequestError with code 3, same message and data', async () => {
    const hardhatError = Object.assign(new Error("reverted with reason string 'x'"), { data: revertData });
    const sut = withRevertReasonCodes(failingWith(hardhatError));
    const error = await sut.request({ method: 'eth_call', params: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcRequestError);
    expect(error).toMatchObject({
      code: EXECUTION_REVERTED_CODE,
      data: revertData,
      details: "reverted with reason string 'x'",
    });
  });

  it('passes through errors that already have a code, and errors without string data', async () => {
    const coded = Object.assign(new Error('nonce too low'), { code: -32000, data: revertData });
    await expect(withRevertReasonCodes(failingWith(coded)).request({ method: 'eth_sendRawTransaction' })).rejects.toBe(
      coded,
    );
    const plain = new Error('boom');
    await expect(withRevertReasonCodes(failingWith(plain)).request({ method: 'eth_call' })).rejects.toBe(plain);
  });

  it('passes results through', async () => {
    const sut = withRevertReasonCodes({ request: async () => '0x7a69' });
    await expect(sut.request({ method: 'eth_chainId' })).resolves.toBe('0x7a69');
  });

  it('asRevertWithoutCode keeps the transaction hash of a mined revert', () => {
    expect(asRevertWithoutCode({ message: 'm', data: '0x', transactionHash: '0xab' })).toEqual({
      message: 'm',
      data: '0x',
      transactionHash: '0xab',
    });
    expect(asRevertWithoutCode(null)).toBeUndefined();
    expect(asRevertWithoutCode('x')).toBeUndefined();
  });
});
