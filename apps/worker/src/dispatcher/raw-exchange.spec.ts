import {
  bodyText,
  completeUtf8Prefix,
  fieldText,
  formatRawRequest,
  formatRawResponse,
} from './raw-exchange';

describe('raw exchange formatting', () => {
  it('formats the request line, Host, headers, blank line and body', () => {
    expect(
      formatRawRequest({
        url: new URL('https://httpbin.org/post?a=1'),
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature': 'abc' },
        body: Buffer.from('{"success": true}'),
      }),
    ).toBe(
      'POST /post?a=1 HTTP/1.1\r\nHost: httpbin.org\r\nContent-Type: application/json\r\n' +
        'X-Hub-Signature: abc\r\n\r\n{"success": true}',
    );
    expect(
      formatRawRequest({
        url: new URL('http://127.0.0.1:8080'),
        headers: {},
        body: Buffer.alloc(0),
      }),
    ).toBe('POST / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n');
  });

  it('formats the status line and headers as received', () => {
    expect(
      formatRawResponse({
        httpVersion: '1.1',
        statusCode: 200,
        statusMessage: 'OK',
        rawHeaders: ['Content-Type', 'text/plain', 'X-Trace', 'a', 'X-Trace', 'b'],
        body: Buffer.from('ok'),
      }),
    ).toBe('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Trace: a\r\nX-Trace: b\r\n\r\nok');
  });

  it('marks truncation and never splits a character', () => {
    const raw = formatRawResponse({
      httpVersion: '1.1',
      statusCode: 200,
      statusMessage: 'OK',
      rawHeaders: [],
      body: Buffer.from('aé').subarray(0, 2), // "a" and half of "é"
      truncatedAfter: 2,
    });
    expect(raw).toBe(
      'HTTP/1.1 200 OK\r\n\r\na\r\n[postmand: response body truncated after 2 bytes]',
    );
  });

  it('keeps bodies with NUL or invalid UTF-8 as base64', () => {
    const binary = Buffer.from([0x00, 0xff, 0x41]);
    expect(bodyText(binary)).toBe('[postmand: body is not UTF-8 text; base64 follows]\r\nAP9B');
    expect(bodyText(Buffer.from('plain ünï'))).toBe('plain ünï');
  });

  it('finds the complete UTF-8 prefix', () => {
    const rocket = Buffer.from('🚀'); // 4 bytes
    for (let cut = 0; cut < 4; cut++) {
      expect(
        completeUtf8Prefix(Buffer.concat([Buffer.from('x'), rocket.subarray(0, cut)])),
      ).toEqual(Buffer.from('x'));
    }
    expect(completeUtf8Prefix(Buffer.concat([Buffer.from('x'), rocket]))).toEqual(
      Buffer.from('x🚀'),
    );
  });

  it('reads header values and reason phrases as UTF-8 when they are, else as Latin-1', () => {
    expect(fieldText(Buffer.from('text/plain; charset=utf-8'))).toBe('text/plain; charset=utf-8');
    expect(fieldText(Buffer.from('café ✓', 'utf8'))).toBe('café ✓');
    expect(fieldText(Buffer.from('Tr\u00e8s bien', 'latin1'))).toBe('Très bien');
    expect(fieldText(Buffer.from([0x61, 0xc3, 0x28]))).toBe('a\u00c3(');
    expect(fieldText(Buffer.alloc(0))).toBe('');
  });
});
