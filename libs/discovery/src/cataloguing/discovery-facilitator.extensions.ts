import { Injectable, Logger } from '@nestjs/common';
import { FacilitatorExtensions, type FacilitatorExtensionCall } from '@x402-ledger/facilitator';
import { CatalogService } from '../catalog/catalog.service';
import { acceptedPayment, BAZAAR_KEY, extractListing } from './bazaar-extractor';
import { BazaarMetadataValidator } from './bazaar-metadata.validator';

export type BazaarResponse = { status: 'success' | 'processing' | 'rejected'; rejectedReason?: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The facilitator's bazaar extension: after a successful /verify or /settle whose payload carries
 * `extensions.bazaar`, validates and catalogues the resource and answers `{bazaar: {status, rejectedReason?}}`
 * for the EXTENSION-RESPONSES header. Rejected metadata catalogues nothing; the payment answer never changes.
 */
@Injectable()
export class DiscoveryFacilitatorExtensions extends FacilitatorExtensions {
  private readonly logger = new Logger(DiscoveryFacilitatorExtensions.name);

  constructor(
    private readonly catalog: CatalogService,
    private readonly validator: BazaarMetadataValidator,
  ) {
    super();
  }

  override keys(): string[] {
    return [BAZAAR_KEY];
  }

  async afterAnswer(call: FacilitatorExtensionCall): Promise<Record<string, unknown>> {
    const response = await this.catalogue(call);
    return response ? { [BAZAAR_KEY]: response } : {};
  }

  /** The bazaar response for one call, or null when the payload carries no bazaar extension. */
  async catalogue(call: FacilitatorExtensionCall): Promise<BazaarResponse | null> {
    const body = isObject(call.body) ? call.body : {};
    const payload = isObject(body['paymentPayload']) ? body['paymentPayload'] : {};
    const extensions = payload['extensions'];
    if (!isObject(extensions) || extensions[BAZAAR_KEY] === undefined) return null;
    if (!call.accepted)
      return { status: 'rejected', rejectedReason: `payment not ${call.route === 'verify' ? 'valid' : 'settled'}` };

    const x402Version = typeof payload['x402Version'] === 'number' ? payload['x402Version'] : 0;
    const extraction = extractListing(payload['resource'], extensions, x402Version, this.validator);
    if (extraction.kind === 'absent') return null;
    if (extraction.kind === 'rejected') return { status: 'rejected', rejectedReason: extraction.reason };
    const accepted = acceptedPayment(body['paymentRequirements'] ?? payload['accepted']);
    if (!accepted) return { status: 'rejected', rejectedReason: 'paymentRequirements cannot be listed' };

    const { listing } = extraction;
    try {
      await this.catalog.record({
        ...listing,
        accepts: [accepted],
        acceptsMode: 'merge',
        status: 'active',
        tenant: call.tenant,
        correlationId: call.correlationId,
      });
    } catch (error) {
      // Not recorded, so not catalogued: say so; the facilitator still answers the payment.
      this.logger.error(`cataloguing ${listing.resourceUrl} failed: ${(error as Error).message}`);
      return { status: 'rejected', rejectedReason: 'catalog unavailable, try again later' };
    }
    return { status: 'success' };
  }
}
