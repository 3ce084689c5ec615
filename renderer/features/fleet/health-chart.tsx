// UI-12: host health over the last hours, as a stacked area chart (uPlot, on a canvas: it sets
// styles through the CSSOM only, so it runs under the console's CSP, which allows no inline style
// or eval) with its text alternative: a summary in words (also the chart's accessible name) and
// the numbers per hour in a table.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { DEFAULT_HISTORY_HOURS } from '../../../shared/constants';
import type { FleetHistory, HealthPoint } from '../../../shared/schemas/fleet.schema';
import { ErrorState, Skeleton } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { useThemeVersion } from './use-theme-version';
import './fleet.css';

const HOUR_MS = 60 * 60 * 1000;
const CHART_HEIGHT = 220;

const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayHourLabel = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** Every hour of the range, with the snapshot of that hour or null where there is none. */
export function hourlySlots(history: FleetHistory): { at: number; point: HealthPoint | null }[] {
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  const byHour = new Map(history.points.map((p) => [Date.parse(p.hour), p]));
  const slots: { at: number; point: HealthPoint | null }[] = [];
  for (let at = from; at <= to; at += HOUR_MS) slots.push({ at, point: byHour.get(at) ?? null });
  return slots;
}

const counts = (p: HealthPoint) =>
  `${formatCount(p.online)} online, ${formatCount(p.offline)} offline, ${formatCount(p.stale)} stale of ${formatCount(p.total)} hosts`;

/** The chart in words: where it ends, where it started, and its worst hour. */
export function healthSummary(history: FleetHistory, hours: number): string {
  const points = history.points;
  if (points.length === 0) {
    return `No health snapshot in the last ${hours} hours yet: the server takes one every hour.`;
  }
  const last = points.at(-1)!;
  const first = points[0]!;
  const worst = points.reduce((a, b) => (b.offline + b.stale > a.offline + a.stale ? b : a));
  const parts = [
    `Last ${hours} hours, ${points.length} hourly ${points.length === 1 ? 'snapshot' : 'snapshots'}.`,
    `Latest (${hourLabel.format(new Date(last.hour))}): ${counts(last)}.`,
  ];
  if (points.length > 1) {
    parts.push(`Earliest (${dayHourLabel.format(new Date(first.hour))}): ${counts(first)}.`);
    parts.push(
      `Most hosts offline or stale: ${formatCount(worst.offline + worst.stale)} at ${dayHourLabel.format(new Date(worst.hour))}.`,
    );
  }
  return parts.join(' ');
}

function cssColor(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function Chart({ history, label }: { history: FleetHistory; label: string }) {
  const wrap = useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  const [hover, setHover] = useState<HealthPoint | null>(null);
  const slots = useMemo(() => hourlySlots(history), [history]);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const color = {
      online: cssColor(el, '--success', '#17743a'),
      offline: cssColor(el, '--warning', '#8a5100'),
      stale: cssColor(el, '--stale', '#6a7280'),
      text: cssColor(el, '--muted', '#586170'),
      grid: cssColor(el, '--border', '#d5d9e0'),
    };
    const val = (f: (p: HealthPoint) => number) => slots.map((s) => (s.point ? f(s.point) : null));
    // Stacked by hand: each series is the sum of those under it, drawn from the top one down.
    const data: uPlot.AlignedData = [
      slots.map((s) => s.at / 1000),
      val((p) => p.online + p.offline + p.stale),
      val((p) => p.online + p.offline),
      val((p) => p.online),
    ];
    const series = (name: string, c: string): uPlot.Series => ({
      label: name,
      stroke: c,
      width: 1.5,
      fill: withAlpha(c, 0.35),
      points: { show: slots.length <= 2 },
      spanGaps: false,
    });
    const axis = (values?: uPlot.Axis['values']): uPlot.Axis => ({
      stroke: color.text,
      grid: { stroke: color.grid, width: 1 },
      ticks: { stroke: color.grid, width: 1 },
      ...(values ? { values } : {}),
    });
    const chart = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [
          {},
          series('Stale', color.stale),
          series('Offline', color.offline),
          series('Online', color.online),
        ],
        axes: [axis(), axis((_u, ticks) => ticks.map((t) => formatCount(t)))],
        hooks: {
          setCursor: [
            (u) => {
              const i = u.cursor.idx;
              setHover(i === null || i === undefined ? null : (slots[i]?.point ?? null));
            },
          ],
        },
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(el.clientWidth, 200), height: CHART_HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [slots, theme]);

  return (
    <>
      <div ref={wrap} className="health-chart" role="img" aria-label={label} />
      <div className="health-legend" aria-hidden="true">
        <span className="legend-item legend-online">Online</span>
        <span className="legend-item legend-offline">Offline</span>
        <span className="legend-item legend-stale">Stale</span>
        <span className="health-hover">
          {hover ? `${hourLabel.format(new Date(hover.hour))}: ${counts(hover)}` : ' '}
        </span>
      </div>
    </>
  );
}

/** The history of the fleet (no org) or of one org, in a panel of its own. */
export function HealthHistory({
  organizationId,
  title,
  hours = DEFAULT_HISTORY_HOURS,
}: {
  organizationId?: number;
  title: string;
  hours?: number;
}) {
  const trpc = useTRPC();
  const headingId = useId();
  const history = useQuery(
    trpc.fleet.history.queryOptions({ organization_id: organizationId ?? null, hours }),
  );
  const summary = history.data ? healthSummary(history.data, hours) : '';
  return (
    <section
      className="panel health-history"
      aria-labelledby={headingId}
      data-testid="health-history"
      data-state={history.isSuccess ? 'ready' : 'loading'}
    >
      <h2 id={headingId}>{title}</h2>
      {history.error ? (
        <ErrorState error={errorMessage(history.error)} onRetry={() => void history.refetch()} />
      ) : !history.data ? (
        <Skeleton height={`${CHART_HEIGHT}px`} />
      ) : (
        <>
          {history.data.points.length > 0 ? <Chart history={history.data} label={summary} /> : null}
          <p className="health-summary" data-testid="health-summary">
            {summary}
          </p>
          {history.data.points.length > 0 ? (
            <details className="health-table">
              <summary>The numbers per hour</summary>
              <table className="data-table fleet-table" aria-label={`${title}: hosts per hour`}>
                <thead>
                  <tr>
                    <th scope="col">Hour</th>
                    <th scope="col" className="numeric">
                      Online
                    </th>
                    <th scope="col" className="numeric">
                      Offline
                    </th>
                    <th scope="col" className="numeric">
                      Stale
                    </th>
                    <th scope="col" className="numeric">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {history.data.points.map((p) => (
                    <tr key={p.hour}>
                      <th scope="row">
                        <time dateTime={p.hour}>{dayHourLabel.format(new Date(p.hour))}</time>
                      </th>
                      <td className="numeric">{formatCount(p.online)}</td>
                      <td className="numeric">{formatCount(p.offline)}</td>
                      <td className="numeric">{formatCount(p.stale)}</td>
                      <td className="numeric">{formatCount(p.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ) : null}
        </>
      )}
    </section>
  );
}
