import type { ClaimPass, ClaimRepository, ClaimTurn } from '@app/domain';
import { ClaimTurns, PARKED_WORK_TTL_MS } from './claim-turns';

/** The worker's scheduling state between claim passes; the repository is a stand-in. */
describe('ClaimTurns', () => {
  let now: number;
  let turns: ClaimTurn[];
  let answer: Partial<ClaimPass>;
  let claimTurns: ClaimTurns;

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    turns = [];
    answer = {};
    const repository = {
      claim: (_owner: string, _limit: number, turn: ClaimTurn): Promise<ClaimPass> => {
        turns.push(turn);
        return Promise.resolve({
          claimed: [],
          parkedSeen: false,
          parkedAsked: false,
          roundAfter: turn.roundAfter,
          roomPerWebhook: turn.roomPerWebhook,
          ...answer,
        });
      },
    };
    claimTurns = new ClaimTurns(repository as unknown as ClaimRepository);
  });
  afterEach(() => jest.restoreAllMocks());

  it('has the two claims go first in turn', async () => {
    for (let i = 0; i < 3; i++) await claimTurns.claim('w', 10);
    expect(turns.map((t) => t.limitedFirst)).toEqual([true, false, true]);
  });

  it('asks for parked work at most once a second, and trusts parked work seen as long', async () => {
    await claimTurns.claim('w', 10);
    expect(turns[0].parkedWork).toBeUndefined(); // nothing known: the claim asks
    answer = { parkedAsked: true };
    await claimTurns.claim('w', 10);
    answer = {};
    now += PARKED_WORK_TTL_MS - 1;
    await claimTurns.claim('w', 10);
    expect(turns[2].parkedWork).toBe(false); // asked, none, a moment ago
    now += 1;
    answer = { parkedSeen: true };
    await claimTurns.claim('w', 10);
    expect(turns[3].parkedWork).toBeUndefined();
    answer = {};
    now += PARKED_WORK_TTL_MS - 1;
    await claimTurns.claim('w', 10);
    expect(turns[4].parkedWork).toBe(true); // seen (a plain claim parked some) just now
  });

  it('looks for parked work again when told to (a webhook re-activated)', async () => {
    answer = { parkedAsked: true };
    await claimTurns.claim('w', 10);
    claimTurns.lookForParkedWork();
    await claimTurns.claim('w', 10);
    expect(turns[1].parkedWork).toBeUndefined();
  });

  it("starts each round of the marked webhooks where the last one ended, at the last one's room", async () => {
    await claimTurns.claim('w', 10);
    expect(turns[0]).toMatchObject({ roundAfter: null, roomPerWebhook: 1 });
    answer = { roundAfter: 'b', roomPerWebhook: 4 };
    await claimTurns.claim('w', 10);
    answer = {};
    await claimTurns.claim('w', 10);
    expect(turns[2]).toMatchObject({ roundAfter: 'b', roomPerWebhook: 4 });
  });
});
