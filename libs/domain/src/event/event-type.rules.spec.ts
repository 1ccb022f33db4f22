import fc from 'fast-check';
import {
  isEventTypeName,
  isEventTypePattern,
  matchingPatterns,
  subscribes,
} from './event-type.rules';

describe('event type rules', () => {
  it('takes dot-separated names of [A-Za-z0-9_-] up to 256 characters', () => {
    for (const ok of [
      'order',
      'order.created',
      'invoice.payment_failed',
      'a-b.C_9',
      'x'.repeat(256),
    ]) {
      expect(isEventTypeName(ok)).toBe(true);
    }
    for (const bad of [
      '',
      '.',
      'order.',
      '.order',
      'a..b',
      'order created',
      'ordér',
      '*',
      'a.*',
      'x'.repeat(257),
    ]) {
      expect(isEventTypeName(bad)).toBe(false);
    }
  });

  it('takes a name, a name + .*, or * as a pattern', () => {
    for (const ok of ['*', 'order', 'order.*', 'order.item.*', `${'x'.repeat(256)}.*`]) {
      expect(isEventTypePattern(ok)).toBe(true);
    }
    for (const bad of [
      '',
      '**',
      '*.order',
      'order*',
      'order.*.*',
      'order.',
      '.*',
      'a.*b',
      `${'x'.repeat(257)}.*`,
    ]) {
      expect(isEventTypePattern(bad)).toBe(false);
    }
  });

  it('matches as the SPEC says', () => {
    expect(subscribes(['order.*'], 'order.created')).toBe(true);
    expect(subscribes(['order.*'], 'order.item.added')).toBe(true);
    expect(subscribes(['order.*'], 'order')).toBe(false);
    expect(subscribes(['order.*'], 'orders.x')).toBe(false);
    expect(subscribes(['order.created'], 'order.created')).toBe(true);
    expect(subscribes(['order.created'], 'order.created.late')).toBe(false);
    expect(subscribes(['*'], 'anything.at.all')).toBe(true);
    expect(subscribes(['*'], 'postmand.webhook.disabled')).toBe(false);
    expect(subscribes(['postmand.*'], 'postmand.webhook.disabled')).toBe(true);
    expect(subscribes([], 'order.created')).toBe(false);
    expect(matchingPatterns('a.b.c')).toEqual(['a.b.c', 'a.*', 'a.b.*', '*']);
  });

  it('agrees with a direct reading of the rule on random names and patterns', () => {
    const segment = fc.stringMatching(/^[ab.]{1,3}$/).filter((s) => isEventTypeName(s));
    const name = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
    const pattern = fc.oneof(
      name,
      name.map((n) => `${n}.*`),
      fc.constant('*'),
    );
    const direct = (p: string, type: string): boolean =>
      p === '*'
        ? !type.startsWith('postmand.')
        : p.endsWith('.*')
          ? type.startsWith(p.slice(0, -1))
          : p === type;
    fc.assert(
      fc.property(pattern, name, (p, type) => {
        expect(subscribes([p], type)).toBe(direct(p, type));
      }),
    );
  });
});
