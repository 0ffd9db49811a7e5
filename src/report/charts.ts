/** Vega-Lite specs the report page adds for the SSI methodology backtest (src/report/ssi-backtest.ts). */
import { DATE_AXIS, type VegaLiteSpec } from "../lib/chart";
import type { SsiBacktest } from "./ssi-backtest";

export function ssiBacktestChartSpec(b: SsiBacktest): VegaLiteSpec {
  const values = b.nav.flatMap((n) => [
    { date: n.date, basket: `${b.index} methodology`, nav: n.index },
    { date: n.date, basket: "buy-and-hold (market cap)", nav: n.buyHold },
  ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `${b.index} backtest ${b.from}..${b.to} vs market-cap buy-and-hold`,
    width: 900,
    height: 320,
    data: { values },
    mark: { type: "line", strokeWidth: 1.3 },
    encoding: {
      x: { field: "date", type: "temporal", title: "date (UTC)", axis: DATE_AXIS },
      y: { field: "nav", type: "quantitative", title: "NAV (start = 1, log scale)", scale: { type: "log", nice: false } },
      color: { field: "basket", type: "nominal" },
    },
  };
}

export function ssiBacktestWeightsSpec(b: SsiBacktest): VegaLiteSpec {
  const values = b.rounds.flatMap((r) => r.weights.map((w) => ({ date: r.date, symbol: w.symbol, weight: w.weight })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `${b.index} backtest weights at each month-end`,
    width: 900,
    height: 260,
    data: { values },
    mark: { type: "bar" },
    encoding: {
      x: { field: "date", type: "ordinal", timeUnit: "yearmonth", title: "month-end", axis: { format: "%Y-%m", labelOverlap: true } },
      y: { field: "weight", type: "quantitative", stack: "normalize", title: "weight", axis: { format: "%" } },
      color: { field: "symbol", type: "nominal", title: "constituent" },
      tooltip: [{ field: "date" }, { field: "symbol" }, { field: "weight", format: ".2%" }],
    },
  };
}
