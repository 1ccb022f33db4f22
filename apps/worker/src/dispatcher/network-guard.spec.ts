import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { parseCidr, type Cidr } from '@app/platform';
import {
  BlockedAddressError,
  NetworkGuard,
  PLATFORM_RULE,
  TENANT_RULE,
  allowList,
  type AllowedNetworks,
  blockedReason,
} from './network-guard';

function lookup(
  host: string,
  all: boolean,
  guard = new NetworkGuard(allowList([]), PLATFORM_RULE),
): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) =>
    guard.lookup(host, { all }, (err, address) => (err ? reject(err) : resolve(address))),
  );
}

/** The allow list of POSTMAND_ALLOWED_NETWORKS=`text`, parsed as the config does. */
function allowed(...texts: string[]): AllowedNetworks {
  return allowList(texts.map((text) => parseCidr(text) as Cidr));
}

describe('blockedReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.100.100.200', 'shared (carrier-grade NAT)'],
    ['0.0.0.0', '"this network"'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fd00:ec2::254', 'unique local (private)'],
    ['fe80::1%eth0', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['64:ff9b::a00:1', 'private'],
    // NAT64 however written, and 6to4 (2002::/16), as the IPv4 address they carry.
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:FF9B:0:0:0:0:A9FE:A9FE', 'link-local (cloud metadata)'],
    ['2002:a00:1::', 'private'],
    ['2002:a9fe:a9fe::1', 'link-local (cloud metadata)'],
    ['[2002:7f00:1:0:0:0:0:1]', 'loopback'],
    // Local-use NAT64 (RFC 8215): where the IPv4 address sits is the operator's choice.
    ['64:ff9b:1::a00:1', 'local-use NAT64 (RFC 8215)'],
    ['64:ff9b:1:ffff::5db8:d822', 'local-use NAT64 (RFC 8215)'],
    // IPv4-compatible (::/96): deprecated, never a destination; :: and ::1 keep their names.
    ['::10.0.0.1', 'IPv4-compatible (deprecated)'],
    ['::808:808', 'IPv4-compatible (deprecated)'],
    ['::2', 'IPv4-compatible (deprecated)'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(blockedReason(address)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700::1111',
    '64:ff9b::808:808',
    '2002:5db8:d822::1',
    '64:ff9b:2::1',
    'example.com',
  ])('lets %s through', (address) => {
    expect(blockedReason(address)).toBeUndefined();
  });
});

describe('blockedReason with POSTMAND_ALLOWED_NETWORKS', () => {
  it.each([
    ['127.0.0.0/8', '127.0.0.1'],
    ['127.0.0.0/8', '127.255.255.254'],
    ['127.0.0.0/8', '::ffff:127.0.0.1'],
    ['127.0.0.0/8', '[::ffff:7f00:1]'],
    ['::ffff:127.0.0.0/104', '127.0.0.1'],
    ['10.0.0.0/8', '64:ff9b::a00:1'],
    ['64:ff9b::/96', '64:ff9b::a00:1'],
    ['192.168.1.7/32', '192.168.1.7'],
    ['192.168.1.7', '192.168.1.7'],
    ['0.0.0.0/0', '10.1.2.3'],
    ['0.0.0.0/0', '169.254.169.254'],
    ['::/0', '::1'],
    ['::/0', 'fd00::1'],
    ['::ffff:0:0/96', '10.0.0.1'],
    ['::ffff:0:0/96', '169.254.169.254'],
    ['::1/128', '::1'],
    ['::1/128', '[::1]'],
    ['fd00:ec2::/32', 'fd00:ec2::254'],
    ['fe80::/10', 'fe80::1%eth0'],
    ['10.0.0.0/8', '2002:a00:1::'],
    ['2002:a00::/24', '2002:a00:1::'],
    ['64:ff9b:1::/48', '64:ff9b:1::a00:1'],
    ['::/96', '::10.0.0.1'],
    ['::/0', '::'],
  ])('with %s, lets %s through', (range, address) => {
    expect(blockedReason(address, allowed(range))).toBeUndefined();
  });

  it.each([
    ['127.0.0.0/8', '10.0.0.1', 'private'],
    ['127.0.0.0/8', '::1', 'loopback'],
    ['192.168.1.7/32', '192.168.1.8', 'private'],
    ['192.168.1.7/32', '192.168.1.6', 'private'],
    ['10.0.0.0/16', '10.1.0.0', 'private'],
    ['::1/128', '127.0.0.1', 'loopback'],
    ['::1/128', '::ffff:127.0.0.1', 'loopback'],
    ['fd00:ec2::/32', 'fd00:ec3::1', 'unique local (private)'],
    ['0.0.0.0/0', '::1', 'loopback'],
    ['0.0.0.0/0', 'fe80::1', 'link-local'],
    ['64:ff9b::/96', '10.0.0.1', 'private'],
    // Node's BlockList matches an IPv4 address against an IPv6 rule through its mapped
    // form: an IPv6 range reaching past ::ffff:0:0/96 must exempt no IPv4 address.
    ['::/0', '169.254.169.254', 'link-local (cloud metadata)'],
    ['::/0', '127.0.0.1', 'loopback'],
    ['::/0', '10.0.0.1', 'private'],
    ['::/0', '::ffff:169.254.169.254', 'link-local (cloud metadata)'],
    ['::/0', '64:ff9b::a9fe:a9fe', 'link-local (cloud metadata)'],
    ['::/8', '127.0.0.1', 'loopback'],
    ['::/8', '[::ffff:7f00:1]', 'loopback'],
    ['::fffe:0:0/95', '10.0.0.1', 'private'],
    ['64:ff9b::/64', '64:ff9b::a00:1', 'private'],
    ['::/0', '2002:a9fe:a9fe::', 'link-local (cloud metadata)'],
    ['2000::/3', '2002:a00:1::', 'private'],
    ['::/0', '64:ff9b:1::a00:1', 'local-use NAT64 (RFC 8215)'],
    ['10.0.0.0/8', '64:ff9b:1::a00:1', 'local-use NAT64 (RFC 8215)'],
    ['::/0', '::10.0.0.1', 'IPv4-compatible (deprecated)'],
    ['::1/128', '::2', 'IPv4-compatible (deprecated)'],
  ])('with %s, still refuses %s (%s)', (range, address, kind) => {
    expect(blockedReason(address, allowed(range))).toBe(kind);
  });

  it('takes several ranges, any of which lets an address through', () => {
    const list = allowed('10.0.0.0/8', 'fd00::/8', '169.254.169.254');
    expect(blockedReason('10.9.8.7', list)).toBeUndefined();
    expect(blockedReason('fd12::1', list)).toBeUndefined();
    expect(blockedReason('169.254.169.254', list)).toBeUndefined();
    expect(blockedReason('169.254.169.253', list)).toBe('link-local (cloud metadata)');
    expect(blockedReason('192.168.0.1', list)).toBe('private');
  });
});

describe('NetworkGuard', () => {
  it("names the rule that refused in the refusal's message", () => {
    const tenants = new NetworkGuard(allowList([]), TENANT_RULE);
    expect(tenants.refusal('127.0.0.1')?.message).toBe(
      "refused: 127.0.0.1, a loopback address (a tenant's webhook may reach public addresses only)",
    );
    expect(tenants.refusal('8.8.8.8')).toBeUndefined();
  });

  it('lets a name through when every address it resolves to is allowed', async () => {
    const guard = new NetworkGuard(allowed('127.0.0.0/8', '::1'), PLATFORM_RULE);
    const addresses = (await lookup('localhost', true, guard)) as LookupAddress[];
    expect(addresses.length).toBeGreaterThan(0);
    for (const { address } of addresses) expect(['127.0.0.1', '::1']).toContain(address);
  });

  it('refuses a name when one address it resolves to is blocked and not allowed', async () => {
    // localhost resolves to 127.0.0.1, ::1 or both: allowing neither family's loopback in
    // full leaves one refused whichever it is.
    const guard = new NetworkGuard(allowed('127.0.0.2/32', '::2/128'), PLATFORM_RULE);
    await expect(lookup('localhost', true, guard)).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(lookup('localhost', false, guard)).rejects.toBeInstanceOf(BlockedAddressError);
  });
});

describe('NetworkGuard.lookup', () => {
  it('refuses a name that resolves to loopback, naming both', async () => {
    const err = (await lookup('localhost', false).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err.message).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback/);
  });

  it("names no resolved address in a tenant's refusal of a name, only of a literal", async () => {
    const tenants = new NetworkGuard(allowList([]), TENANT_RULE);
    for (const all of [true, false]) {
      const err = (await lookup('localhost', all, tenants).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(BlockedAddressError);
      expect(err.message).toBe(
        "refused: localhost resolves to a loopback address (a tenant's webhook may reach public addresses only)",
      );
    }
    expect(tenants.refusal('[::1]')?.message).toMatch(/^refused: \[::1\], a loopback address/);
  });

  it('refuses in the all-addresses form that net.connect uses', async () => {
    await expect(lookup('localhost', true)).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('refuses a name that resolves to a public and a private address', async () => {
    // DNS as a name with one public and one internal record answers it: the guard must not
    // judge by the first address alone, whichever form of lookup the socket asks for.
    const records: LookupAddress[] = [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ];
    const resolve = jest.spyOn(dns, 'lookup').mockImplementation(((
      _host: string,
      options: LookupOptions,
      callback: (err: null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      if (options.all) callback(null, records);
      else callback(null, records[0].address, records[0].family);
    }) as unknown as typeof dns.lookup);
    try {
      const tenants = new NetworkGuard(allowList([]), TENANT_RULE);
      for (const all of [true, false]) {
        const err = (await lookup('mixed.example', all, tenants).catch((e: unknown) => e)) as Error;
        expect(err).toBeInstanceOf(BlockedAddressError);
        expect(err.message).toMatch(/^refused: mixed\.example resolves to a private address/);
        await expect(lookup('mixed.example', all)).rejects.toThrow(
          'refused: mixed.example resolves to 10.0.0.1, a private address',
        );
      }
      expect(resolve).toHaveBeenCalledTimes(4);
      expect(resolve.mock.calls.map(([host]) => host)).toEqual(Array(4).fill('mixed.example'));
    } finally {
      resolve.mockRestore();
    }
  });

  it('passes DNS failures through unchanged', async () => {
    const err = (await lookup('no-such-host.invalid', true).catch((e: unknown) => e)) as {
      code?: string;
    };
    expect(err.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
