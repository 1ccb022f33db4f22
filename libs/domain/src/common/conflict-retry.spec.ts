import { CONFLICT_TRIES, isRetryableConflict, retryOnConflict } from './conflict-retry';

/** An error as TypeORM wraps PostgreSQL's: the SQLSTATE on `driverError`. */
const pgError = (code: string): Error =>
  Object.assign(new Error(`sqlstate ${code}`), { driverError: { code } });

describe('retryOnConflict', () => {
  it('tells deadlock and serialization victims from other failures', () => {
    expect(isRetryableConflict(pgError('40P01'))).toBe(true);
    expect(isRetryableConflict(Object.assign(new Error(), { code: '40001' }))).toBe(true);
    for (const other of [pgError('23503'), pgError('57P01'), new Error('x'), undefined, null]) {
      expect(isRetryableConflict(other)).toBe(false);
    }
  });

  it('runs the work again after a deadlock, and returns what it returns then', async () => {
    let tries = 0;
    const result = await retryOnConflict(() => {
      tries++;
      return tries < 3 ? Promise.reject(pgError('40P01')) : Promise.resolve('done');
    });
    expect({ result, tries }).toEqual({ result: 'done', tries: 3 });
  });

  it(`gives up after ${CONFLICT_TRIES} tries, and at once on any other error`, async () => {
    let tries = 0;
    await expect(
      retryOnConflict(() => {
        tries++;
        return Promise.reject(pgError('40P01'));
      }),
    ).rejects.toThrow('sqlstate 40P01');
    expect(tries).toBe(CONFLICT_TRIES);

    tries = 0;
    await expect(
      retryOnConflict(() => {
        tries++;
        return Promise.reject(pgError('23503'));
      }),
    ).rejects.toThrow('sqlstate 23503');
    expect(tries).toBe(1);
  });
});
