import { maskUrlCredentials, serializeError } from './error-serializer';

describe('serializeError', () => {
  it('keeps the named fields of an error and its causes, nothing else', () => {
    const driverError = Object.assign(new Error('violates check constraint "x"'), {
      code: '23514',
      constraint: 'x',
      detail: 'Failing row contains (secret)',
    });
    const err = Object.assign(new Error('violates check constraint "x"'), {
      query: 'INSERT …',
      parameters: ['secret'],
      driverError,
      config: { data: 'payload', headers: { Authorization: 'Basic c2VjcmV0' } },
    });
    const text = JSON.stringify(serializeError(err));
    expect(text).not.toMatch(/secret|payload|c2VjcmV0|parameters|detail/);
    expect(serializeError(err)).toMatchObject({
      type: 'Error',
      message: 'violates check constraint "x"',
      driverError: { code: '23514', constraint: 'x' },
    });
  });

  it('survives a cause cycle and values that are not errors', () => {
    const err = new Error('loop') as Error & { cause?: unknown };
    err.cause = { cause: err, message: 42 };
    expect(() => JSON.stringify(serializeError(err))).not.toThrow();
    expect(serializeError('text')).toBe('text');
  });
});

describe('maskUrlCredentials', () => {
  it('hides userinfo in any URL of a text', () => {
    expect(maskUrlCredentials('connect to https://alice:pw@example.com/x failed')).toBe(
      'connect to https://***@example.com/x failed',
    );
    expect(maskUrlCredentials('postgres://u:p@db:5432/x and http://plain/')).toBe(
      'postgres://***@db:5432/x and http://plain/',
    );
  });
});
