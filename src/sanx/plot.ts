/** Vega-Lite spec of the SANX backtest: both NAVs with the executed actions marked (sanx:backtest --plot and the report page). */
import { DATE_AXIS, type VegaLiteSpec } from "../lib/chart";
import type { BacktestResult } from "./backtest";

export function sanxNavChartSpec(r: BacktestResult, title = `SANX backtest ${r.from}..${r.to} (delay ${r.delay} days) vs market-cap buy-and-hold`): VegaLiteSpec {
  const lines = r.nav.flatMap((n) => [
    { date: n.date, basket: "SANX", nav: n.sanx },
    { date: n.date, basket: "buy-and-hold", nav: n.buyHold },
  ]);
  const navOn = new Map(r.nav.map((n) => [n.date, n.sanx]));
  const marks = r.actions.map((a) => ({ ...a, nav: navOn.get(a.date), label: `${a.action} ${a.asset}` }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 900,
    height: 360,
    layer: [
      {
        data: { values: lines },
        mark: { type: "line", strokeWidth: 1.3 },
        encoding: {
          x: { field: "date", type: "temporal", title: "date (UTC)", axis: DATE_AXIS },
          y: { field: "nav", type: "quantitative", title: "NAV (start = 1)" },
          color: { field: "basket", type: "nominal" },
        },
      },
      {
        data: { values: marks },
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x: { field: "date", type: "temporal", axis: DATE_AXIS },
          y: { field: "nav", type: "quantitative" },
          shape: { field: "action", type: "nominal", scale: { domain: ["ADD", "REMOVE"], range: ["triangle-up", "triangle-down"] } },
          fill: { value: "#000000" },
          tooltip: [{ field: "label" }, { field: "signalDate" }],
        },
      },
    ],
  };
}

/** Vega-Lite spec of the backtest's membership: one bar per asset over the days it was held. */
export function sanxMembershipChartSpec(r: BacktestResult, title = `SANX membership ${r.from}..${r.to}`): VegaLiteSpec {
  const spans: { asset: string; start: string; end: string }[] = [];
  r.membership.forEach((m, i) => {
    const end = r.membership[i + 1]?.date ?? r.to;
    for (const asset of m.members.length > 0 ? m.members : ["(reserve)"]) {
      const last = spans.find((s) => s.asset === asset && s.end === m.date);
      if (last !== undefined) last.end = end;
      else spans.push({ asset, start: m.date, end });
    }
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 900,
    height: { step: 22 },
    data: { values: spans },
    mark: { type: "bar", cornerRadius: 2 },
    encoding: {
      x: { field: "start", type: "temporal", title: "date (UTC)", axis: DATE_AXIS },
      x2: { field: "end" },
      y: { field: "asset", type: "nominal", title: "member" },
      color: { field: "asset", type: "nominal", legend: null },
      tooltip: [{ field: "asset" }, { field: "start" }, { field: "end" }],
    },
  };
}
