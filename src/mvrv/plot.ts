/** Vega-Lite spec of an MVRV series with both thresholds, shaded zones and signal markers. */
import { DATE_AXIS, type VegaLiteSpec } from "../lib/chart";
import type { SignalReport } from "./engine";

const ZONE_COLOURS = { domain: ["DANGER", "OPPORTUNITY"], range: ["#f4b6b6", "#b9e4c0"] };

export function signalsChartSpec(report: SignalReport, title: string): VegaLiteSpec {
  // Zone spans: maximal runs of consecutive DANGER / OPPORTUNITY days, shaded from the day to the next.
  const spans: { start: string; end: string; zone: string }[] = [];
  report.days.forEach((d, i) => {
    if (d.zone === "NEUTRAL") return;
    const end = report.days[i + 1]?.date ?? d.date;
    const last = spans[spans.length - 1];
    if (last !== undefined && last.zone === d.zone && last.end === d.date) last.end = end;
    else spans.push({ start: d.date, end, zone: d.zone });
  });
  const lines = report.days.flatMap((d) => [
    { date: d.date, series: "MVRV", value: d.mvrv },
    ...(d.upper !== null ? [{ date: d.date, series: "upper U", value: d.upper }] : []),
    ...(d.lower !== null ? [{ date: d.date, series: "lower L", value: d.lower }] : []),
  ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 900,
    height: 360,
    layer: [
      {
        data: { values: spans },
        mark: { type: "rect", opacity: 0.6 },
        encoding: {
          x: { field: "start", type: "temporal", title: "date (UTC)", axis: DATE_AXIS },
          x2: { field: "end" },
          color: { field: "zone", type: "nominal", scale: ZONE_COLOURS, title: "zone" },
        },
      },
      {
        data: { values: lines },
        mark: { type: "line", strokeWidth: 1.2 },
        encoding: {
          x: { field: "date", type: "temporal", axis: DATE_AXIS },
          y: { field: "value", type: "quantitative", title: "MVRV (log scale)", scale: { type: "log" } },
          stroke: {
            field: "series",
            type: "nominal",
            scale: { domain: ["MVRV", "upper U", "lower L"], range: ["#333333", "#c0392b", "#27ae60"] },
            title: "series",
          },
          strokeDash: { condition: { test: "datum.series !== 'MVRV'", value: [5, 3] }, value: [1, 0] },
        },
      },
      {
        data: { values: report.events },
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x: { field: "date", type: "temporal", axis: DATE_AXIS },
          y: { field: "mvrv", type: "quantitative" },
          shape: { field: "zone", type: "nominal", scale: { domain: ["DANGER", "OPPORTUNITY"], range: ["triangle-down", "triangle-up"] }, title: "signal" },
          fill: { value: "#000000" },
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  };
}
