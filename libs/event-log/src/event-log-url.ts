import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventLogErrorCode, EventLogException } from './event-log.exception';

/** The embedded LMDB log in a local folder. */
export interface EmbeddedEventLogUrl {
  kind: 'embedded';
  /** Absolute path of the LMDB environment folder. */
  path: string;
}

/** Apache Kafka through the kafkajs adapter. */
export interface KafkaEventLogUrl {
  kind: 'kafka';
  /** `host:port` seed brokers. */
  brokers: string[];
  topic: string;
  /** Partitions the topic is created with (when it does not exist yet). */
  partitions: number;
  /** Replication factor the topic is created with (when it does not exist yet). */
  replication: number;
  clientId: string;
}

export type EventLogUrl = EmbeddedEventLogUrl | KafkaEventLogUrl;

export const KAFKA_URL_DEFAULTS = {
  topic: 'x402.events',
  partitions: 6,
  replication: 1,
  clientId: 'x402-ledger',
} as const;

const KAFKA_PARAMS = ['topic', 'partitions', 'replication', 'clientId'] as const;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const CLIENT_ID = /^[A-Za-z0-9._-]{1,100}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)$/;

function invalid(url: string, why: string): EventLogException {
  return new EventLogException(EventLogErrorCode.INVALID_URL, `Invalid event log URL "${url}": ${why}`);
}

function intParam(url: string, name: string, raw: string | null, def: number, max: number): number {
  if (raw === null) return def;
  if (!/^[0-9]+$/.test(raw)) throw invalid(url, `${name} must be a positive integer, got "${raw}"`);
  const n = Number(raw);
  if (n < 1 || n > max) throw invalid(url, `${name} must be between 1 and ${max}, got ${n}`);
  return n;
}

function parseEmbedded(url: string, cwd: string): EmbeddedEventLogUrl {
  let path: string;
  if (url.startsWith('file://')) {
    // Standard file URL: file:///abs/path or file://localhost/abs/path.
    try {
      path = fileURLToPath(url);
    } catch (error) {
      throw invalid(url, (error as Error).message);
    }
  } else {
    path = url.slice('file:'.length);
    if (path.includes('?') || path.includes('#')) throw invalid(url, 'file: URLs take no query or fragment');
  }
  if (path.trim() === '') throw invalid(url, 'the path is empty (use file:./data/log or file:/abs/path)');
  return { kind: 'embedded', path: isAbsolute(path) ? resolve(path) : resolve(cwd, path) };
}

function parseKafka(url: string): KafkaEventLogUrl {
  const rest = url.slice('kafka://'.length);
  if (rest.includes('#')) throw invalid(url, 'kafka:// URLs take no fragment');
  const q = rest.indexOf('?');
  const authority = q === -1 ? rest : rest.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : rest.slice(q + 1));
  if (authority.includes('@')) throw invalid(url, 'credentials in the URL are not supported');
  if (authority.includes('/')) throw invalid(url, 'kafka:// URLs take no path (put the topic in ?topic=)');
  if (authority === '') throw invalid(url, 'no broker given (kafka://host:9092[,host2:9092])');
  const brokers = authority.split(',').map((entry) => {
    const m = /^(.*?)(?::([0-9]{1,5}))?$/.exec(entry.trim());
    const host = m?.[1] ?? '';
    if (!HOST.test(host)) throw invalid(url, `bad broker host "${entry}"`);
    const port = m?.[2] === undefined ? 9092 : Number(m[2]);
    if (port < 1 || port > 65535) throw invalid(url, `bad broker port in "${entry}"`);
    return `${host}:${port}`;
  });
  for (const key of query.keys()) {
    if (!(KAFKA_PARAMS as readonly string[]).includes(key)) {
      throw invalid(url, `unknown parameter "${key}" (known: ${KAFKA_PARAMS.join(', ')})`);
    }
    if (query.getAll(key).length > 1) throw invalid(url, `parameter "${key}" given more than once`);
  }
  const topic = query.get('topic') ?? KAFKA_URL_DEFAULTS.topic;
  if (!TOPIC.test(topic) || topic === '.' || topic === '..') throw invalid(url, `bad topic name "${topic}"`);
  const clientId = query.get('clientId') ?? KAFKA_URL_DEFAULTS.clientId;
  if (!CLIENT_ID.test(clientId)) throw invalid(url, `bad clientId "${clientId}"`);
  return {
    kind: 'kafka',
    brokers,
    topic,
    partitions: intParam(url, 'partitions', query.get('partitions'), KAFKA_URL_DEFAULTS.partitions, 10_000),
    replication: intParam(url, 'replication', query.get('replication'), KAFKA_URL_DEFAULTS.replication, 32),
    clientId,
  };
}

/**
 * Parses EVENT_LOG_URL:
 * - `file:./data/log`, `file:/abs/path`, `file:///abs/path` → the embedded LMDB log (relative paths against `cwd`);
 * - `kafka://h1:9092,h2:9092?topic=x402.events&partitions=6&replication=1&clientId=x402-ledger` → Kafka (port
 *   defaults to 9092; every parameter is optional, defaults in KAFKA_URL_DEFAULTS; unknown parameters are refused).
 * Throws EventLogException(INVALID_URL) with the reason.
 */
export function parseEventLogUrl(url: string, cwd: string = process.cwd()): EventLogUrl {
  const trimmed = url.trim();
  if (trimmed.startsWith('file:')) return parseEmbedded(trimmed, cwd);
  if (trimmed.startsWith('kafka://')) return parseKafka(trimmed);
  throw invalid(url, 'the scheme must be file: (embedded log) or kafka:// (Kafka)');
}
