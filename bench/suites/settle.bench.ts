import 'reflect-metadata';
import type { FacilitatorRequestV2 } from '@x402-ledger/protocol';
import { networkConfig, postAll, signPayloads, startChainChild, startOurFacilitator } from './verify.bench';

/**
 * Settlement latency and throughput of our facilitator against the Hardhat dev chain (automine, child process):
 * every payload is a fresh EIP-3009 authorization settled once through POST /settle (upfront flow: verify +
 * simulate + sign + persist + broadcast + receipt + events), at concurrency 32, with ONE facilitator signer account
 * and then with FOUR used round-robin (each keeps its own local nonce).
 */
export default async function run(opts: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<Record<string, number | string | boolean | null>> {
  const n = opts.quick ? 240 : 1200;
  const concurrency = 32;
  const chain = await startChainChild();
  const figures: Record<string, number | string | boolean | null> = { payloads: n, concurrency };
  try {
    for (const signers of [1, 4]) {
      const ours = await startOurFacilitator(networkConfig(chain.info, signers));
      try {
        opts.log(`signing ${n + 16} payloads`);
        const payloads = await signPayloads(chain.info, n + 16);
        const body = (r: FacilitatorRequestV2) => ({
          x402Version: 2,
          paymentPayload: r.paymentPayload,
          paymentRequirements: r.paymentRequirements,
        });
        await postAll(`${ours.url}/settle`, payloads.slice(n).map(body), 8);
        opts.log(`${signers} signer(s): ${n} settlements at concurrency ${concurrency}`);
        const result = await postAll(`${ours.url}/settle`, payloads.slice(0, n).map(body), concurrency);
        const ok = result.bodies.filter((b) => (b as { success?: boolean }).success === true).length;
        const txs = new Set(result.bodies.map((b) => (b as { transaction?: string }).transaction));
        const reasons = new Map<string, number>();
        for (const b of result.bodies as {
          success?: boolean;
          errorReason?: string;
          errorMessage?: string;
          invalidMessage?: string;
        }[]) {
          if (b.success) continue;
          const key = `${b.errorReason}: ${(b.errorMessage ?? b.invalidMessage ?? '').slice(0, 120)}`;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
        }
        for (const [reason, count] of reasons) opts.log(`  failed ×${count}: ${reason}`);
        opts.log(
          `${signers} signer(s): ${result.perSecond}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${ok}/${n} succeeded`,
        );
        figures[`settlesPerSec_${signers}signer`] = result.perSecond;
        figures[`p50Ms_${signers}signer`] = result.p50Ms;
        figures[`p99Ms_${signers}signer`] = result.p99Ms;
        figures[`succeeded_${signers}signer`] = ok;
        figures[`distinctTx_${signers}signer`] = txs.size;
      } finally {
        await ours.close();
      }
    }
    return figures;
  } finally {
    await chain.stop();
  }
}
