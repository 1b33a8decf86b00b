import { Injectable } from '@nestjs/common';
import { PAYMENT_IDENTIFIER } from '@x402/extensions/payment-identifier';
import type { SupportedKind, SupportedResponse } from '@x402-ledger/protocol';
import { FacilitatorExtensions } from '../facilitator.options';
import { ExactEvmNetworks } from '../payments/exact-evm-networks';

/**
 * GET /supported: one `exact` kind per configured network — concrete CAIP-2 ids only, never wildcards (the
 * resource server matches kinds by exact network) — plus V1 kinds under the V1 names, our signer addresses under
 * `eip155:*`, and the extensions we implement.
 */
@Injectable()
export class SupportedService {
  private readonly answer: SupportedResponse;

  constructor(networks: ExactEvmNetworks, extensions: FacilitatorExtensions) {
    const v2: SupportedKind[] = [];
    const v1: SupportedKind[] = [];
    const signers = new Set<string>();
    for (const n of networks.list()) {
      v2.push({ x402Version: 2, scheme: 'exact', network: n.config.network });
      if (n.v1Name) v1.push({ x402Version: 1, scheme: 'exact', network: n.v1Name as SupportedKind['network'] });
      n.signers.addresses.forEach((a) => signers.add(a));
    }
    this.answer = {
      kinds: [...v2, ...v1],
      extensions: [...new Set([PAYMENT_IDENTIFIER, ...extensions.keys()])],
      signers: signers.size > 0 ? { 'eip155:*': [...signers] } : {},
    };
  }

  supported(): SupportedResponse {
    return this.answer;
  }
}
