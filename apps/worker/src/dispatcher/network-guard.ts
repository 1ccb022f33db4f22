import * as dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Ranges a webhook must not reach when POSTMAND_BLOCK_PRIVATE_NETWORKS is on: this host,
 * private and shared networks, link-local (where cloud metadata services live), and
 * addresses that are not unicast destinations at all.
 */
const BLOCKED: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', '"this network"'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignment'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique local (private)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

/** One list per range, to name the range; IPv4-mapped IPv6 addresses match IPv4 ranges. */
const RANGES = BLOCKED.map(([network, prefix, type, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, kind };
});

/** The IPv4 address a NAT64 (64:ff9b::/96) address stands for, if it is one. */
function nat64Target(address: string): string | undefined {
  const match = /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!match) return undefined;
  const high = parseInt(match[1], 16);
  const low = parseInt(match[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why `address` (an IP literal) is refused, or undefined when it may be reached. */
export function blockedReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return undefined;
  const target = family === 6 ? nat64Target(bare) : undefined;
  if (target) return blockedReason(target);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return RANGES.find((range) => range.list.check(bare, type))?.kind;
}

/** The error a refused target ends its attempt with. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor(host: string, address: string, kind: string) {
    super(
      `refused: ${host === address ? address : `${host} resolves to ${address}`}, a ${kind} ` +
        'address (POSTMAND_BLOCK_PRIVATE_NETWORKS is on)',
    );
    this.name = 'BlockedAddressError';
  }
}

/**
 * A `lookup` for sockets that resolves as usual and then refuses the connection when any
 * address the name resolves to is blocked. It runs at connect time, on the addresses the
 * socket is about to use, so a name that resolved to a public address when the webhook
 * was saved and to an internal one now (DNS rebinding) is refused too.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    for (const { address } of addresses) {
      const kind = blockedReason(address);
      if (kind) return callback(new BlockedAddressError(hostname, address, kind), '', 0);
    }
    if (options.all) {
      (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
    } else {
      callback(null, addresses[0].address, addresses[0].family);
    }
  });
};
