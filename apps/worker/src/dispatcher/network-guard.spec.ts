import type { LookupAddress } from 'node:dns';
import { BlockedAddressError, blockedReason, guardedLookup } from './network-guard';

function lookup(host: string, all: boolean): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) =>
    guardedLookup(host, { all }, (err, address) => (err ? reject(err) : resolve(address))),
  );
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
    'example.com',
  ])('lets %s through', (address) => {
    expect(blockedReason(address)).toBeUndefined();
  });
});

describe('guardedLookup', () => {
  it('refuses a name that resolves to loopback, naming both', async () => {
    const err = (await lookup('localhost', false).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err.message).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback/);
  });

  it('refuses in the all-addresses form that net.connect uses', async () => {
    await expect(lookup('localhost', true)).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('passes DNS failures through unchanged', async () => {
    const err = (await lookup('no-such-host.invalid', true).catch((e: unknown) => e)) as {
      code?: string;
    };
    expect(err.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
