/**
 * The transparency page (issue 12): plain data in (`types.ts` from the chain, `data.ts` from the data
 * files), one static HTML file out, with every chart rendered to inline SVG by the Vega-Lite specs the
 * CLI `--plot` options use (`src/mvrv/plot.ts`, `src/sanx/plot.ts`, `src/ussi/plot.ts`). No script, no
 * external request: the file opens from disk. Every figure and table names its source; SAMPLE data is
 * marked as such.
 */
import type { VegaLiteSpec } from "../lib/chart";
import { signalsChartSpec } from "../mvrv/plot";
import { sanxMembershipChartSpec, sanxNavChartSpec } from "../sanx/plot";
import { dailySeries } from "../ussi/backtest";
import { formatIsoSecond } from "../ussi/funding";
import { wadToNumber } from "../ussi/fixed";
import { ussiNavChartSpec } from "../ussi/plot";
import { ssiBacktestChartSpec, ssiBacktestWeightsSpec } from "./charts";
import type { OffChainData } from "./data";
import { amount, escapeHtml as h, num, pct, usd, usd4, utc } from "./format";
import { STYLE } from "./style";
import type { Holding, SanxChainData, Source, SsiProductData, UssiChainData } from "./types";

const WAD = 10n ** 18n;

export interface ReportInput {
  title: string;
  generatedAt: number; // unix s
  ssi: SsiProductData[];
  sanx: SanxChainData | undefined;
  ussi: UssiChainData | undefined;
  offChain: OffChainData;
  /** Why a part is missing (e.g. "no SANX deployment in deployments/x.json"). */
  notes: string[];
}

/** Renders a spec to SVG (src/lib/chart.ts renderSvg in the task; a stub in unit tests). */
export type RenderSvg = (spec: VegaLiteSpec) => Promise<string>;

/**
 * Okabe-Ito's eight colours (distinguishable with the common colour-vision deficiencies), then four of Paul
 * Tol's for baskets of up to 12 constituents, applied to every chart on the page as a Vega-Lite `config`, on
 * top of the shared spec. The light yellow comes last: it is the weakest on white.
 */
export const OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#882255", "#44AA99", "#999933", "#AA4499", "#F0E442"];
const PAGE_CONFIG = { range: { category: OKABE_ITO }, legend: { labelLimit: 300 }, font: "system-ui, -apple-system, 'Segoe UI', sans-serif", background: "#ffffff" };

export function sourceText(s: Source): string {
  return s.kind === "chain"
    ? `chain ${s.chainId} (${s.network}), block ${s.block} (${utc(s.blockTime)})`
    : `${s.file}, data to ${s.asOf}`;
}

function sourceLine(s: Source): string {
  return `<p class="source">Source: ${h(sourceText(s))}${s.sample ? ' <span class="sample">SAMPLE</span>' : ""}</p>`;
}

function table(head: string[], rows: string[][], cls = "", attrs = ""): string {
  return (
    `<div class="table-wrap"><table class="${cls}"${attrs}><thead><tr>${head.map((x) => `<th scope="col">${x}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join("")}</tr>`).join("")}</tbody></table></div>`
  );
}

function cards(items: [string, string][]): string {
  return `<dl class="cards">${items.map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${v}</dd></div>`).join("")}</dl>`;
}

/** Renders `spec` with the page's colours into a figure; `id` names it for the browser test. */
async function chart(render: RenderSvg, id: string, spec: VegaLiteSpec, source: Source, alt: string): Promise<string> {
  const svg = await render({ ...spec, config: { ...((spec["config"] as object) ?? {}), ...PAGE_CONFIG } });
  return `<figure class="chart" data-chart="${h(id)}" role="img" aria-label="${h(alt)}">${responsiveSvg(svg)}<figcaption>${h(alt)}. Source: ${h(sourceText(source))}${source.sample ? ' <span class="sample">SAMPLE</span>' : ""}</figcaption></figure>`;
}

/** Vega writes width/height only: add a viewBox so the SVG scales down on a phone. */
export function responsiveSvg(svg: string): string {
  if (/viewBox=/.test(svg.slice(0, 400))) return svg;
  const m = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  return m === null ? svg : svg.replace("<svg", `<svg viewBox="0 0 ${m[1]} ${m[2]}" preserveAspectRatio="xMinYMin meet"`);
}

function holdingsTable(holdings: readonly Holding[], nav: bigint, id: string): string {
  const rows = holdings.map((x) => {
    const weight = nav === 0n ? 0n : (x.value * WAD) / nav; // {WAD}, rounded down
    const drift = x.target === undefined ? undefined : weight - x.target;
    return [
      h(x.symbol),
      amount(x.unitsPerToken, x.decimals),
      amount(x.balance, x.decimals),
      `$${amount(x.price, 18, 6)}`,
      `<span data-value>${usd(x.value)}</span>`,
      pct(weight),
      x.target === undefined ? "not a target" : pct(x.target),
      drift === undefined ? "-" : `${drift >= 0n ? "+" : ""}${pct(drift)}`,
    ];
  });
  const sum = holdings.reduce((s, x) => s + x.value, 0n);
  rows.push(["Total", "", "", "", `<strong data-total>${usd(sum)}</strong>`, nav === 0n ? "-" : pct((sum * WAD) / nav), "", ""]);
  return table(
    ["symbol", "quantity per token", "vault balance", "price (feed)", "value", "weight", "target weight", "drift (weight - target)"],
    rows,
    "holdings num",
    ` data-holdings="${h(id)}" data-nav="${usd(nav)}"`,
  );
}

function weightsSpec(p: SsiProductData): VegaLiteSpec {
  const values = p.targetsHistory.flatMap((r) => r.weights.map((w) => ({ round: `round ${r.round} (${utc(r.time).slice(0, 10)})`, symbol: w.symbol, weight: wadToNumber(w.weight) })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `${p.symbol} target weights by round`,
    width: 600,
    height: { step: 36 },
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "round", type: "ordinal", title: null, sort: null },
      x: { field: "weight", type: "quantitative", stack: "normalize", title: "target weight", axis: { format: "%" } },
      color: { field: "symbol", type: "nominal", title: "constituent" },
      tooltip: [{ field: "round" }, { field: "symbol" }, { field: "weight", format: ".2%" }],
    },
  };
}

async function ssiSection(p: SsiProductData, off: OffChainData, render: RenderSvg): Promise<string> {
  const feeShares = p.fee.pendingShares + p.fee.claimedShares;
  const out: string[] = [`<section id="${h(p.product)}"><h2>${h(p.symbol)} <small>${h(p.name)}</small></h2>`];
  out.push(
    cards([
      ["NAV", `<span data-nav>${usd(p.nav)}</span>`],
      ["NAV per token", usd4(p.navPerShare)],
      ["supply", `${amount(p.totalSupply, 18)} tokens`],
      ["fee rate", `${pct(p.fee.rate)} / year`],
      ["fees accrued", `${amount(feeShares, 18)} tokens (${usd((feeShares * p.navPerShare) / WAD)})`],
      ["fees unclaimed", `${amount(p.fee.pendingShares, 18)} tokens`],
      ["minting", p.paused ? '<span class="state bad">paused by the guardian</span> (redemption stays open)' : '<span class="state ok">open</span>'],
      ["rebalance window", p.rebalancing ? "open" : "closed"],
    ]),
  );
  out.push(sourceLine(p.source));
  out.push(`<h3>Holdings</h3>`, holdingsTable(p.holdings, p.nav, p.product));
  out.push(`<p class="note">value = vault balance × feed price, rounded down, as the vault's <code>nav()</code> sums it; weight = value / NAV; drift in percentage points.</p>`);
  if (p.unheldTargets.length > 0) out.push(`<p class="note">Targets not held yet: ${p.unheldTargets.map((t) => `${h(t.symbol)} ${pct(t.weight)}`).join(", ")}.</p>`);

  out.push(`<h3>Weights over time</h3>`);
  if (p.targetsHistory.length === 0) out.push(`<p class="note">No weight report accepted yet.</p>`);
  else out.push(await chart(render, `${p.product}-weights`, weightsSpec(p), p.source, `${p.symbol} target weights of every accepted weight report (TargetsUpdated events)`));

  out.push(`<h3>Rebalance history</h3>`);
  if (p.rebalances.length === 0) out.push(`<p class="note">No rebalance window opened on the Rebalancer yet.</p>`);
  for (const r of p.rebalances) {
    const traded = r.trades.reduce<bigint | undefined>((s, t) => (s === undefined || t.valueIn === undefined ? undefined : s + t.valueIn), 0n);
    out.push(
      `<h4>Round ${r.round}</h4>`,
      cards([
        ["opened", `${utc(r.openedTime)} (block ${r.openedBlock})`],
        ["closed", r.closedTime === undefined ? "still open" : `${utc(r.closedTime)} (block ${r.closedBlock})${r.expired ? ", expired" : ""}`],
        ["NAV at close", r.navAtClose === undefined ? "-" : usd(r.navAtClose)],
        ["entered", r.entered.length > 0 ? h(r.entered.join(", ")) : "none"],
        ["left", r.left.length > 0 ? h(r.left.join(", ")) : "none"],
        ["turnover", traded === undefined || r.navAtClose === undefined || r.navAtClose === 0n ? "-" : `${pct((traded * WAD) / r.navAtClose)} of NAV (${usd(traded)} sold, at the feeds)`],
      ]),
    );
    if (r.trades.length > 0) {
      out.push(
        table(
          ["block", "sold", "bought", "price paid", "oracle floor", "above floor"],
          r.trades.map((t) => {
            // prices in tokOut per tokIn, as floats for display only
            const paid = Number(t.amountOut) / 10 ** t.decimalsOut / (Number(t.amountIn) / 10 ** t.decimalsIn);
            const floor = Number(t.minAmountOut) / 10 ** t.decimalsOut / (Number(t.amountIn) / 10 ** t.decimalsIn);
            return [
              String(t.block),
              `${amount(t.amountIn, t.decimalsIn)} ${h(t.symbolIn)}${t.valueIn === undefined ? "" : ` (${usd(t.valueIn)})`}`,
              `${amount(t.amountOut, t.decimalsOut)} ${h(t.symbolOut)}`,
              `${num(paid, 6)} ${h(t.symbolOut)}/${h(t.symbolIn)}`,
              `${num(floor, 6)}`,
              `${num((paid / floor - 1) * 100, 2)}%`,
            ];
          }),
          "num",
        ),
      );
    }
  }
  out.push(`<h3>NAV backtest of the methodology</h3>`);
  const bt = off.ssiBacktest[p.product];
  if (bt === undefined || !bt.ok) out.push(`<p class="note">Not available: ${h(bt?.reason ?? "no data")}.</p>`);
  else {
    const b = bt.value;
    const last = b.nav[b.nav.length - 1]!;
    out.push(
      `<p class="note">The methodology (sections 1-3, rank buffer) at every month-end close over the assets of ${h(sourceText(bt.source).split(",")[0]!)} only, not the whole market: ` +
        `${h(b.universe.join(", "))} were selected at some point. Rebalanced at the month-end close without cost, against the same universe's market-cap buy-and-hold from the first month-end. ` +
        `${b.from} to ${b.to} (ends: ${h(b.endReason)}): index ${num((last.index - 1) * 100)}%, buy-and-hold ${num((last.buyHold - 1) * 100)}%.</p>`,
      await chart(render, `${p.product}-backtest`, ssiBacktestChartSpec(b), bt.source, `${p.symbol} methodology NAV against buy-and-hold, ${b.from} to ${b.to}`),
      await chart(render, `${p.product}-backtest-weights`, ssiBacktestWeightsSpec(b), bt.source, `${p.symbol} weights chosen at each month-end of the backtest`),
    );
  }
  out.push(`</section>`);
  return out.join("\n");
}

async function sanxSection(s: SanxChainData | undefined, off: OffChainData, render: RenderSvg): Promise<string> {
  const out: string[] = [`<section id="SANX"><h2>SANX <small>MVRV-signalled DeFi basket</small></h2>`];
  if (s !== undefined) {
    out.push(
      cards([
        ["NAV", `<span data-nav>${usd(s.nav)}</span>`],
        ["NAV per token", usd4(s.navPerShare)],
        ["supply", `${amount(s.supply, 18)} tokens`],
        ["red button", s.redButton.controller ? '<span class="state bad">pressed: no action executes</span>' : '<span class="state ok">not pressed</span>'],
        ["vault", s.redButton.vault ? '<span class="state bad">paused</span>' : '<span class="state ok">open</span>'],
        ["execution delay", `${s.delayDays} days`],
        ["members", s.members.length > 0 ? h(s.members.join(", ")) : `none (reserve ${h(s.reserve)})`],
      ]),
      sourceLine(s.source),
      `<h3>Targets (round ${s.targets.round})</h3>`,
      table(["asset", "target weight"], s.targets.weights.map((w) => [h(w.symbol), pct(w.weight)]), "num"),
      `<h3>Holdings</h3>`,
      holdingsTable(s.holdings, s.nav, "SANX"),
      `<h3>Pending actions</h3>`,
      s.pending.length === 0
        ? `<p class="note">None.</p>`
        : table(["asset", "action", "signal day", "due (UTC)", "state"], s.pending.map((p) => [h(p.symbol), p.kind, p.signalDay, utc(p.dueAt), p.due ? "due" : "waiting"])),
      `<h3>Action history (controller events)</h3>`,
      s.actions.length === 0
        ? `<p class="note">No action yet.</p>`
        : table(["block", "asset", "action", "event", "signal day", "due", "note"], s.actions.map((a) => [String(a.block), h(a.symbol), a.kind, a.event, a.signalDay, a.dueAt === undefined ? "-" : utc(a.dueAt), h(a.detail)])),
      `<h3>Signals accepted</h3>`,
      s.signalsAccepted.length === 0
        ? `<p class="note">No signal accepted yet.</p>`
        : table(
            ["signal day", "asset", "zone", "MVRV", "threshold", "relayed"],
            s.signalsAccepted
              .slice(-12)
              .reverse()
              .map((g) => [g.day, h(g.symbol), g.zone, num(wadToNumber(g.mvrv), 4), `${g.zone === "OPPORTUNITY" ? "L" : "U"} ${num(wadToNumber(g.threshold), 4)}`, `block ${g.block}, ${utc(g.time)}`]),
          ),
      `<p class="note">SignalAccepted events of the SignalOracle: one signal per asset and day, the oracle's replay key; ${s.signalsAccepted.length} in all${s.signalsAccepted.length > 12 ? ", the last 12 shown" : ""}. ` +
        `On a chain fed with SAMPLE data, signal days are the sample dates replayed as recent days.</p>`,
    );
  } else out.push(`<p class="note">No SANX deployment on this chain.</p>`);

  out.push(`<h3>MVRV signals per asset</h3>`);
  if (!off.mvrv.ok) out.push(`<p class="note">Not available: ${h(off.mvrv.reason)}</p>`);
  else {
    out.push(`<p class="note">The signal engine (methodology section 4, default parameters) over each series: MVRV, the thresholds U and L, shaded danger and opportunity zones, and the signals (triangles).</p>`);
    for (const a of off.mvrv.value) {
      out.push(await chart(render, `mvrv-${a.symbol}`, signalsChartSpec(a.report, `${a.symbol} MVRV`), a.source, `${a.symbol}: MVRV with thresholds, zones and ${a.report.events.length} signals`));
    }
  }

  out.push(`<h3>Backtest: membership and NAV against buy-and-hold</h3>`);
  if (!off.sanxBacktest.ok) out.push(`<p class="note">Not available: ${h(off.sanxBacktest.reason)}</p>`);
  else {
    const { result: r, skipped } = off.sanxBacktest.value;
    const src = off.sanxBacktest.source;
    out.push(
      `<p class="note">Universe ${h(r.universe.join(", "))}${skipped.length > 0 ? `; left out: ${h(skipped.map((x) => `${x.symbol} (${x.reason})`).join(", "))}` : ""}. ${r.signals.length} signals, ${r.actions.length} actions executed, delay ${r.delay} days.</p>`,
      await chart(render, "sanx-membership", sanxMembershipChartSpec(r), src, `SANX membership ${r.from} to ${r.to}`),
      await chart(render, "sanx-backtest", sanxNavChartSpec(r), src, `SANX NAV against market-cap buy-and-hold, ${r.from} to ${r.to}, actions marked`),
      table(
        ["basket", "total return", "volatility (ann.)", "max drawdown", "turnover"],
        (
          [
            ["SANX", r.metrics.sanx],
            ["buy-and-hold (market cap)", r.metrics.buyHold],
          ] as const
        ).map(([n, m]) => [n, `${num(m.totalReturn * 100)}%`, `${num(m.annualisedVolatility * 100)}%`, `${num(m.maxDrawdown * 100)}%`, `${num(m.turnover * 100)}%`]),
        "num",
      ),
      sourceLine(src),
    );
  }
  out.push(`</section>`);
  return out.join("\n");
}

/** The epochs table: what each epoch's requests were, the one price they settled at, and what was claimed. */
function epochsTable(u: UssiChainData, usdc: (x: bigint) => string): string {
  const funded = u.redemptions.funded;
  const rows = [...u.epochs].reverse().map((e) => {
    const deposits = e.requests.depositUsdc + e.requests.depositIndex;
    const total = deposits + e.requests.redeem;
    const s = e.settled;
    const depositText =
      deposits === 0
        ? "-"
        : `${deposits}: ${[e.depositUsdc > 0n ? usdc(e.depositUsdc) : "", e.depositIndex > 0n ? `${amount(e.depositIndex, 18)} MAG7.ssi` : ""].filter((x) => x !== "").join(" + ")}`;
    const settledParts: string[] = [];
    if (s !== undefined) {
      if (s.sharesMinted > 0n) settledParts.push(`${amount(s.sharesMinted, 18)} USSI minted`);
      if (s.sharesBurned > 0n) settledParts.push(`${amount(s.sharesBurned, 18)} USSI burned for ${usdc(s.assetsOwed)}`);
      if (e.depositIndex > 0n && s.indexNetPerShare === 0n) settledParts.push("MAG7.ssi not valued: returned in kind");
    }
    const claimedParts = [
      e.claimed.ussi > 0n ? `${amount(e.claimed.ussi, 18)} USSI` : "",
      e.claimed.usdc > 0n ? usdc(e.claimed.usdc) : "",
      e.claimed.mag7Returned > 0n ? `${amount(e.claimed.mag7Returned, 18)} MAG7.ssi returned` : "",
    ].filter((x) => x !== "");
    let funding = "-";
    if (s !== undefined && e.redeemShares > 0n) funding = funded >= e.owedEnd ? '<span class="state ok">funded</span>' : `<span class="state bad">awaiting ${usdc(e.owedEnd - funded)}</span>`;
    return [
      `${e.epoch}${s === undefined ? " (open)" : ""}`,
      s === undefined ? "next report" : `round ${s.round}, ${utc(s.time)} (block ${s.block})`,
      s === undefined ? "not known yet" : usd4(s.navPerToken),
      depositText,
      e.requests.redeem === 0 ? "-" : `${e.requests.redeem}: ${amount(e.redeemShares, 18)} USSI`,
      s === undefined ? (total === 0 ? "-" : "waiting for the next report") : settledParts.length > 0 ? settledParts.join("; ") : "-",
      total === 0 ? "-" : `${e.claimed.count} of ${total}${claimedParts.length > 0 ? `: ${claimedParts.join(", ")}` : ""}`,
      funding,
      e.instant.count === 0 ? "-" : `${e.instant.count}: ${amount(e.instant.shares, 18)} USSI for ${usdc(e.instant.assets)}`,
    ];
  });
  return table(
    ["epoch", "settled by", "price (NAV / USSI)", "deposits requested", "redemptions requested", "settlement", "claimed", "redemptions funded", "instant redemptions"],
    rows,
    "epochs",
    ` data-epochs="${u.epochs.length}"`,
  );
}

async function ussiSection(u: UssiChainData | undefined, off: OffChainData, render: RenderSvg): Promise<string> {
  const out: string[] = [`<section id="USSI"><h2>USSI <small>delta-neutral MAG7, hedged with short perpetuals</small></h2>`];
  // {USDC base units} shown to the cent: scaled to 18 decimals and formatted like USD, without the sign
  const usdc = (x: bigint) => (u === undefined ? "" : `${usd(x * 10n ** BigInt(18 - u.usdcDecimals)).replace("$", "")} USDC`);
  if (u !== undefined) {
    const last = u.reports[u.reports.length - 1];
    const first = u.reports.find((r) => r.navPerToken > 0n);
    let fundingYield = "-";
    if (last !== undefined && first !== undefined && last.timestamp - first.timestamp < 86_400) {
      fundingYield = "- (the reports span less than a day)";
    } else if (last !== undefined && first !== undefined) {
      const years = (last.timestamp - first.timestamp) / (365 * 86_400);
      fundingYield = `${num((Math.log(wadToNumber(last.navPerToken) / wadToNumber(first.navPerToken)) / years) * 100)}% / year (NAV per token, ln, rounds ${first.round} to ${last.round})`;
    }
    const open = u.epochs.find((e) => e.epoch === u.currentEpoch);
    const openRequests = open === undefined ? 0 : open.requests.depositUsdc + open.requests.depositIndex + open.requests.redeem;
    const outstanding = u.redemptions.owed - u.redemptions.funded;
    const { maxNavChangeBps, instantCapBps, bufferTargetBps } = u.limits;
    out.push(
      cards([
        ["NAV per token", last === undefined ? "no report yet" : `${usd4(last.navPerToken)} <small>(round ${last.round}, valued ${h(utc(last.timestamp))})</small>`],
        ["NAV", last === undefined ? "-" : usd(last.nav)],
        ["supply", `${amount(u.totalSupply, 18)} USSI`],
        ["yield", fundingYield],
        ["NAV report", u.navFresh ? '<span class="state ok">fresh</span>' : '<span class="state bad">stale: instant redemption stops; requests settle at the next report</span>'],
        [
          "deposit requests",
          u.paused ? '<span class="state bad">paused</span>' : u.deltaBreachRound > 0 ? `<span class="state bad">paused by a delta breach (round ${u.deltaBreachRound})</span>` : '<span class="state ok">open</span>',
        ],
        ["open epoch", `${u.currentEpoch}: ${openRequests} request${openRequests === 1 ? "" : "s"}, settling at the next report's NAV per token`],
        ["liquid buffer", `${usdc(u.buffer.liquid)} of target ${usdc(u.buffer.target)} (${num(bufferTargetBps / 100)}% of NAV)`],
        ["instant redemption", `${usdc(u.buffer.instantCapacity)} left this epoch (cap ${num(instantCapBps / 100)}% of NAV per epoch, at the last NAV less ${maxNavChangeBps} bps)`],
        ["redemptions owed / funded", `${usdc(u.redemptions.owed)} / ${usdc(u.redemptions.funded)}${outstanding > 0n ? `, <span class="state bad">${usdc(outstanding)} outstanding</span>` : ", none outstanding"}`],
        ["held", `${usdc(u.buffer.usdcHeld)}, ${amount(u.buffer.mag7Held, 18)} MAG7.ssi; reserved for claims ${usdc(u.buffer.reserved)}`],
      ]),
      sourceLine(u.source),
    );
    if (u.reports.length >= 1) {
      const values = u.reports.map((r) => ({ time: new Date(r.timestamp * 1000).toISOString(), nav: wadToNumber(r.navPerToken) }));
      const spec = ussiNavChartSpec(values, "USSI NAV per token (accepted NAV reports)", "NAV per token (USD)");
      const span = u.reports[u.reports.length - 1]!.timestamp - u.reports[0]!.timestamp;
      const enc = spec["encoding"] as { x: Record<string, unknown> };
      // A short history needs the time on the axis: the sample chain's reports are seconds apart.
      const format = span < 86_400 ? "%H:%M:%S" : span < 60 * 86_400 ? "%Y-%m-%d %H:%M" : undefined;
      const x = format === undefined ? enc.x : { ...enc.x, axis: { format, labelOverlap: true } };
      out.push(await chart(render, "ussi-nav", { ...spec, mark: { type: "line", point: true }, encoding: { ...enc, x } }, u.source, `USSI NAV per token over ${u.reports.length} accepted reports, each the settlement price of its epoch`));
    }
    const settledCount = u.reports.filter((r) => r.settledEpoch !== undefined).length;
    out.push(
      `<h3>Epochs: requests settle at the next NAV</h3>`,
      `<p class="note">A deposit or redemption requested in epoch <i>e</i> settles when the next report is accepted, at that report's NAV per token, one price for the whole epoch; the requester claims afterwards. ` +
        `${u.requestCount} requests in all; ${settledCount} epochs settled (one per accepted report), those without a request or instant redemption are not listed. ` +
        `From the vault's Requested, EpochSettled, Claimed and Redeemed events and <code>epochInfo</code> at the block named above; a redemption epoch is funded once the cumulative USDC funded reaches what it and the epochs before it are owed.</p>`,
      epochsTable(u, usdc),
      `<h3>Last reports and their breakdown</h3>`,
      table(
        ["round", "valuation time", "settled epoch", "NAV", "NAV / token", "spot", "perp PnL", "funding", "cash", "net delta"],
        u.reports
          .slice(-8)
          .reverse()
          .map((r) => [
            String(r.round),
            utc(r.timestamp),
            r.settledEpoch === undefined ? "-" : String(r.settledEpoch),
            usd(r.nav),
            usd4(r.navPerToken),
            usd(r.spotValue),
            usd(r.perpPnl),
            usd(r.fundingAccrued),
            usd(r.nav - r.spotValue - r.perpPnl - r.fundingAccrued),
            `${r.netDeltaBps} bps`,
          ]),
        "num",
      ),
      `<p class="note">NavReported events; cash = NAV - spot - perp PnL - funding (the report's own terms, METHODOLOGY 6). ${u.reports.length > 8 ? `The last 8 of ${u.reports.length}.` : ""}</p>`,
      `<h3>Redemption funding and hedge events</h3>`,
      u.fulfilments.length === 0
        ? `<p class="note">No fulfilment yet (Fulfilled events).</p>`
        : table(
            ["block", "time", "from the buffer", "brought by the caller", "funded / owed (cumulative)"],
            u.fulfilments.map((f) => [String(f.block), utc(f.time), usdc(f.fromBuffer), usdc(f.assetsIn), `${usdc(f.funded)} / ${usdc(f.owed)}`]),
            "num",
          ),
      `<p class="note">Settlement funds what it can from the liquid buffer at once; <code>fulfil</code> funds the rest (Fulfilled events above). ` +
        (u.deltaEvents.length === 0 ? "No net-delta limit breach reported: the hedge stayed within the limit at every report." : "Net-delta limit events:") +
        `</p>`,
    );
    if (u.deltaEvents.length > 0) out.push(table(["block", "round", "event", "detail"], u.deltaEvents.map((d) => [String(d.block), String(d.round), d.kind, h(d.detail)])));
  } else out.push(`<p class="note">No USSI deployment on this chain.</p>`);

  out.push(`<h3>Funding backtest</h3>`);
  if (!off.ussiBacktest.ok) out.push(`<p class="note">Not available: ${h(off.ussiBacktest.reason)}</p>`);
  else {
    const { result, years } = off.ussiBacktest.value;
    const src = off.ussiBacktest.source;
    const values = dailySeries(result.series).map((p) => ({ time: formatIsoSecond(p.time), nav: wadToNumber(p.nav) }));
    out.push(
      `<p class="note">Funding only: constant prices, the SAMPLE MAG7 weights, 5% cash buffer, 2% drift tolerance, no fee or trading cost; each year a fresh $1,000,000 book. ` +
        `${formatIsoSecond(result.start).slice(0, 10)} to ${formatIsoSecond(result.end).slice(0, 10)}: annualised yield ${num(result.annualisedYield * 100)}%, volatility ${num(result.annualisedVolatility * 100)}%, maximum drawdown ${num(result.maxDrawdown * 100)}%, ${result.driftRebalances} hedge rebalances on drift, ${result.reconstitutions} monthly reconstitutions.</p>`,
      await chart(render, "ussi-backtest", ussiNavChartSpec(values, "USSI backtest NAV"), src, "USSI backtest NAV of a $1,000,000 book"),
      table(
        ["year", "days", "yield (ln)", "CAGR", "volatility", "max drawdown", "hedge rebalances", "funding"],
        years.map(({ year, result: r }) => [String(year), num((r.end - r.start) / 86_400, 1), `${num(r.annualisedYield * 100)}%`, `${num(r.cagr * 100)}%`, `${num(r.annualisedVolatility * 100)}%`, `${num(r.maxDrawdown * 100)}%`, String(r.driftRebalances), usd(r.totalFunding)]),
        "num",
      ),
      sourceLine(src),
    );
  }
  out.push(`</section>`);
  return out.join("\n");
}

/** Every source on the page, once. */
function sources(input: ReportInput): Source[] {
  const all: Source[] = [...input.ssi.map((p) => p.source)];
  if (input.sanx) all.push(input.sanx.source);
  if (input.ussi) all.push(input.ussi.source);
  const o = input.offChain;
  if (o.mvrv.ok) all.push(...o.mvrv.value.map((a) => a.source));
  if (o.sanxBacktest.ok) all.push(o.sanxBacktest.source);
  if (o.ussiBacktest.ok) all.push(o.ussiBacktest.source);
  for (const b of Object.values(o.ssiBacktest)) if (b.ok) all.push(b.source);
  const seen = new Set<string>();
  return all.filter((s) => {
    const k = sourceText(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The whole page. `step` is called once per section (progress). */
export async function renderReport(input: ReportInput, render: RenderSvg, step: (label: string) => void = () => undefined): Promise<string> {
  const srcs = sources(input);
  const sample = srcs.some((s) => s.sample);
  const sections: string[] = [];
  for (const p of input.ssi) {
    step(`page: ${p.symbol}`);
    sections.push(await ssiSection(p, input.offChain, render));
  }
  step("page: SANX");
  sections.push(await sanxSection(input.sanx, input.offChain, render));
  step("page: USSI");
  sections.push(await ussiSection(input.ussi, input.offChain, render));
  const nav = [...input.ssi.map((p) => [p.product, p.symbol]), ["SANX", "SANX"], ["USSI", "USSI"], ["sources", "Sources"]];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(input.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${h(input.title)}</h1>
<p>Generated ${h(utc(input.generatedAt))}.${sample ? ' <span class="sample">SAMPLE</span> Parts of this page are built from SAMPLE data (synthetic market, synthetic series): they show the machinery, not a market.' : ""}</p>
<nav aria-label="sections"><ul>${nav.map(([id, label]) => `<li><a href="#${h(id!)}">${h(label!)}</a></li>`).join("")}</ul></nav></header>
<main>
${input.notes.length > 0 ? `<aside class="note">${input.notes.map((n) => `<p>${h(n)}</p>`).join("")}</aside>` : ""}
${sections.join("\n")}
<section id="sources"><h2>Sources</h2><ul>${srcs.map((s) => `<li>${h(sourceText(s))}${s.sample ? ' <span class="sample">SAMPLE</span>' : ""}</li>`).join("")}</ul>
<p class="note">Chain numbers are read with views and events at the block named; USD values are at the PriceRegistry's Chainlink feeds, rounded down to the cent. Data-file numbers come from the files named (Coin Metrics Community Data, CC BY-NC 4.0, and exchange funding rates when real; <code>sample/</code> when SAMPLE).</p></section>
</main></body></html>
`;
}
