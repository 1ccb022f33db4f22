import * as dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Cidr } from '@app/platform';

/**
 * Ranges a guarded webhook (a tenant's; the platform's own when
 * POSTMAND_BLOCK_PRIVATE_NETWORKS is on: SPEC §16) must not reach: this host, private and
 * shared networks, link-local (where cloud metadata services live), and addresses that
 * are not unicast destinations at all.
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

/**
 * Every range in one list, asked first: a check costs about 2 µs whatever the list's
 * length (the address is parsed for each), and a public address, by far the most common,
 * then takes one check rather than one per range (35 µs).
 */
const ANY_RANGE = new BlockList();
for (const [network, prefix, type] of BLOCKED) ANY_RANGE.addSubnet(network, prefix, type);

/** The IPv4 address a NAT64 (64:ff9b::/96) address stands for, if it is one. */
function nat64Target(address: string): string | undefined {
  const match = /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!match) return undefined;
  const high = parseInt(match[1], 16);
  const low = parseInt(match[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * The ranges POSTMAND_ALLOWED_NETWORKS exempts, split by what they may exempt. Node's
 * BlockList matches an IPv4 address against IPv6 rules through its IPv4-mapped form
 * (`::ffff:a.b.c.d`), so `::/0` in one list would exempt 169.254.169.254 and every other
 * IPv4 address: an IPv4 address, written as such or IPv4-mapped, is therefore judged only
 * by `ipv4`, which holds the IPv4 ranges and the IPv6 ranges lying inside ::ffff:0:0/96
 * (`::ffff:10.0.0.0/104` is 10.0.0.0/8). A NAT64 address stands for an IPv4 address too:
 * it is exempt as the IPv4 address, or by `nat64`, the IPv6 ranges inside 64:ff9b::/96.
 * Every other IPv6 address is judged by `ipv6`, the remaining IPv6 ranges: `::/0` or
 * `2000::/3` exempts no IPv4 destination, however written.
 */
export interface AllowedNetworks {
  ipv4: BlockList;
  nat64: BlockList;
  ipv6: BlockList;
}

/** A list of one range. */
function rangeList(network: string, prefix: number): BlockList {
  const list = new BlockList();
  list.addSubnet(network, prefix, 'ipv6');
  return list;
}

/** The IPv4-mapped addresses, ::ffff:0:0/96. */
const MAPPED = rangeList('::ffff:0:0', 96);
const NAT64 = rangeList('64:ff9b::', 96);

/** The exemptions of POSTMAND_ALLOWED_NETWORKS=`networks`. */
export function allowList(networks: readonly Cidr[]): AllowedNetworks {
  const allowed = { ipv4: new BlockList(), nat64: new BlockList(), ipv6: new BlockList() };
  for (const { network, prefix, family } of networks) {
    const inside = (range: BlockList): boolean => prefix >= 96 && range.check(network, 'ipv6');
    const list = family === 'ipv4' || inside(MAPPED) ? 'ipv4' : inside(NAT64) ? 'nat64' : 'ipv6';
    allowed[list].addSubnet(network, prefix, family);
  }
  return allowed;
}

const NOTHING_ALLOWED = allowList([]);

/**
 * Why `address` (an IP literal) is refused, or undefined when it may be reached: it is in
 * no blocked range, or in an `allowed` one. A NAT64 address is judged as the IPv4 address
 * it stands for, and may be allowed as either.
 */
export function blockedReason(
  address: string,
  allowed: AllowedNetworks = NOTHING_ALLOWED,
): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return undefined;
  const target = family === 6 ? nat64Target(bare) : undefined;
  if (target) return allowed.nat64.check(bare, 'ipv6') ? undefined : blockedReason(target, allowed);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!ANY_RANGE.check(bare, type)) return undefined;
  const exempt = type === 'ipv4' || MAPPED.check(bare, 'ipv6') ? allowed.ipv4 : allowed.ipv6;
  if (exempt.check(bare, type)) return undefined;
  return RANGES.find((range) => range.list.check(bare, type))?.kind;
}

/** Which guard refused, as its refusals say. */
export interface GuardRule {
  /** What ends each refusal's message. */
  why: string;
  /** Whether a refusal of a name says the address it resolved to. */
  namesAddresses: boolean;
}

/** The error a refused target ends its attempt with. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor(host: string, address: string, kind: string, rule: GuardRule) {
    const target =
      host === address
        ? `${address},`
        : rule.namesAddresses
          ? `${host} resolves to ${address},`
          : `${host} resolves to`;
    super(`refused: ${target} a ${kind} address (${rule.why})`);
    this.name = 'BlockedAddressError';
  }
}

/** A refusal of a platform webhook's target: the operator reads it, all of it. */
export const PLATFORM_RULE: GuardRule = {
  why: 'POSTMAND_BLOCK_PRIVATE_NETWORKS is on',
  namesAddresses: true,
};
/**
 * A refusal of a tenant's webhook's target. The tenant reads its attempts (§12): this
 * names the rule, not the operator's settings, and not the internal address a name
 * resolved to (a tenant could map the internal DNS with it). An address the tenant wrote
 * in the URL is named: it knows it already.
 */
export const TENANT_RULE: GuardRule = {
  why: "a tenant's webhook may reach public addresses only",
  namesAddresses: false,
};

/**
 * The private-network guard of one kind of webhook: the platform's own (when
 * POSTMAND_BLOCK_PRIVATE_NETWORKS is on) or a tenant's (always, SPEC §16). `rule` says
 * what each refusal reads; the allowed ranges are the same for both.
 */
export class NetworkGuard {
  constructor(
    private readonly allowed: AllowedNetworks,
    private readonly rule: GuardRule,
  ) {}

  /** The refusal of an IP literal, or undefined when it may be reached. */
  refusal(host: string, address = host): BlockedAddressError | undefined {
    const kind = blockedReason(address, this.allowed);
    return kind ? new BlockedAddressError(host, address, kind, this.rule) : undefined;
  }

  /**
   * A `lookup` for sockets that resolves as usual and then refuses the connection when any
   * address the name resolves to is blocked (and not allowed): one bad address among
   * several is enough, since the socket may try each. It runs at connect time, on the
   * addresses the socket is about to use, so a name that resolved to a public address
   * when the webhook was saved and to an internal one now (DNS rebinding) is refused too.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      for (const { address } of addresses) {
        const refused = this.refusal(hostname, address);
        if (refused) return callback(refused, '', 0);
      }
      if (options.all) {
        (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };
}
