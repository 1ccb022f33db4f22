/**
 * Characters a reader cannot see or tell from a space: controls (Cc, tab and line breaks
 * included), format characters (Cf: zero-width, bidi controls, the BOM), separators (Z:
 * every space but U+0020, and U+2028/2029) and the fillers that render as nothing.
 */
const UNSEEN = /^(?! )[\p{Cc}\p{Cf}\p{Z}\u034f\u115f\u1160\u3164\uffa0]$/u;

/** The Unicode names of the unseen characters pasted text most often carries, in lower case. */
const NAMES: Record<number, string> = {
  0x09: 'tab',
  0x0a: 'line feed',
  0x0d: 'carriage return',
  0x7f: 'delete',
  0x85: 'next line',
  0xa0: 'no-break space',
  0xad: 'soft hyphen',
  0x34f: 'combining grapheme joiner',
  0x61c: 'Arabic letter mark',
  0x115f: 'Hangul choseong filler',
  0x1160: 'Hangul jungseong filler',
  0x1680: 'ogham space mark',
  0x180e: 'Mongolian vowel separator',
  0x2000: 'en quad',
  0x2001: 'em quad',
  0x2002: 'en space',
  0x2003: 'em space',
  0x2004: 'three-per-em space',
  0x2005: 'four-per-em space',
  0x2006: 'six-per-em space',
  0x2007: 'figure space',
  0x2008: 'punctuation space',
  0x2009: 'thin space',
  0x200a: 'hair space',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x202f: 'narrow no-break space',
  0x205f: 'medium mathematical space',
  0x2060: 'word joiner',
  0x2061: 'function application',
  0x2062: 'invisible times',
  0x2063: 'invisible separator',
  0x2064: 'invisible plus',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0x3000: 'ideographic space',
  0x3164: 'Hangul filler',
  0xfeff: 'zero-width no-break space, the byte order mark',
  0xffa0: 'halfwidth Hangul filler',
};

/** `U+200B`: a code point as Unicode writes it, at least four hex digits. */
export const codePoint = (n: number): string =>
  `U+${n.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The character that starts at `text[at]` (a whole surrogate pair), when a reader could not
 * see it or would take it for an ordinary space: its code point and name, such as
 * `U+200B (zero-width space)`, and whether it stands where JSON wants whitespace (a space
 * of another kind, a BOM). Undefined for any other character.
 */
export function unseenAt(
  text: string,
  at: number,
): { name: string; spaceLike: boolean } | undefined {
  const n = text.codePointAt(at);
  if (n === undefined) return undefined;
  const c = String.fromCodePoint(n);
  if (!UNSEEN.test(c)) return undefined;
  const space = /\p{Z}/u.test(c);
  const kind = /\p{Cc}/u.test(c)
    ? 'a control character'
    : space
      ? 'a space'
      : 'an invisible character';
  return { name: `${codePoint(n)} (${NAMES[n] ?? kind})`, spaceLike: space || n === 0xfeff };
}
