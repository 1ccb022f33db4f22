import { ApiFailure } from './client';
import type { components } from './schema';

/**
 * What the dashboard reads of a property in the served OpenAPI document: its type, limits
 * and default, so that a form repeats none of them.
 */
export interface PropertySchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  nullable?: boolean;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: PropertySchema;
  maxProperties?: number;
  additionalProperties?: PropertySchema | boolean;
  description?: string;
  /**
   * What the API gives an optional field left out (postmand's extension: the standard
   * `default` would make openapi-typescript type the field as required).
   */
  'x-default'?: unknown;
}

export type SchemaName = keyof components['schemas'];

/** The properties of a schema, by name. */
export type Properties<N extends SchemaName> = {
  [K in keyof components['schemas'][N]]-?: PropertySchema;
};

interface OpenApiDocument {
  components?: { schemas?: Record<string, { properties?: Record<string, PropertySchema> }> };
}

let served: Promise<OpenApiDocument> | undefined;

/** The document the API serves (it needs no key), fetched once; again after a failure. */
function openApiDocument(): Promise<OpenApiDocument> {
  if (!served) {
    served = fetch(`${window.location.origin}/swagger/doc.json`).then(
      async (res) => {
        if (!res.ok) {
          throw new ApiFailure(
            res.status,
            undefined,
            `the API's description answered ${res.status}`,
          );
        }
        return (await res.json()) as OpenApiDocument;
      },
      (err: unknown) => {
        throw new ApiFailure(
          0,
          undefined,
          `the API cannot be reached${err instanceof Error ? ` (${err.message})` : ''}`,
        );
      },
    );
    served.catch(() => (served = undefined));
  }
  return served;
}

/** The properties of one schema of the served document (`WebhookRequestDto`). */
export async function schemaProperties<N extends SchemaName>(name: N): Promise<Properties<N>> {
  const properties = (await openApiDocument()).components?.schemas?.[name]?.properties;
  if (!properties) throw new ApiFailure(0, undefined, `the API's description has no ${name}`);
  return properties as Properties<N>;
}
