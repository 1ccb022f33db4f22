import type { ClaimRepository, ClaimTurn } from '@app/domain';
import { ClaimTurns, PARKED_WORK_TTL_MS } from './claim-turns';

/**
 * The worker's scheduling state between claim passes. The repository is a stand-in that
 * does with its turn what `pass` says, as ClaimRepository.claim does at its decisions.
 */
describe('ClaimTurns', () => {
  let now: number;
  let pass: (turn: ClaimTurn) => Promise<void>;
  let claimTurns: ClaimTurns;
  const claim = (): Promise<unknown> => claimTurns.claim('w', 10);

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    pass = () => Promise.resolve();
    const repository = {
      claim: async (_owner: string, _limit: number, turn: ClaimTurn) => {
        await pass(turn);
        return [];
      },
    };
    claimTurns = new ClaimTurns(repository as unknown as ClaimRepository);
  });
  afterEach(() => jest.restoreAllMocks());

  /** What the next pass knows of parked work when it decides. */
  const known = async (): Promise<boolean | undefined> => {
    let seen: boolean | undefined;
    pass = (turn) => Promise.resolve(void (seen = turn.parkedWork()));
    await claim();
    return seen;
  };
  const asked = (parked: boolean) => (turn: ClaimTurn) =>
    Promise.resolve(turn.askedParkedWork(Date.now(), parked));

  it('has the two claims go first in turn', async () => {
    const order: boolean[] = [];
    pass = (turn) => Promise.resolve(void order.push(turn.limitedFirst));
    for (let i = 0; i < 3; i++) await claim();
    expect(order).toEqual([true, false, true]);
  });

  it('asks for parked work at most once a second, and trusts parked work seen as long', async () => {
    expect(await known()).toBeUndefined(); // nothing known: the claim asks
    pass = asked(false);
    await claim();
    now += PARKED_WORK_TTL_MS - 1;
    expect(await known()).toBe(false); // asked, none, a moment ago
    now += 1;
    expect(await known()).toBeUndefined();
    pass = (turn) => Promise.resolve(turn.sawParkedWork()); // a plain claim parked some
    await claim();
    now += PARKED_WORK_TTL_MS - 1;
    expect(await known()).toBe(true);
    pass = asked(true);
    now += 1;
    await claim();
    expect(await known()).toBe(true);
  });

  it('counts an answer from when it was asked, not from when the pass ended', async () => {
    pass = async (turn) => {
      const askedAt = Date.now();
      now += 900; // the rest of the pass (claims, commit) takes a while
      turn.askedParkedWork(askedAt, false);
      return Promise.resolve();
    };
    await claim();
    now += 100;
    expect(await known()).toBeUndefined(); // a second after the question: ask again
  });

  it('looks for parked work again when told to, even while a pass is asking', async () => {
    pass = asked(false);
    await claim();
    claimTurns.lookForParkedWork();
    expect(await known()).toBeUndefined();
    // A webhook re-activated while the database was being asked: that answer is stale.
    pass = async (turn) => {
      const askedAt = Date.now();
      now += 5;
      claimTurns.lookForParkedWork();
      turn.askedParkedWork(askedAt, false);
      return Promise.resolve();
    };
    await claim();
    expect(await known()).toBeUndefined();
  });

  it('keeps what a pass learnt even when the pass then fails', async () => {
    pass = (turn) => {
      turn.askedParkedWork(Date.now(), false);
      turn.roundEnded('b', 3);
      return Promise.reject(new Error('commit failed'));
    };
    await expect(claim()).rejects.toThrow('commit failed');
    let round: ReturnType<ClaimTurn['round']> | undefined;
    pass = (turn) => Promise.resolve(void (round = turn.round()));
    await claim();
    expect(round).toEqual({ after: 'b', roomPerWebhook: 3 });
    expect(await known()).toBe(false);
  });

  it('starts each round where the last one ended; a pass that locks no webhook leaves it', async () => {
    const rounds: ReturnType<ClaimTurn['round']>[] = [];
    pass = (turn) => Promise.resolve(void rounds.push(turn.round()));
    await claim();
    // Two passes at once: the first locks no webhook, the second ends its round at c.
    let release!: () => void;
    pass = (turn) =>
      new Promise<void>((resolve) => {
        rounds.push(turn.round());
        release = resolve;
      });
    const first = claim();
    pass = (turn) => Promise.resolve(turn.roundEnded('c', 2));
    await claim();
    release();
    await first;
    pass = (turn) => Promise.resolve(void rounds.push(turn.round()));
    await claim();
    expect(rounds).toEqual([
      { after: null, roomPerWebhook: 1 },
      { after: null, roomPerWebhook: 1 },
      { after: 'c', roomPerWebhook: 2 },
    ]);
  });
});
