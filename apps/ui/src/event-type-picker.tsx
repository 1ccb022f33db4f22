import type { ComponentType } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiClient } from './api/client';
import { Loading, printable } from './components';
import { useEventTypeCatalogue } from './event-type-catalogue';
import { FieldInput, FIELDS, type FieldInputProps } from './pages/webhook-fields';

/** The comma-separated text of the `event_types` field as its items. */
const itemsOf = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The `event_types` field as a picker (§14): a checkbox per catalogue type, with its
 * description (through `printable`, as all user text: a bidi or invisible character in it
 * is shown escaped instead of reordering or hiding the text around it), and a text field
 * for anything else (a pattern such as `order.*`, or a type the catalogue does not hold). With an empty catalogue, or one that cannot be read, it
 * is the plain text field. The field's value stays the same comma-separated text, so the
 * form, its validation messages and its request are unchanged.
 */
export function eventTypePicker(client: ApiClient): ComponentType<FieldInputProps> {
  return function EventTypePicker(props: FieldInputProps) {
    const catalogue = useEventTypeCatalogue(client);
    // What is typed in "Other patterns", as typed: parsed on every keystroke, it would
    // lose a trailing comma before the next pattern is written.
    const [typed, setTyped] = useState<string>();
    const types = catalogue.data?.types ?? [];
    if (catalogue.loading && !catalogue.data) return <Loading when />;
    if (types.length === 0 || typeof props.value !== 'string') return <FieldInput {...props} />;
    const items = itemsOf(props.value);
    const known = new Set(types.map((t) => t.name));
    const others = items.filter((item) => !known.has(item));
    const shownOthers = others.filter((item) => item !== '*');
    const set = (next: string[]) => props.onChange(next.join(', '));
    const every = items.includes('*');
    // A type picked narrows an endpoint that took every type ("*", a new one's default)
    // to what is picked; "every type" picked takes them all again.
    const toggle = (name: string, on: boolean) => {
      const picked = items.filter((item) => known.has(item) && item !== name);
      const rest = others.filter((item) => item !== '*');
      set([...(on ? [...picked, name] : picked), ...rest]);
    };
    const toggleEvery = (on: boolean) => {
      // What the other-patterns box shows follows what is sent from now on.
      setTyped(undefined);
      set(
        on
          ? ['*']
          : [...items.filter((item) => known.has(item)), ...others.filter((o) => o !== '*')],
      );
    };
    const label = FIELDS.event_types.label;
    return (
      <fieldset class={`field picker${props.error ? ' invalid' : ''}`}>
        <legend>{label}</legend>
        <div class="field check">
          <input
            id="et-all"
            type="checkbox"
            checked={every}
            onChange={(e) => toggleEvery((e.target as HTMLInputElement).checked)}
          />
          <label for="et-all">Every event type</label>
        </div>
        <ul class="picker-list">
          {types.map((t) => (
            <li key={t.name}>
              <input
                id={`et-type-${t.name}`}
                type="checkbox"
                checked={items.includes(t.name)}
                onChange={(e) => toggle(t.name, (e.target as HTMLInputElement).checked)}
              />
              <label for={`et-type-${t.name}`}>
                <code>{t.name}</code>
                {t.deprecated ? <span class="muted"> (deprecated)</span> : null}
                {t.description ? (
                  <span class="muted small picker-note">{printable(t.description).text}</span>
                ) : null}
              </label>
            </li>
          ))}
        </ul>
        {catalogue.data?.complete === false ? (
          <p class="muted small">The first {types.length} types of the catalogue are listed.</p>
        ) : null}
        <label for="f-event_types-other">Other patterns</label>
        <input
          id="f-event_types-other"
          type="text"
          value={typed ?? shownOthers.join(', ')}
          onInput={(e) => {
            const text = (e.target as HTMLInputElement).value;
            setTyped(text);
            set([
              ...(every ? ['*'] : []),
              ...items.filter((item) => known.has(item)),
              ...itemsOf(text),
            ]);
          }}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby="f-event_types-note"
          autocomplete="off"
        />
        <small id="f-event_types-note" class={props.error ? 'field-error' : 'hint'}>
          {props.error
            ? `${label} ${props.error}`
            : 'Wildcards or other types, comma-separated: order.*, or * for every type.'}
        </small>
      </fieldset>
    );
  };
}
