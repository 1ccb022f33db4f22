import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { DeliveryRequestDto } from '../deliveries/dto/delivery-request.dto';
import { EventRequestDto } from '../events/dto/event-request.dto';
import { ApiValidationPipe } from './validation.pipe';

// The same DTOs without the shortcut: every body goes through class-validator.
class FullDelivery extends DeliveryRequestDto {
  static override acceptsAsIs = undefined as never;
}
class FullEvent extends EventRequestDto {
  static override acceptsAsIs = undefined as never;
}

const pipe = new ApiValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

/** What the pipe makes of `value` for `metatype`: the fields it keeps, or the error. */
async function outcome(value: unknown, metatype: ArgumentMetadata['metatype']): Promise<unknown> {
  try {
    const dto = (await pipe.transform(value, body(metatype))) as object;
    return { fields: { ...dto } };
  } catch (err) {
    return { error: (err as { getResponse?: () => unknown }).getResponse?.() ?? String(err) };
  }
}

const UUID = 'a6e9a525-ac5a-488c-b118-bd7327ce6d8d';
const fieldValue = fc.oneof(
  fc.constantFrom(
    UUID,
    UUID.toUpperCase(),
    'a6e9a525ac5a488cb118bd7327ce6d8d',
    '{"a":1}',
    'a\u0000b',
    '\ud800',
    '2021-03-08T20:45:00.000Z',
    '2021-02-30T20:45:00Z',
    'order.created',
    'postmand.endpoint.disabled',
    'bad type',
    'x'.repeat(257),
    'acme',
    '',
  ),
  fc.constantFrom(null, 1, true, [], {}, { a: 1 }),
  fc.string(),
);
const key = fc.constantFrom(
  'webhook_id',
  'payload',
  'scheduled_at',
  'event_type',
  'tenant_id',
  'id',
  'status',
  'delivery_count',
  'extra',
  'toInput',
  'constructor',
);
const bodies = fc.dictionary(key, fieldValue, { maxKeys: 5 });

describe('AcceptsAsIs (the creates taken without class-validator)', () => {
  for (const [name, fast, full, valid] of [
    ['DeliveryRequestDto', DeliveryRequestDto, FullDelivery, { webhook_id: UUID, payload: '{}' }],
    ['EventRequestDto', EventRequestDto, FullEvent, { event_type: 'order.created', payload: '{}' }],
  ] as const) {
    it(`${name}: the same fields or the same error as the full path, whatever the body`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies, async (generated) => {
          const value = { ...valid, ...generated };
          expect(await outcome(value, fast)).toEqual(await outcome(value, full));
        }),
        { numRuns: 400 },
      );
      // And the shortcut is taken for a plain valid body.
      expect(fast.acceptsAsIs(valid)).toBe(true);
      expect(await outcome(JSON.parse('{"__proto__":{}}'), fast)).toEqual(
        await outcome(JSON.parse('{"__proto__":{}}'), full),
      );
    });
  }
});
