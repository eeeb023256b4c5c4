import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  /** Dashed: a limit or reference line rather than data. */
  dashed?: boolean;
}

interface Props {
  title: string;
  /** UTC days, YYYY-MM-DD, oldest first. */
  days: string[];
  series: ChartSeries[];
  yLabel: string;
  height?: number;
}

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];
export const chartColor = (index: number) => PALETTE[index % PALETTE.length] ?? "#4b5563";

/** A uPlot line chart per UTC day, as wide as its container; the figure's caption names it for screen readers. */
export function DayChart({ title, days, series, yLabel, height = 240 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const xs = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height,
        legend: { live: false },
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
        scales: {
          x: { time: true },
          y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
        },
        axes: [{}, { label: yLabel }],
        series: [
          { label: "Day (UTC)", value: "{YYYY}-{MM}-{DD}" },
          ...series.map((line) => ({
            label: line.label,
            stroke: line.color,
            width: 2,
            ...(line.dashed
              ? { dash: [6, 4], points: { show: false } }
              : { points: { show: true, size: 5 } }),
          })),
        ],
      },
      [xs, ...series.map((line) => line.values)] as uPlot.AlignedData,
      element,
    );
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(280, element.clientWidth), height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [days, series, yLabel, height]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}

/** Every UTC day from `first` to `last` inclusive (YYYY-MM-DD). */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
