import { JsonField } from '../json-field';

/** §15's operators, each with what it holds for and a one-line example. */
const OPERATORS: [operator: string, holds: string, example: string][] = [
  ['$eq', 'equals the scalar (also a bare scalar)', '{"data.tier": {"$eq": "gold"}}'],
  ['$neq', 'does not equal it, or nothing is there', '{"data.tier": {"$neq": "free"}}'],
  ['$gt', 'is greater (number to number, string to string)', '{"data.amount": {"$gt": 100}}'],
  ['$gte', 'is greater or equal', '{"data.created": {"$gte": "2026-01-01"}}'],
  ['$lt', 'is less', '{"data.amount": {"$lt": 1000}}'],
  ['$lte', 'is less or equal', '{"data.priority": {"$lte": 2}}'],
  ['$in', 'equals one of 1–100 scalars', '{"data.tier": {"$in": ["gold", "vip"]}}'],
  ['$nin', 'equals none of them, or nothing is there', '{"data.country": {"$nin": ["US", "CA"]}}'],
  ['$exists', 'is there (true) or is not (false)', '{"data.coupon": {"$exists": true}}'],
  ['$contains', 'is an array holding the scalar', '{"data.tags": {"$contains": "urgent"}}'],
  ['$and', 'every filter of 1–20 holds', '{"$and": [{"data.a": 1}, {"data.b": 2}]}'],
  ['$or', 'at least one of 1–20 holds', '{"$or": [{"data.tier": "gold"}, {"data.vip": true}]}'],
  ['$not', 'the filter does not hold', '{"$not": {"data.tags": {"$contains": "test"}}}'],
];

/** The operator reference, folded under the field. */
function FilterReference() {
  return (
    <details class="filter-reference">
      <summary>Operators</summary>
      <p class="small">
        Keys are paths into the payload: <code>data.customer.tier</code>, <code>items.0.sku</code>.
        Every entry must hold.
      </p>
      <dl class="small">
        {OPERATORS.map(([operator, holds, example]) => (
          <div key={operator}>
            <dt>
              <code>{operator}</code> {holds}
            </dt>
            <dd>
              <code>{example}</code>
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/**
 * The API's reason for a filter, its path set apart: `data.tier: unknown operator $foo`
 * (docs/api.md "Filters") shows `data.tier` as code. A reason without a path is as said.
 */
function FilterError({ label, reason }: { label: string; reason: string }) {
  const at = /^([^\s:]+): (.*)$/s.exec(reason);
  if (!at) return <>{`${label} ${reason}`}</>;
  return (
    <>
      {label} at <code class="error-path">{at[1]}</code>: {at[2]}
    </>
  );
}

/**
 * A webhook's `filter` (§15): JSON text, checked as typed, with the operator reference and
 * the API's reason by the field. The dashboard's webhook form and the portal's endpoint
 * form both show it (pages/webhook-fields.tsx).
 */
export function FilterField(props: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { error, label } = props;
  return (
    <JsonField {...props} error={error ? <FilterError label={label} reason={error} /> : undefined}>
      <FilterReference />
    </JsonField>
  );
}
