import { parseCidr } from './cidr';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', { network: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['127.0.0.0/8', { network: '127.0.0.0', prefix: 8, family: 'ipv4' }],
    ['0.0.0.0/0', { network: '0.0.0.0', prefix: 0, family: 'ipv4' }],
    ['192.168.1.7/32', { network: '192.168.1.7', prefix: 32, family: 'ipv4' }],
    ['192.168.1.7', { network: '192.168.1.7', prefix: 32, family: 'ipv4' }],
    ['172.16.0.0/12', { network: '172.16.0.0', prefix: 12, family: 'ipv4' }],
    ['fd00::/8', { network: 'fd00::', prefix: 8, family: 'ipv6' }],
    ['::/0', { network: '::', prefix: 0, family: 'ipv6' }],
    ['::1/128', { network: '::1', prefix: 128, family: 'ipv6' }],
    ['::1', { network: '::1', prefix: 128, family: 'ipv6' }],
    [
      '2001:db8:0:0:0:0:0:ff/128',
      { network: '2001:db8:0:0:0:0:0:ff', prefix: 128, family: 'ipv6' },
    ],
    ['2001:DB8::/32', { network: '2001:DB8::', prefix: 32, family: 'ipv6' }],
    ['::ffff:10.0.0.0/104', { network: '::ffff:10.0.0.0', prefix: 104, family: 'ipv6' }],
    ['fe80::/10', { network: 'fe80::', prefix: 10, family: 'ipv6' }],
  ])('reads %s', (text, range) => {
    expect(parseCidr(text)).toEqual(range);
  });

  it.each([
    ['10.0.0.1/8', 'bits are set past the prefix (the range would be 10.0.0.0/8)'],
    ['192.168.1.0/16', 'bits are set past the prefix (the range would be 192.168.0.0/16)'],
    ['8.8.8.8/0', 'bits are set past the prefix (the range would be 0.0.0.0/0)'],
    ['172.31.0.0/12', 'bits are set past the prefix (the range would be 172.16.0.0/12)'],
    ['fd00::1/8', 'bits are set past the prefix (the range would be fd00::/8)'],
    ['2001:db8:1::/32', 'bits are set past the prefix (the range would be 2001:db8::/32)'],
    ['::ffff:10.0.0.1/104', 'bits are set past the prefix (the range would be ::ffff:a00:0/104)'],
    ['::1/0', 'bits are set past the prefix (the range would be ::/0)'],
    ['fe80::1/127', 'bits are set past the prefix (the range would be fe80::/127)'],
    ['10.0.0.0/33', 'the prefix must be a number from 0 to 32'],
    ['::/129', 'the prefix must be a number from 0 to 128'],
    ['10.0.0.0/', 'the prefix must be a number from 0 to 32'],
    ['10.0.0.0/-1', 'the prefix must be a number from 0 to 32'],
    ['10.0.0.0/8/8', 'the prefix must be a number from 0 to 32'],
    ['10.0.0.0/ 8', 'the prefix must be a number from 0 to 32'],
    ['10.0.0.0/0x8', 'the prefix must be a number from 0 to 32'],
    ['10.0.0/8', 'not an IP address'],
    ['010.0.0.0/8', 'not an IP address'],
    ['256.0.0.0/8', 'not an IP address'],
    ['fe80::1%eth0/64', 'not an IP address'],
    ['[::1]/128', 'not an IP address'],
    ['localhost/8', 'not an IP address'],
    ['/8', 'not an IP address'],
    ['', 'not an IP address'],
  ])('refuses %s: %s', (text, why) => {
    expect(parseCidr(text)).toBe(why);
  });
});
