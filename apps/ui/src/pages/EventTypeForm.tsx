import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiFailure, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { asFailure, ErrorBox, Loading, Page } from '../components';
import type { EventType } from '../event-type-catalogue';
import { JsonField } from '../json-field';
import { href, Link, navigate } from '../router';
import { focusFirstInvalid, FormFailure, refuseIfChanged } from '../webhook-form-parts';
import { useEventType } from './EventType';
import { eventTypeHref } from './EventTypes';

type EventTypeRequest = components['schemas']['EventTypeRequestDto'];

/** A validation failure of one field, worded as the API words one (code 4). */
const refusal = (status: number, field: string, reason: string) =>
  new ApiFailure(status, {
    code: 4,
    message: 'request validation failed',
    details: `${field}: ${reason}.`,
  });

/** The JSON the text holds; otherwise the text, so the API names what is wrong. */
function jsonOrText(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A new type's name must be free: PUT would replace the type that has it. Best effort: the
 * API has no conditional PUT, so a type made by someone else between this look and the
 * PUT is still replaced (issue 29 keeps the If-None-Match the API needs for that).
 */
async function refuseTaken(name: string): Promise<void> {
  // The path could not carry these: the API's own rule refuses them too.
  if (name === '' || name === '.' || name === '..') {
    throw refusal(400, 'name', name === '' ? 'is required' : 'is not an event type name');
  }
  try {
    await unwrap(api.GET('/v1/event-types/{name}', { params: { path: { name } } }));
  } catch (err) {
    if (err instanceof ApiFailure && err.body?.code === 18) return; // not found: free
    throw err;
  }
  throw refusal(409, 'name', 'is in the catalogue already: open it from the list to edit it');
}

/**
 * PUT replaces the whole type: refuse to overwrite a change made since the form was filled
 * (best effort, as refuseTaken: a change between this look and the PUT is not seen).
 */
async function refuseStale(was: EventType): Promise<void> {
  const now = await unwrap(
    api.GET('/v1/event-types/{name}', { params: { path: { name: was.name } } }),
  );
  refuseIfChanged(was.updated_at, now.updated_at, 'event type');
}

/**
 * An event type's form: a new one (its name, fixed from then on) or an existing one's full
 * replacement. What is typed is sent as typed and the API judges it; its reasons are shown
 * by each field (a too-large example is a 413, shown by the example).
 */
function EventTypeFields({ type }: { type?: EventType }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState(type?.description ?? '');
  const [schema, setSchema] = useState(type?.schema ? JSON.stringify(type.schema, null, 2) : '');
  const [example, setExample] = useState(type?.example ?? '');
  const [deprecated, setDeprecated] = useState(type?.deprecated ?? false);
  const [failure, setFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);
  const errors = failure?.fieldErrors() ?? {};
  // The example's own limit (code 8); a whole request over the body limit is another 413.
  if (failure?.status === 413 && failure.body?.code === 8)
    errors.example = failure.body?.message ?? failure.message;

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setFailure(undefined);
    try {
      const typeName = type ? type.name : name.trim();
      if (type) await refuseStale(type);
      else await refuseTaken(typeName);
      const body = {
        description,
        schema: jsonOrText(schema),
        example: example === '' ? null : example,
        deprecated,
      } as EventTypeRequest;
      const saved = await unwrap(
        api.PUT('/v1/event-types/{name}', { params: { path: { name: typeName } }, body }),
      );
      navigate(eventTypeHref(saved.name));
    } catch (err) {
      setFailure(asFailure(err));
      focusFirstInvalid();
    } finally {
      setSaving(false);
    }
  };

  const field = (key: string, label: string, input: JSX.Element, note: string) => (
    <div class={`field${errors[key] ? ' invalid' : ''}`}>
      <label for={`f-${key}`}>{label}</label>
      {input}
      <small id={`f-${key}-note`} class={errors[key] ? 'field-error' : 'hint'}>
        {errors[key] ? `${label} ${errors[key]}` : note}
      </small>
    </div>
  );
  const attrs = (key: string) => ({
    id: `f-${key}`,
    'aria-invalid': errors[key] ? ('true' as const) : undefined,
    'aria-describedby': `f-${key}-note`,
  });

  return (
    <form class="form event-type-form" onSubmit={(e) => void submit(e)} noValidate>
      <FormFailure failure={failure} />
      <fieldset>
        <legend>Event type</legend>
        {type
          ? null
          : field(
              'name',
              'Name',
              <input
                {...attrs('name')}
                value={name}
                onInput={(e) => setName((e.target as HTMLInputElement).value)}
                spellcheck={false}
                autocomplete="off"
              />,
              'Dot-separated: order.created. Fixed once created.',
            )}
        {field(
          'description',
          'Description',
          <textarea
            {...attrs('description')}
            rows={2}
            value={description}
            onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)}
          />,
          'What it means, for the people who subscribe. At most 1024 characters.',
        )}
        <JsonField
          id="f-schema"
          name="schema"
          label="Schema"
          rows={8}
          value={schema}
          onChange={setSchema}
          error={errors.schema ? `Schema ${errors.schema}` : undefined}
          hint="A JSON Schema (draft 2020-12) every payload must match, referencing nothing outside itself. Empty: not checked."
        />
        {field(
          'example',
          'Example',
          <textarea
            {...attrs('example')}
            rows={4}
            value={example}
            spellcheck={false}
            onInput={(e) => setExample((e.target as HTMLTextAreaElement).value)}
          />,
          'A payload, sent by a test delivery; with a schema, JSON that matches it. Empty: none.',
        )}
        <div class="field check">
          <input
            id="f-deprecated"
            type="checkbox"
            checked={deprecated}
            onChange={(e) => setDeprecated((e.target as HTMLInputElement).checked)}
          />
          <label for="f-deprecated">Deprecated (still publishes)</label>
        </div>
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary" disabled={saving}>
          {saving ? 'Saving…' : type ? 'Save changes' : 'Create event type'}
        </button>
        <Link href={type ? eventTypeHref(type.name) : href('/event-types')}>Cancel</Link>
      </div>
    </form>
  );
}

/** `/event-types/+new` (a `+` is in no type's name, so every name has its own page). */
export function NewEventType() {
  return (
    <Page title="New event type">
      <EventTypeFields />
    </Page>
  );
}

/** `/event-types/{name}/edit`: the type's form, back to its page once saved. */
export function EditEventType({ name }: { name: string }) {
  const type = useEventType(name);
  const t = type.data;
  return (
    <Page title={`Edit event type ${name}`}>
      <ErrorBox error={type.error} />
      <Loading when={type.loading && !t} />
      {/* Keyed by the version loaded, so the form starts from what was read. */}
      {t ? <EventTypeFields key={t.updated_at} type={t} /> : null}
    </Page>
  );
}
