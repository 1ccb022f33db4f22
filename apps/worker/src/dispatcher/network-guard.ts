import * as dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ipBytes, type Cidr } from '@app/platform';

/**
 * Ranges a guarded webhook (a tenant's; the platform's own when
 * POSTMAND_BLOCK_PRIVATE_NETWORKS is on: SPEC §16) must not reach: this host, private and
 * shared networks, link-local (where cloud metadata services live), addresses that are not
 * unicast destinations at all, and IPv6 addresses that stand for an IPv4 one where that
 * one cannot be told (local-use NAT64 puts it where the operator chose) or must not be
 * reached (IPv4-compatible addresses, deprecated, tunnel to it). Earlier entries name
 * the range: `::` and `::1` before `::/96`.
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
  ['::', 96, 'ipv6', 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::', 48, 'ipv6', 'local-use NAT64 (RFC 8215)'],
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
 * IPv6 prefixes whose addresses carry the IPv4 address they reach: NAT64 (64:ff9b::/96,
 * in the last 32 bits) and 6to4 (2002::/16, in the 32 bits after the prefix). Such an
 * address is judged as that IPv4 address.
 */
const EMBEDDING = new BlockList();
EMBEDDING.addSubnet('64:ff9b::', 96, 'ipv6');
EMBEDDING.addSubnet('2002::', 16, 'ipv6');

/**
 * Every range in one list, asked first, with the embedding prefixes: a check costs about
 * 2 µs whatever the list's length (the address is parsed for each), and a public address,
 * by far the most common, then takes one check rather than one per range (35 µs).
 */
const ANY_RANGE = new BlockList();
for (const [network, prefix, type] of BLOCKED) ANY_RANGE.addSubnet(network, prefix, type);
ANY_RANGE.addSubnet('64:ff9b::', 96, 'ipv6');
ANY_RANGE.addSubnet('2002::', 16, 'ipv6');

/** The IPv4 address that `address`, in an EMBEDDING prefix, reaches. */
function embeddedIPv4(address: string): string {
  const bytes = ipBytes(address, 6);
  const at = bytes[0] === 0x20 && bytes[1] === 0x02 ? 2 : 12;
  return bytes.slice(at, at + 4).join('.');
}

/**
 * The ranges POSTMAND_ALLOWED_NETWORKS exempts, split by what they may exempt. Node's
 * BlockList matches an IPv4 address against IPv6 rules through its IPv4-mapped form
 * (`::ffff:a.b.c.d`), so `::/0` in one list would exempt 169.254.169.254 and every other
 * IPv4 address: an IPv4 address, written as such or IPv4-mapped, is therefore judged only
 * by `ipv4`, which holds the IPv4 ranges and the IPv6 ranges lying inside ::ffff:0:0/96
 * (`::ffff:10.0.0.0/104` is 10.0.0.0/8). An IPv6 address standing for an IPv4 one (NAT64,
 * 6to4, local-use NAT64, IPv4-compatible) is exempt by `translated`, the IPv6 ranges lying
 * inside its prefix, or (NAT64, 6to4) as the IPv4 address. Every other IPv6 address is
 * judged by `ipv6`: `::/0` or `2000::/3` exempts no IPv4 destination, however written.
 */
export interface AllowedNetworks {
  ipv4: BlockList;
  translated: BlockList;
  ipv6: BlockList;
}

/** The prefixes of IPv6 addresses that stand for an IPv4 one, other than IPv4-mapped. */
const TRANSLATION_PREFIXES: [string, number][] = [
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
];
const TRANSLATED = new BlockList();
for (const [network, prefix] of TRANSLATION_PREFIXES) {
  TRANSLATED.addSubnet(network, prefix, 'ipv6');
}
const MAPPED = new BlockList();
MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/** Whether the IPv6 range `network`/`prefix` lies inside `outer`/`outerPrefix`. */
function inside(network: string, prefix: number, [outer, outerPrefix]: [string, number]): boolean {
  const list = new BlockList();
  list.addSubnet(outer, outerPrefix, 'ipv6');
  return prefix >= outerPrefix && list.check(network, 'ipv6');
}

/** The exemptions of POSTMAND_ALLOWED_NETWORKS=`networks`. */
export function allowList(networks: readonly Cidr[]): AllowedNetworks {
  const allowed = { ipv4: new BlockList(), translated: new BlockList(), ipv6: new BlockList() };
  for (const { network, prefix, family } of networks) {
    if (family === 'ipv4' || inside(network, prefix, ['::ffff:0:0', 96])) {
      allowed.ipv4.addSubnet(network, prefix, family);
      continue;
    }
    // A range inside ::/96 may hold :: or ::1, judged as any IPv6 address: it goes in both.
    if (TRANSLATION_PREFIXES.some((outer) => inside(network, prefix, outer))) {
      allowed.translated.addSubnet(network, prefix, family);
    }
    allowed.ipv6.addSubnet(network, prefix, family);
  }
  return allowed;
}

const NOTHING_ALLOWED = allowList([]);

/** :: and ::1, inside ::/96 but judged as any IPv6 address. */
const LOOPBACK_OR_UNSPECIFIED = new BlockList();
LOOPBACK_OR_UNSPECIFIED.addAddress('::', 'ipv6');
LOOPBACK_OR_UNSPECIFIED.addAddress('::1', 'ipv6');

/**
 * Why `address` (an IP literal) is refused, or undefined when it may be reached: it is in
 * no blocked range, or in an `allowed` one. A NAT64 or 6to4 address is judged as the IPv4
 * address it stands for, and may be allowed as either.
 */
export function blockedReason(
  address: string,
  allowed: AllowedNetworks = NOTHING_ALLOWED,
): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!ANY_RANGE.check(bare, type)) return undefined;
  if (type === 'ipv6' && EMBEDDING.check(bare, type)) {
    if (allowed.translated.check(bare, type)) return undefined;
    return blockedReason(embeddedIPv4(bare), allowed);
  }
  const exempt =
    type === 'ipv4' || MAPPED.check(bare, type)
      ? allowed.ipv4
      : TRANSLATED.check(bare, type) && !LOOPBACK_OR_UNSPECIFIED.check(bare, type)
        ? allowed.translated
        : allowed.ipv6;
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
