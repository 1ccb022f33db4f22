import { isIP } from 'node:net';

/** A range of IP addresses, as written in a setting such as POSTMAND_ALLOWED_NETWORKS. */
export interface Cidr {
  /** The range's first address, as written. */
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** The 4 or 16 bytes of an IP address that `isIP` accepts (no zone). */
export function ipBytes(address: string, family: 4 | 6): number[] {
  if (family === 4) return address.split('.').map(Number);
  // An IPv4 tail (`::ffff:10.0.0.1`) stands for the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const group = (high: string, low: string): string => ((+high << 8) | +low).toString(16);
  const text = v4
    ? `${address.slice(0, v4.index)}${group(v4[1], v4[2])}:${group(v4[3], v4[4])}`
    : address;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 255];
  });
}

/** The address `bytes` stand for, as text (IPv6 compressed as a URL writes it). */
function addressText(bytes: number[], family: 4 | 6): string {
  if (family === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/**
 * Parses `text`, a CIDR (`10.0.0.0/8`, `fd00::/8`, `::ffff:10.0.0.0/104`) or one address
 * (the range of it alone: /32 or /128). Returns the range, or why it is not one. A range
 * whose address has bits set past the prefix (`192.168.1.0/16`) is refused rather than
 * widened: it is a typo of the prefix or of the address, and widening it would exempt
 * more than the operator meant.
 */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address) as 0 | 4 | 6;
  // isIP accepts a zone (`fe80::1%eth0`); a range has none.
  if (family === 0 || address.includes('%')) return 'not an IP address';
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return `the prefix must be a number from 0 to ${max}`;
  }
  const prefix = Number(prefixText);
  const bytes = ipBytes(address, family);
  const masked = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return byte & (0xff << (8 - keep)) & 0xff;
  });
  if (masked.some((byte, i) => byte !== bytes[i])) {
    return `bits are set past the prefix (the range would be ${addressText(masked, family)}/${prefix})`;
  }
  return { network: address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}
