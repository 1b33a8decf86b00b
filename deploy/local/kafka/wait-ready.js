'use strict';
// Waits until a Kafka broker really answers a metadata request (kafkajs admin describeCluster) on 127.0.0.1:<port>.
// Usage: node wait-ready.js <port> <pid> <timeoutMs>
// Exits 0 when ready; 1 on timeout; 2 when the broker process <pid> has died meanwhile.
const fs = require('node:fs');
const { Kafka, logLevel } = require('kafkajs');

const [port, pid, timeoutMs] = process.argv.slice(2).map((a) => Number.parseInt(a, 10));
if (!Number.isInteger(port) || !Number.isInteger(pid) || !Number.isInteger(timeoutMs)) {
  console.error('usage: node wait-ready.js <port> <pid> <timeoutMs>');
  process.exit(64);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Alive = exists and is not a zombie (an exited broker may wait a while for its reparenting init to reap it).
function alive(p) {
  try {
    process.kill(p, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no procfs: kill(0) is all we have
  }
}

async function probe() {
  const kafka = new Kafka({
    clientId: 'x402-wait-ready',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.some((b) => b.port === port);
  } finally {
    await admin.disconnect();
  }
}

async function main() {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt';
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      console.error(`kafka process ${pid} exited before it became ready (last probe: ${lastError})`);
      process.exit(2);
    }
    try {
      if (await probe()) process.exit(0);
      lastError = 'broker not yet in cluster metadata';
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  console.error(`kafka on 127.0.0.1:${port} not ready after ${timeoutMs} ms (last probe: ${lastError})`);
  process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
