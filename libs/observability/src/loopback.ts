const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** True for a connection from this machine (IPv4, IPv6 and IPv4-mapped loopback): the dev-mode "open on loopback" rule. */
export function isLoopbackAddress(remoteAddress: string | undefined | null): boolean {
  return remoteAddress !== undefined && remoteAddress !== null && LOOPBACK.has(remoteAddress);
}
