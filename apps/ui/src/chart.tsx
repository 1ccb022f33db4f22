export interface Series {
  name: string;
  /** One value per point, oldest first; null where there is none. */
  values: (number | null)[];
  /** A CSS class giving the line its colour (and dash, so colour is not the only cue). */
  className: string;
}

const W = 600;
const H = 180;
const PAD = { left: 56, right: 8, top: 12, bottom: 24 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (value <= m * step) return m * step;
  return 10 * step;
}

/**
 * A small SVG line chart drawn by the page itself (no chart library, no inline style:
 * the CSP allows neither). The legend under it names each line with its latest value, so
 * the chart reads without telling colours apart.
 */
export function LineChart(props: {
  title: string;
  series: Series[];
  format: (v: number) => string;
  /** The label of the oldest and newest points, e.g. "60 s ago" and "now". */
  span: [string, string];
  /** The least top of the scale, so an idle chart does not show fractions. */
  floor?: number;
}) {
  const points = Math.max(2, ...props.series.map((s) => s.values.length));
  const all = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(props.floor ?? 1, ...all));
  const x = (i: number) => PAD.left + (i * (W - PAD.left - PAD.right)) / (points - 1);
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const path = (values: (number | null)[]) => {
    let d = '';
    let pen = false;
    values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const latest = (s: Series) => {
    for (let i = s.values.length - 1; i >= 0; i--) {
      const v = s.values[i];
      if (v !== null) return props.format(v);
    }
    return '—';
  };
  const summary = props.series.map((s) => `${s.name} ${latest(s)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}: ${summary}`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f} class="grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} />
            <text x={PAD.left - 6} y={y(max * f) + 4} text-anchor="end">
              {props.format(max * f)}
            </text>
          </g>
        ))}
        <text class="axis" x={PAD.left} y={H - 4}>
          {props.span[0]}
        </text>
        <text class="axis" x={W - PAD.right} y={H - 4} text-anchor="end">
          {props.span[1]}
        </text>
        {props.series.map((s) => (
          <path key={s.name} class={`line ${s.className}`} d={path(s.values)} />
        ))}
      </svg>
      <ul class="legend">
        {props.series.map((s) => (
          <li key={s.name}>
            <span class={`swatch ${s.className}`} aria-hidden="true" />
            {s.name}: <strong>{latest(s)}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}
