import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import {
  WEBHOOK_FIELD_ENTRIES,
  type OptionalWebhookField,
  type RequiredWebhookField,
  type WebhookDraft,
  type WebhookFieldName,
  type WebhookFieldSpec,
  type WebhookSettings,
  type WebhookWire,
  type WebhookWireName,
} from '@app/domain';
import {
  CodePointLength,
  HasNoSpaceOrControl,
  IsEventTypePatterns,
  IsHeaderValue,
  IsHttpUrl,
  IsSigningSecret,
  IsStorableText,
  IsNotBlank,
  IsWebhookFilter,
} from '../../validation/validators';

// The webhook's DTOs made from its one declaration, WEBHOOK_FIELDS (libs/domain,
// webhook.fields.ts): each field's validation and OpenAPI schema, and the mapping between
// its JSON name and the entity's property. docs/adding-a-webhook-field.md.

/**
 * What a field's text must be beyond its type and length, in the order it is checked:
 * after "is a string", before the length. A `string[]` field's whole rule.
 */
const FORMATS: Partial<Record<WebhookFieldName, () => PropertyDecorator[]>> = {
  name: () => [IsStorableText()],
  url: () => [HasNoSpaceOrControl(), IsHttpUrl()],
  contentType: () => [IsHeaderValue()],
  secretToken: () => [IsStorableText(), IsSigningSecret()],
  eventTypes: () => [IsEventTypePatterns()],
  filter: () => [IsWebhookFilter()],
};

/**
 * The class-validator rules of a field, in the order they are checked (the first that
 * fails gives the field's message); an optional field may be left out or null.
 */
function rules(name: WebhookFieldName, spec: WebhookFieldSpec): PropertyDecorator[] {
  const format = FORMATS[name]?.() ?? [];
  const own = ((): PropertyDecorator[] => {
    switch (spec.type) {
      case 'integer': {
        const message = `must be an integer from ${spec.min} to ${spec.max}`;
        return [IsInt({ message }), Max(spec.max, { message }), Min(spec.min, { message })];
      }
      case 'boolean':
        return [IsBoolean({ message: 'must be true or false' })];
      case 'enum':
        return [IsIn(spec.values, { message: `must be one of ${spec.values.join(', ')}` })];
      case 'string': {
        const min = spec.minLength ?? 0;
        const length = min
          ? `must be ${min} to ${spec.maxLength} characters long`
          : `must be at most ${spec.maxLength} characters long`;
        return [
          IsString({ message: 'must be a string' }),
          ...format,
          ...(spec.notBlank ? [IsNotBlank()] : []),
          CodePointLength(min, spec.maxLength, length),
        ];
      }
      case 'integer[]': {
        const array =
          spec.minItems === 0
            ? 'an array'
            : spec.minItems === 1
              ? 'a non-empty array'
              : `an array of at least ${spec.minItems}`;
        const message = `must be ${array} of integers from ${spec.min} to ${spec.max}`;
        return [
          IsInt({ each: true, message }),
          IsArray({ message }),
          Max(spec.max, { each: true, message }),
          Min(spec.min, { each: true, message }),
          ArrayMaxSize(spec.maxItems, {
            message: `must hold at most ${spec.maxItems} ${spec.items}`,
          }),
          ...(spec.minItems > 0 ? [ArrayMinSize(spec.minItems, { message })] : []),
        ];
      }
      case 'string[]':
      case 'object':
        // The FORMATS rule checks the items and enforces maxItems (IsEventTypePatterns
        // does), or what the object may hold (IsWebhookFilter).
        if (format.length === 0) throw new Error(`webhook field ${name}: no rule in FORMATS`);
        return format;
    }
  })();
  return spec.required ? own : [...own, IsOptional()];
}

/** The field's JSON schema apart from its text and its presence. */
function shape(spec: WebhookFieldSpec, limits: boolean): ApiPropertyOptions {
  switch (spec.type) {
    case 'integer':
      return {
        type: 'integer',
        ...(spec.nullable ? { nullable: true } : {}),
        ...(limits ? { minimum: spec.min, maximum: spec.max } : {}),
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { enum: [...spec.values] };
    case 'string': {
      const minLength = spec.minLength ?? (spec.notBlank ? 1 : undefined);
      return {
        type: 'string',
        ...(limits ? { ...(minLength ? { minLength } : {}), maxLength: spec.maxLength } : {}),
      };
    }
    case 'integer[]':
      return {
        type: 'integer',
        isArray: true,
        ...(limits
          ? {
              minimum: spec.min,
              maximum: spec.max,
              minItems: spec.minItems,
              maxItems: spec.maxItems,
            }
          : {}),
      };
    case 'string[]':
      return { type: 'string', isArray: true, ...(limits ? { maxItems: spec.maxItems } : {}) };
    case 'object':
      return { type: 'object', nullable: true, additionalProperties: true };
  }
}

/** What an optional field becomes when left out, in words and for machines (`x-default`). */
function defaults(spec: WebhookFieldSpec): { description?: string; 'x-default'?: unknown } {
  if (spec.required) return { description: spec.description };
  // Not `default`: openapi-typescript would type a field that has one as required.
  const told = spec.default === null ? '' : ` Default ${JSON.stringify(spec.default)}.`;
  return { description: `${spec.description ?? ''}${told}`.trim(), 'x-default': spec.default };
}

const example = (spec: WebhookFieldSpec) =>
  spec.example === undefined ? {} : { example: spec.example };

/** A field of the request: its limits and default, required or not. */
function requestSchema(spec: WebhookFieldSpec): ApiPropertyOptions {
  return {
    ...shape(spec, true),
    required: spec.required === true,
    ...defaults(spec),
    ...example(spec),
  } as ApiPropertyOptions;
}

/** A field of the response: always there. */
function responseSchema(spec: WebhookFieldSpec): ApiPropertyOptions {
  return {
    ...shape(spec, false),
    required: true,
    ...(spec.description ? { description: spec.description } : {}),
    ...example(spec),
  } as ApiPropertyOptions;
}

/** A class whose properties are the fields' JSON names, each with `decorators` applied. */
function fieldsClass<T>(
  decorators: (name: WebhookFieldName, spec: WebhookFieldSpec) => PropertyDecorator[],
): abstract new () => T {
  abstract class Fields {}
  for (const [name, spec] of WEBHOOK_FIELD_ENTRIES) {
    for (const decorate of decorators(name, spec)) decorate(Fields.prototype, spec.column);
  }
  return Fields as abstract new () => T;
}

/** The fields as a client sends them: the required ones, and the others if it likes. */
export type WebhookRequestFields = {
  [K in RequiredWebhookField as WebhookWireName<K>]: WebhookSettings[K];
} & { [K in OptionalWebhookField as WebhookWireName<K>]?: WebhookSettings[K] };

/** The base of WebhookRequestDto: every field with its validation and schema. */
export const WebhookRequestFields = fieldsClass<WebhookRequestFields>((name, spec) => [
  ApiProperty(requestSchema(spec)),
  ...rules(name, spec),
]);

/** The base of WebhookDto: every field with its schema. */
export const WebhookResponseFields = fieldsClass<WebhookWire>((_, spec) => [
  ApiProperty(responseSchema(spec)),
]);

/** The entity's fields under their JSON names, in the declaration's order. */
export function toWire(w: WebhookSettings): WebhookWire {
  return Object.fromEntries(
    WEBHOOK_FIELD_ENTRIES.map(([name, spec]) => [spec.column, w[name]]),
  ) as WebhookWire;
}

/** A request's fields under the entity's names; what it left out stays undefined. */
export function toDraft(body: WebhookRequestFields): WebhookDraft {
  const json = body as Record<string, unknown>;
  return Object.fromEntries(
    WEBHOOK_FIELD_ENTRIES.map(([name, spec]) => [name, json[spec.column]]),
  ) as WebhookDraft;
}
