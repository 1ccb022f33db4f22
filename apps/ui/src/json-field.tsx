import type { ComponentChildren } from 'preact';
import { unseenAt } from './char-names';
import { firstJsonError } from './json-position';

/** Where JSON text stops parsing: what was expected, and the line and column (from 1). */
export interface JsonProblem {
  message: string;
  line: number;
  column: number;
}

/**
 * What is wrong with `text` as JSON, or undefined when it parses or is empty (an empty
 * field is the API's null): what was expected, and where, in lines and columns.
 */
export function jsonProblem(text: string): JsonProblem | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // The browser's words rarely say where: the scan below does.
  }
  const error = firstJsonError(text) ?? { at: text.length, expected: 'JSON' };
  const lines = text.slice(0, error.at).split('\n');
  return {
    message: whatIsFound(text, error.at, error.expected),
    line: lines.length,
    column: lines[lines.length - 1].length + 1,
  };
}

/**
 * What stands at `at` where `expected` was expected. A character no one can see (pasted
 * text brings zero-width spaces, bidi controls, a BOM) or one that looks like a space (a
 * no-break space) is named by its code point: quoted, it would show as nothing, or as a
 * space JSON seems to allow, or reorder the message around it.
 */
function whatIsFound(text: string, at: number, expected: string): string {
  if (at >= text.length) return `the text ends where ${expected} was expected`;
  const unseen = unseenAt(text, at);
  if (!unseen)
    return `“${String.fromCodePoint(text.codePointAt(at)!)}” where ${expected} was expected`;
  return unseen.spaceLike
    ? `${unseen.name} is not allowed here: JSON’s whitespace is space, tab and line breaks only`
    : `${unseen.name} is not allowed here: ${expected} was expected`;
}

/**
 * A field of JSON text, several lines: checked as it is typed, the parse error shown under
 * it with its line and column before anything is sent; under that the API's complaint (the
 * source of truth on submit: the text is sent as typed) or the hint. `children` follow,
 * such as a reference of what the JSON may hold.
 */
export function JsonField(props: {
  id: string;
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ComponentChildren;
  /** The API's complaint about the field, worded for display. */
  error?: ComponentChildren;
  rows?: number;
  children?: ComponentChildren;
}) {
  const { id, error } = props;
  const problem = jsonProblem(props.value);
  const described = [problem ? `${id}-parse` : '', `${id}-note`].filter(Boolean).join(' ');
  return (
    <div class={`field json-field${error || problem ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        value={props.value}
        onInput={(e) => props.onChange((e.target as HTMLTextAreaElement).value)}
        aria-invalid={error || problem ? 'true' : undefined}
        aria-describedby={described}
        spellcheck={false}
      />
      {/* Always there, empty while the text parses: a live region added together with its
          text is often not announced, so the first error would pass unsaid. */}
      <small id={`${id}-parse`} class="field-error json-problem" aria-live="polite">
        {problem
          ? `Not JSON (line ${problem.line}, column ${problem.column}): ${problem.message}`
          : null}
      </small>
      <small id={`${id}-note`} class={error ? 'field-error' : 'hint'}>
        {error ?? props.hint}
      </small>
      {props.children}
    </div>
  );
}
