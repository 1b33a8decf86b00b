import { createEventLog, createStreamOwnership, SILENT_EVENT_LOG_LOGGER, type EventLog } from '@x402-ledger/event-log';
import { testKafkaBrokers, uniqueTopic } from '../../../setup/services';

/**
 * A split brain made permanent, on the real broker: every writer made by the returned function is alone in its own
 * consumer group on one fresh topic (3 partitions), so each believes it owns every partition. Logs go to `logs` (the
 * caller closes them).
 */
export function splitBrainWriters(prefix: string, logs: EventLog[]) {
  const topic = uniqueTopic(prefix);
  const url = `kafka://${testKafkaBrokers().join(',')}?topic=${topic}&partitions=3&replication=1&clientId=x402-split-brain`;
  return async (name: string) => {
    const log = await createEventLog(url, { logger: SILENT_EVENT_LOG_LOGGER });
    logs.push(log);
    const ownership = createStreamOwnership(log, { group: `${topic}.${name}`, sessionTimeoutMs: 6000 });
    return { log, ownership };
  };
}
