/**
 * Credited amounts over time as bars, drawn by uPlot into a canvas. uPlot builds its DOM with
 * createElement and styles it through the CSSOM (`el.style.x = …`), which the renderer's CSP allows
 * (style-src governs style elements and attributes in markup, not the CSSOM), and it never writes HTML
 * strings, so Trusted Types are not involved. The exact amounts are in the table under the chart; the
 * chart's floats are for drawing only.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One bar: the bucket's first millisecond and its amount in display units (drawing only). */
export type ChartPoint = { start: number; value: number };

type EarningsChartProps = {
  points: readonly ChartPoint[];
  /** The bucket size and the range, so empty buckets keep their place on the time axis. */
  bucketMs: number;
  from: number;
  to: number;
  /** What the y axis counts ("base units", "tokens"). */
  unit: string;
  label: string;
};

const HEIGHT = 220;

/** A bar per bucket from `from` to `to`; buckets with no credit stay empty. */
export function EarningsChart({ points, bucketMs, from, to, unit, label }: EarningsChartProps) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const css = getComputedStyle(el);
    const color = (name: string) => css.getPropertyValue(name).trim() || '#888';
    const data = fillBuckets(points, bucketMs, from, to);
    const axis = { stroke: color('--text-muted'), grid: { stroke: color('--border'), width: 1 }, ticks: { stroke: color('--border'), width: 1 } };
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        ms: 1,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        // uPlot's default tick labels round to a few decimals, so small token amounts would repeat.
        axes: [axis, { ...axis, label: unit, size: 80, values: (_u, ticks) => ticks.map((tick) => tick.toLocaleString(undefined, { maximumSignificantDigits: 6 })) }],
        series: [{}, { label, stroke: color('--accent'), fill: color('--accent'), paths: uPlot.paths.bars!({ size: [0.7, 40] }), points: { show: false } }],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, bucketMs, from, to, unit, label]);

  return <div ref={box} className="earnings-chart" role="img" aria-label={`${label}, as a bar chart; the table below has the exact amounts`} data-testid="earnings-chart" />;
}

/** Every bucket start in the range with its value (no bar where none), aligned like the given points. */
function fillBuckets(points: readonly ChartPoint[], bucketMs: number, from: number, to: number): uPlot.AlignedData {
  const byStart = new Map(points.map((p) => [p.start, p.value]));
  // Buckets are aligned to the provider's offset; any known start fixes the grid, else align to `from`.
  const anchor = points[0]?.start ?? from;
  const first = anchor - Math.floor((anchor - from) / bucketMs) * bucketMs;
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  for (let t = first; t < to; t += bucketMs) {
    xs.push(t);
    ys.push(byStart.get(t) ?? null);
  }
  return [xs, ys];
}
