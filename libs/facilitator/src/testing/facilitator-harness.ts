import {
  EvmChains,
  FakeEvmChain,
  InMemorySignedTxStore,
  SignerKey,
  type EvmChain,
  type NetworkConfig,
} from '@x402-ledger/evm';
import { generatePrivateKey } from 'viem/accounts';
import type { FacilitatorOptions } from '../facilitator.options';
import { ExactEvmNetworks } from '../payments/exact-evm-networks';
import { KeyedMutex } from '../payments/keyed-mutex';
import { PaymentIdentifiers } from '../payments/payment-identifiers';
import { PaymentRecorder } from '../payments/payment-recorder';
import { SettleService } from '../settle/settle.service';
import { SettlementOutcomes } from '../settle/settlement-outcomes';
import { InMemoryPaymentStateStore } from '../state/in-memory-payment-state.store';
import { SystemClock } from '../system-clock';
import { VerifyService } from '../verify/verify.service';
import { InMemoryEventLog } from './in-memory-event-log';

export const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;
export const PAY_TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;

class OneChain extends EvmChains {
  constructor(private readonly chain: EvmChain) {
    super();
  }
  get(network: string): EvmChain | undefined {
    return network === this.chain.network ? this.chain : undefined;
  }
  list(): readonly EvmChain[] {
    return [this.chain];
  }
}

/**
 * The facilitator's services wired by hand over fake ports (FakeEvmChain, in-memory log and stores). `shared` puts a
 * second facilitator on the same chain and log (its own signers and local stores: another process).
 */
export function facilitatorHarness(
  overrides: Partial<NetworkConfig> = {},
  shared: { chain?: FakeEvmChain; log?: InMemoryEventLog } = {},
) {
  const chain = shared.chain ?? new FakeEvmChain();
  const network: NetworkConfig = {
    network: 'eip155:31337',
    chainId: 31337,
    displayName: 'fake',
    v1Name: 'hardhat',
    rpcUrls: ['http://127.0.0.1:1'],
    assets: [],
    confirmations: 1,
    gasLimits: { transferWithAuthorization: 200_000n, deployment: 1_000_000n },
    feeModel: 'eip1559',
    signerKeys: [SignerKey.parse(generatePrivateKey())!],
    eip6492AllowedFactories: [],
    receiptTimeoutMs: 300,
    receiptPollMs: 5,
    rpcTimeoutMs: 1000,
    ...overrides,
  };
  const options: FacilitatorOptions = { networks: [network], mode: 'dev', stateDir: '' };
  const log = shared.log ?? new InMemoryEventLog();
  const store = new InMemoryPaymentStateStore();
  const txStore = new InMemorySignedTxStore();
  const clock = new SystemClock();
  const networks = new ExactEvmNetworks(options, new OneChain(chain), txStore, clock);
  const recorder = new PaymentRecorder(log, store, clock, options);
  const locks = new KeyedMutex();
  const identifiers = new PaymentIdentifiers(store);
  const outcomes = new SettlementOutcomes(networks, store, txStore, recorder, locks);
  const verify = new VerifyService(networks, store, recorder, locks, identifiers, clock);
  const settle = new SettleService(networks, store, recorder, locks, identifiers, outcomes, clock);
  const token = shared.chain?.tokens.get(TOKEN.toLowerCase()) ?? chain.addToken(TOKEN);
  return { chain, token, network, log, store, txStore, networks, outcomes, verify, settle };
}
