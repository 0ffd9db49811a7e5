/** Vega-Lite spec of a USSI NAV series (ussi:backtest --plot and the report page). */
import { DATE_AXIS, type VegaLiteSpec } from "../lib/chart";

/** `values`: one point per time (ISO date or date-time, UTC) with the NAV as a number. */
export function ussiNavChartSpec(values: readonly { time: string; nav: number }[], title: string, yTitle = "NAV (USD)"): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 720,
    height: 320,
    data: { values },
    mark: "line",
    encoding: {
      x: { field: "time", type: "temporal", title: "date (UTC)", axis: DATE_AXIS },
      y: { field: "nav", type: "quantitative", title: yTitle, scale: { zero: false } },
    },
  };
}
