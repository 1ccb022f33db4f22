import {
  Injectable,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** DTOs with rules across fields (retry_max_backoff ≥ retry_min_backoff) implement this. */
export interface CrossFieldRules {
  /** Called after the per-field rules; returns `[field, reason]` pairs for what breaks. */
  crossFieldProblems(failedFields: Set<string>): [string, string][];
}

/**
 * A request DTO whose resource has read-only fields (`id`, `created_at`, …): those are
 * ignored in a body, so that a client may send back what it read; any other field the
 * DTO does not declare is refused.
 */
export interface ReadOnlyFields {
  readonly readOnlyFields: readonly string[];
}

/**
 * A request DTO of a hot route (the creates a producer calls in a loop) implements this as a
 * static method: true only for a body every rule of the DTO accepts as it is (its own
 * fields, the right types, nothing to transform), which the pipe then takes without
 * class-transformer and class-validator (about 30 % of the server's CPU a create, with
 * the garbage and compilation they bring; see docs/performance.md). False sends the body
 * down the full path, which words every problem, so the answers to a bad body stay the
 * same.
 */
export interface AcceptsAsIs {
  acceptsAsIs(body: Record<string, unknown>): boolean;
}

function acceptsAsIs(metatype: unknown, body: object): boolean {
  const dto = metatype as Partial<AcceptsAsIs> | undefined;
  return typeof dto?.acceptsAsIs === 'function' && dto.acceptsAsIs(body as Record<string, unknown>);
}

function readOnlyFieldsOf(object: object): readonly string[] {
  return (object.constructor as Partial<ReadOnlyFields>).readOnlyFields ?? [];
}

/**
 * Query strings as the 'simple' parser reads them: a parameter given twice arrives as an
 * array, a bracketed one (`status[]`, `created_at[gt]`) under its bracketed name. Neither
 * is anything this API defines; both would otherwise be dropped or misread.
 */
function queryShapeProblems(query: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  for (const [name, value] of Object.entries(query)) {
    if (/[[\]]/.test(name)) {
      problems.push([name, 'brackets are not supported; give the parameter once as name=value']);
    } else if (Array.isArray(value)) {
      problems.push([name, 'must be given only once']);
    }
  }
  return problems;
}

/**
 * Keys of a body or query that name a member every instance of the DTO already has
 * (`__proto__`, `constructor`, `toString`, `valueOf`, a DTO's own methods): the
 * transformer skips them without a word, so the whitelist never sees them. Refused like
 * any other name the request does not define.
 */
function inheritedNameProblems(value: object, metatype: unknown): [string, string][] {
  if (typeof metatype !== 'function' || metatype === Object) return [];
  const prototype = (metatype as { prototype: object }).prototype;
  return Object.keys(value)
    .filter((key) => key in prototype)
    .map((key) => [key, 'is not a field of this request']);
}

/** The keys Nest's ValidationPipe deletes from a body at any depth, without a word. */
const STRIPPED_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Keys inside a body's objects (a tenant's `metadata`) that Nest would delete before
 * validation (against prototype pollution): refused, naming their path, so that what a
 * client stores is never silently less than what it sent. Top-level names are
 * inheritedNameProblems' to refuse.
 */
function strippedKeyProblems(value: unknown, path: string): [string, string][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const field = `${path}.${key}`;
    if (STRIPPED_KEYS.has(key))
      return [[field, 'is a key this API does not take'] as [string, string]];
    return strippedKeyProblems((value as Record<string, unknown>)[key], field);
  });
}

function hasCrossFieldRules(value: unknown): value is CrossFieldRules {
  return typeof (value as CrossFieldRules | null)?.crossFieldProblems === 'function';
}

/** Flattens class-validator's tree into `field: reason` pairs (one reason per field). */
function problemsOf(errors: ValidationError[], prefix = ''): [string, string][] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const reasons = Object.values(error.constraints ?? {});
    // Only optional fields skip validation when absent, so absent here means required.
    const absent = error.value === undefined || error.value === null;
    const reason =
      error.constraints?.crossField ??
      (error.constraints?.whitelistValidation
        ? 'is not a field of this request'
        : absent
          ? 'is required'
          : reasons[0]);
    const own: [string, string][] = reasons.length ? [[field, reason]] : [];
    return [...own, ...problemsOf(error.children ?? [], field)];
  });
}

/**
 * The global pipe: strict types (no implicit conversion of body values), unknown fields
 * and query parameters refused (a typo must not pass silently), read-only fields of the
 * resource ignored, and every failure rendered as code 4.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validateCustomDecorators: false,
      transformOptions: { enableImplicitConversion: false },
      exceptionFactory: (errors) => ApiError.validation(problemsOf(errors)),
    });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // JSON arrays and scalars parse fine but are no request body of ours; without this
    // check class-validator would wave an array through.
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (metadata.type === 'body' && value !== undefined && !isObject) {
      throw new ApiError('malformedBody', 'the body must be a JSON object');
    }
    if (metadata.type === 'body' && isObject && acceptsAsIs(metadata.metatype, value)) {
      const Dto = metadata.metatype as new () => object;
      return Promise.resolve(Object.assign(new Dto(), value));
    }
    if (metadata.type === 'query' && isObject) {
      const problems = queryShapeProblems(value as Record<string, unknown>);
      if (problems.length > 0) throw ApiError.validation(problems);
    }
    if ((metadata.type === 'query' || metadata.type === 'body') && isObject) {
      const problems = [
        ...inheritedNameProblems(value, metadata.metatype),
        ...Object.entries(value).flatMap(([key, item]) => strippedKeyProblems(item, key)),
      ];
      if (problems.length > 0) throw ApiError.validation(problems);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }

  protected override async validate(
    object: object,
    validatorOptions?: Parameters<ValidationPipe['validate']>[1],
  ): Promise<ValidationError[]> {
    const readOnly = readOnlyFieldsOf(object);
    const errors = (await super.validate(object, validatorOptions)).filter(
      (e) => !(e.constraints?.whitelistValidation && readOnly.includes(e.property)),
    );
    if (!hasCrossFieldRules(object)) return errors;
    const failed = new Set(errors.map((e) => e.property));
    const extra = object.crossFieldProblems(failed).map(([property, reason]) => ({
      property,
      constraints: { crossField: reason },
      children: [],
    }));
    return [...errors, ...extra];
  }
}
