import fc from 'fast-check';
import { jsonStringBytes } from './json-list';

describe('jsonStringBytes', () => {
  it('writes what JSON.stringify writes, however the UTF-8 is sliced', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '😀', 'é'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
    });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 5 }), (value, cuts) => {
        const bytes = Buffer.from(value, 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const parts = [0, ...points, bytes.length]
          .slice(1)
          .map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
        const written = Buffer.concat([...jsonStringBytes(parts)]).toString('utf8');
        expect(written).toBe(JSON.stringify(value).slice(1, -1));
      }),
      { numRuns: 2000 },
    );
  });

  it('passes a slice that needs no escaping through as it is', () => {
    const part = Buffer.from('plain text');
    expect([...jsonStringBytes([part])][0]).toBe(part);
  });
});
