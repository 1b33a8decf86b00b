import 'reflect-metadata';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_TEST_TOKEN_ADDRESS, signPermit2Request } from '@x402-ledger/evm';
import type { FacilitatorRequestV2, PaymentRequirementsV2 } from '@x402-ledger/protocol';
import {
  mergeLoads,
  networkConfig,
  postAll,
  startChainChild,
  startOfficialFacilitator,
  startOurFacilitator,
  type ChainChild,
  type LoadResult,
} from './verify.bench';

/**
 * Permit2 on the Hardhat dev chain (child process; Permit2 + x402ExactPermit2Proxy + TestToken installed by
 * startDevChain): verify throughput of ours vs the official `x402Facilitator` (+ ExactEvmScheme) on the same payloads
 * (90 % valid, 10 % with the amount changed after signing), concurrency 64, verdicts compared; then settle
 * throughput and latency of ours (upfront flow, fresh payloads, four signer accounts, concurrency 32).
 */
type Info = ChainChild['info'];

function permit2Requirements(info: Info): PaymentRequirementsV2 {
  return {
    scheme: 'exact',
    network: info.network,
    amount: '1000000000000000',
    asset: DEV_TEST_TOKEN_ADDRESS,
    payTo: info.providers[0],
    // Long: under automine the chain clock runs ahead of the wall clock by about a second per settlement.
    maxTimeoutSeconds: 86_400,
    extra: { assetTransferMethod: 'permit2' },
  };
}

/** Official-client-shaped Permit2 payloads, round-robin over the buyers that approved Permit2 (all but the last). */
async function signPermit2Payloads(info: Info, n: number, tamperEvery = 0): Promise<FacilitatorRequestV2[]> {
  const accounts = info.buyers.slice(0, -1).map((k) => privateKeyToAccount(k));
  const requirements = permit2Requirements(info);
  const out: FacilitatorRequestV2[] = [];
  for (let i = 0; i < n; i++) {
    const request = await signPermit2Request({
      account: accounts[i % accounts.length],
      requirements,
      chainId: info.chainId,
    });
    if (tamperEvery > 0 && i % tamperEvery === tamperEvery - 1) {
      const auth = (request.paymentPayload.payload as { permit2Authorization: { permitted: { amount: string } } })
        .permit2Authorization;
      auth.permitted.amount = '2000000000000000';
      request.paymentRequirements = { ...request.paymentRequirements, amount: '2000000000000000' };
      request.paymentPayload.accepted = { ...request.paymentPayload.accepted, amount: '2000000000000000' };
    }
    out.push(request);
  }
  return out;
}

const body = (r: FacilitatorRequestV2) => ({
  x402Version: 2,
  paymentPayload: r.paymentPayload,
  paymentRequirements: r.paymentRequirements,
});
const verdict = (b: unknown) => {
  const v = b as { isValid?: boolean; invalidReason?: string; error?: string };
  return v.isValid ? 'valid' : (v.invalidReason ?? `error:${v.error}`);
};

export default async function run(opts: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<Record<string, number | string | boolean | null>> {
  const nVerify = opts.quick ? 320 : 1600;
  const nSettle = opts.quick ? 120 : 600;
  const chain = await startChainChild();
  const figures: Record<string, number | string | boolean | null> = {};
  try {
    // Verify: ours vs official, interleaved rounds on the same payloads.
    const ours = await startOurFacilitator(networkConfig(chain.info, 1));
    const official = await startOfficialFacilitator(chain.info);
    try {
      opts.log(`signing ${nVerify + 256} Permit2 payloads`);
      const warm = await signPermit2Payloads(chain.info, 256);
      const payloads = await signPermit2Payloads(chain.info, nVerify, 10);
      await postAll(`${official.url}/verify`, warm.slice(0, 128).map(body), 64);
      await postAll(`${ours.url}/verify`, warm.slice(128).map(body), 64);
      const rounds = 4;
      const theirParts: LoadResult[] = [];
      const ourParts: LoadResult[] = [];
      for (let k = 0; k < rounds; k++) {
        const chunk = payloads.slice((k * nVerify) / rounds, ((k + 1) * nVerify) / rounds).map(body);
        theirParts.push(await postAll(`${official.url}/verify`, chunk, 64));
        ourParts.push(await postAll(`${ours.url}/verify`, chunk, 64));
      }
      const theirs = mergeLoads(theirParts);
      const our = mergeLoads(ourParts);
      let mismatches = 0;
      for (let i = 0; i < nVerify; i++) if (verdict(our.bodies[i]) !== verdict(theirs.bodies[i])) mismatches++;
      opts.log(`verify ours ${our.perSecond}/s (p50 ${our.p50Ms} ms), official ${theirs.perSecond}/s`);
      Object.assign(figures, {
        verifyPayloads: nVerify,
        verifyConcurrency: 64,
        validPayloads: our.bodies.filter((b) => verdict(b) === 'valid').length,
        oursPermit2VerifiesPerSec: our.perSecond,
        officialPermit2VerifiesPerSec: theirs.perSecond,
        permit2VerifySpeedup: Math.round((our.perSecond / theirs.perSecond) * 100) / 100,
        oursVerifyP50Ms: our.p50Ms,
        oursVerifyP99Ms: our.p99Ms,
        verdictMismatches: mismatches,
        identicalVerdicts: mismatches === 0,
      });
    } finally {
      await ours.close();
      await official.close();
    }

    // Settle: fresh payloads through POST /settle (verify + simulate + sign + persist + broadcast + receipt + events).
    const settler = await startOurFacilitator(networkConfig(chain.info, 4));
    try {
      const payloads = await signPermit2Payloads(chain.info, nSettle + 8);
      await postAll(`${settler.url}/settle`, payloads.slice(nSettle).map(body), 8);
      const result = await postAll(`${settler.url}/settle`, payloads.slice(0, nSettle).map(body), 32);
      const ok = result.bodies.filter((b) => (b as { success?: boolean }).success === true).length;
      const failures = new Map<string, number>();
      for (const b of result.bodies as { success?: boolean; errorReason?: string }[]) {
        if (!b.success) failures.set(String(b.errorReason), (failures.get(String(b.errorReason)) ?? 0) + 1);
      }
      for (const [reason, count] of failures) opts.log(`  settle failed ×${count}: ${reason}`);
      opts.log(
        `settle ours ${result.perSecond}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${ok}/${nSettle} ok`,
      );
      Object.assign(figures, {
        settlePayloads: nSettle,
        settleConcurrency: 32,
        settleSigners: 4,
        oursPermit2SettlesPerSec: result.perSecond,
        settleP50Ms: result.p50Ms,
        settleP99Ms: result.p99Ms,
        settleSucceeded: ok,
      });
    } finally {
      await settler.close();
    }
    return figures;
  } finally {
    await chain.stop();
  }
}
