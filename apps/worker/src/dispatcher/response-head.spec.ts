import { hasField, headEnd, isInterim, mayBeResponse, oneContentLength } from './response-head';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('a response head as bytes', () => {
  it('ends after its blank line, CRLF or bare LF, and not before it has arrived', () => {
    expect(headEnd(bytes('HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody'), 0)).toBe(25);
    expect(headEnd(bytes('HTTP/1.0 200 OK\nA: b\n\nbody'), 0)).toBe(22);
    expect(headEnd(bytes('HTTP/1.1 200 OK\r\nA: b\r\n'), 0)).toBe(-1);
    expect(headEnd(bytes('HTTP/1.1 200 OK\r\nA: b\r\n\r'), 0)).toBe(-1);
  });

  it('may begin a response only with what begins "HTTP/"', () => {
    expect(mayBeResponse(bytes('HTT'), 0)).toBe(true);
    expect(mayBeResponse(bytes('xxHTTP/1.1'), 2)).toBe(true);
    expect(mayBeResponse(bytes('SSH-2.0'), 0)).toBe(false);
  });

  it('is interim for a 1xx other than 101', () => {
    expect(isInterim(bytes('HTTP/1.1 100 Continue\r\n\r\n'))).toBe(true);
    expect(isInterim(bytes('HTTP/1.1 103 Early Hints\r\n\r\n'))).toBe(true);
    expect(isInterim(bytes('HTTP/1.1 101 Switching Protocols\r\n\r\n'))).toBe(false);
    expect(isInterim(bytes('HTTP/1.1 200 OK\r\n\r\n'))).toBe(false);
  });

  it('has repeated Content-Length values of one value made one, and says what changed', () => {
    const repeated = oneContentLength(
      bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: y\r\ncontent-length: 2\r\n\r\n'),
    );
    expect(repeated?.head.toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: y\r\n\r\n',
    );
    expect(repeated?.changes).toEqual([{ field: 2, dropped: 'content-length', value: '2' }]);
    const listed = oneContentLength(bytes('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n'));
    expect(listed?.head.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n');
    expect(listed?.changes).toEqual([{ field: 0, value: '2, 2' }]);
    // Nothing repeated, or values that differ (llhttp refuses those): left as they came.
    expect(oneContentLength(bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n'))).toBeUndefined();
    expect(
      oneContentLength(bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n')),
    ).toBeUndefined();
  });

  it('finds a header field by its lower-case name, whatever its case', () => {
    const headers = [bytes('Transfer-Encoding'), bytes('chunked')];
    expect(hasField(headers, 'transfer-encoding')).toBe(true);
    expect(hasField(headers, 'content-length')).toBe(false);
  });
});
