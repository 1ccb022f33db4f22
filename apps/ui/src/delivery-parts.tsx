import type { ComponentChildren } from 'preact';
import type { Delivery, DeliveryStatus } from './api/client';
import { formatTime, StatusBadge } from './components';

const STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed'];

/**
 * A labelled select of `choices` ([value, label]) after an empty first choice (`any`),
 * `name` in its form, `value` the chosen one.
 */
export function SelectField(props: {
  id: string;
  name: string;
  label: string;
  any: string;
  value: string | undefined;
  choices: [value: string, label: string][];
}) {
  const { value } = props;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {/* Preact sets `defaultValue` as a property, which a select does not have: each
          option says whether it is the chosen one. */}
      <select id={props.id} name={props.name}>
        <option value="" selected={!value}>
          {props.any}
        </option>
        {props.choices.map(([v, label]) => (
          <option key={v} value={v} selected={value === v}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A delivery status to filter by, `status` in its form; "Any" is the empty value. */
export function StatusSelect(props: { id: string; value: string | undefined }) {
  return (
    <SelectField
      id={props.id}
      name="status"
      label="Status"
      any="Any"
      value={props.value}
      choices={STATUSES.map((s) => [s, s])}
    />
  );
}

/**
 * What a delivery is, as the dashboard and the portal show it: its status, then what the
 * caller names (`children`: its endpoint, tenant, event, each a `<div><dt/><dd/></div>`),
 * then its attempts and times.
 */
export function DeliveryFacts(props: { delivery: Delivery; children: ComponentChildren }) {
  const d = props.delivery;
  return (
    <dl class="facts">
      <div>
        <dt>Status</dt>
        <dd data-delivery-status={d.status}>
          <StatusBadge status={d.status} />
        </dd>
      </div>
      {props.children}
      <div>
        <dt>Attempts</dt>
        <dd>{d.delivery_attempts}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatTime(d.created_at)}</dd>
      </div>
      <div>
        <dt>{d.status === 'pending' ? 'Next attempt' : 'Finished'}</dt>
        <dd>{formatTime(d.status === 'pending' ? d.scheduled_at : d.updated_at)}</dd>
      </div>
    </dl>
  );
}
