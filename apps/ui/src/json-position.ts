/** Deeper than this, the scan stops: far past the API's own limit of 32 levels. */
const MAX_DEPTH = 512;

/**
 * Where JSON text first goes wrong and what was expected there: a strict scan of RFC 8259
 * (the grammar JSON.parse reads), for the places a browser's own message does not say
 * (Chromium: `Unexpected token '}', "…" is not valid JSON`). Undefined when it is JSON.
 */
export function firstJsonError(text: string): { at: number; expected: string } | undefined {
  let i = 0;
  // How deep the scan is: it recurses, so text nested past MAX_DEPTH is reported there
  // rather than overflowing the stack (JSON.parse refused it already).
  let depth = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  class Stop extends Error {
    constructor(readonly expected: string) {
      super(expected);
    }
  }
  const fail = (expected: string): never => {
    throw new Stop(expected);
  };
  const literal = (word: string) => {
    // At the first character that differs: `tru\u200be` goes wrong at the zero-width space.
    for (const c of word) {
      if (text[i] !== c) fail(`“${word}”`);
      i++;
    }
  };
  const string = () => {
    if (text[i] !== '"') fail('a string in double quotes');
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('the closing “"”');
      if (c === '"') return void i++;
      if (c < ' ') fail('an escape (\\n, \\t…) instead of a control character');
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits');
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else fail('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u');
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('a value');
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if ((c === '{' || c === '[') && ++depth > MAX_DEPTH) {
      fail(`at most ${MAX_DEPTH} levels of nesting`);
    }
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void (i++, depth--);
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail('“:” after the name');
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void (i++, depth--);
        else fail('“,” or “}”');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void (i++, depth--);
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void (i++, depth--);
        else fail('“,” or “]”');
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail('nothing more');
    return undefined;
  } catch (err) {
    if (err instanceof Stop) return { at: Math.min(i, text.length), expected: err.expected };
    throw err;
  }
}
