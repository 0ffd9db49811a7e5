/**
 * Demo section: SANX end to end on the in-process network, through the same code as the tasks
 * (tasks/lib/sanx-deploy.ts, chain/sanx.ts, chain/rebalance.ts): sanx:deploy (with the
 * SANX Rebalancer), signals computed from the SAMPLE MVRV series, signed and relayed in date order as
 * a keeper would, and at each due time `sanx:execute --rebalance`: the due actions executed, the new
 * targets pushed through the gate, and the vault TRADED to them on the local Uniswap V3 pools through
 * the Rebalancer and the shared adapter, within the oracle floors. Holdings (balance, value, weight)
 * are printed before and after every rebalance. At the end the red button stops an execution and the
 * trading while redemption still works.
 *
 * On the SAMPLE data the story is: ADD UNI (the reserve USDC buys UNI), REMOVE UNI (UNI's DANGER on
 * 2023-07-29 comes before AAVE's OPPORTUNITY: the basket goes back to the reserve), ADD AAVE, ADD COMP
 * (market-cap re-weight: AAVE sold into COMP), REMOVE AAVE (only AAVE sold, into COMP, the one member
 * left), and REMOVE COMP stopped by the red button, then executed once governance lifts it.
 *
 * The SAMPLE series end in 2024 and the chain's clock is today, so the demo replays them as recent
 * days: every sample date moves by the same number of days, chosen so that the first signal it
 * relays falls on the chain's current day. The delay is then real: the chain must reach each due day.
 */
import path from "node:path";
import type { Client } from "../../../chain/client";
import { IERC20__factory, MockAggregator__factory, Rebalancer__factory } from "../../../typechain-types";
import { TimelockController__factory, govCall, govern } from "../../../chain/governance";
import { refreshFeeds } from "../../../chain/market";
import { formatDay, parseDay } from "../../../src/lib/csv";
import { formatWadPercent } from "../../../src/methodology";
import { computeSignals } from "../../../src/mvrv/engine";
import { readMvrvCsv } from "../../../src/mvrv/csv";
import type { EventReport } from "../../../src/mvrv/engine";
import type { SignalZone } from "../../../src/sanx/signalReport";
import {
  connectSanx,
  describeRevert,
  executeDue,
  loadMarketCaps,
  pushSignals,
  readStatus,
  rebalanceSanx,
  signEvents,
  type ExecuteResult,
  type SanxContracts,
  type SanxRebalance,
} from "../../../chain/sanx";
import { deploySanx, type SanxRecord } from "../sanx-deploy";
import { fmtAmount, fmtPct, fmtUsd } from "../../../chain/rebalance";
import { executeMint, executeRedeem, faucet, formatUnitsExact, planMint, planRedeem } from "../../../chain/ssi";
import type { DeploymentRecord } from "../../../chain/deployment";
import type { Printer } from "./context";
import { requireDeployment, type DemoContext, type DemoSection } from "./context";

const WAD = 10n ** 18n;
const DAY = 86_400n;
const SAMPLE = path.join(__dirname, "..", "..", "..", "sample");
const SYMBOLS = ["UNI", "AAVE", "COMP"];
/** SANX Alice mints (at $100 a share: $5,000, below the SANX Rebalancer's $10k per-trade cap). */
const MINT = 50n;
const REDEEM = 20n;

type SignalEvent = EventReport & { zone: SignalZone };

async function chainDay(client: Client): Promise<bigint> {
  return BigInt((await client.provider.getBlock("latest"))!.timestamp) / DAY;
}

/** Moves the chain to `ts` (evm_increaseTime + one mined block) and re-posts every mock feed's answer. */
async function travelTo(client: Client, record: DeploymentRecord, ts: bigint): Promise<void> {
  const now = BigInt((await client.provider.getBlock("latest"))!.timestamp);
  if (ts > now) {
    await client.provider.send("evm_increaseTime", [Number(ts - now)]);
    await client.provider.send("hardhat_mine", ["0x1"]);
  }
  const [deployer] = await client.signers();
  const pending = [];
  for (const t of Object.values(record.tokens)) {
    if (t.feedKind !== "mock") continue;
    const feed = MockAggregator__factory.connect(t.feed, deployer);
    pending.push(await feed.updateAnswer(await feed.latestAnswer()));
  }
  await Promise.all(pending.map((tx) => tx.wait()));
}

function describeExecute(r: ExecuteResult): string[] {
  if (r.paused) return [`red button pressed: nothing executed (${r.notDue.filter((p) => p.due).length} due)`];
  const out = r.executed.map((e) => `executed ${e.kind} ${e.symbol} (signal ${e.signalDate}, due ${e.dueIso})`);
  if (r.weights) {
    out.push(`targets (${r.weights.kind}) round ${r.weights.round} through the gate: ${r.weights.targets.map((t) => `${t.asset} ${formatWadPercent(t.weight, 2)}`).join(" · ")}`);
  }
  if (out.length === 0) {
    const next = r.notDue[0];
    out.push(`nothing due${next ? `; next: ${next.kind} ${next.symbol} at ${next.dueIso}` : ""}`);
  }
  return out;
}

/** The vault's holdings by symbol: balance {tok}, value {1e18 USD} at the feeds, and NAV. */
interface Holdings {
  nav: bigint;
  rows: Map<string, { balance: bigint; value: bigint; decimals: number }>;
}

async function holdings(client: Client, c: SanxContracts, symbols: readonly { symbol: string; address: string; decimals: number }[]): Promise<Holdings> {
  const rows = new Map<string, { balance: bigint; value: bigint; decimals: number }>();
  const vault = await c.vault.getAddress();
  let nav = 0n;
  for (const t of symbols) {
    const balance = await IERC20__factory.connect(t.address, client.provider).balanceOf(vault);
    const [price, dec] = await c.registry.priceAndDecimals(t.address);
    const value = (balance * price) / 10n ** dec; // rounded down
    rows.set(t.symbol, { balance, value, decimals: t.decimals });
    nav += value;
  }
  return { nav, rows };
}

/** One table: every token held before or after, with balance, value and weight on both sides, and the target. */
function printHoldings(print: Printer, before: Holdings, after: Holdings, targets: Map<string, bigint>): void {
  const weight = (h: Holdings, v: bigint) => (h.nav === 0n ? 0n : (v * WAD) / h.nav); // {WAD} rounded down
  const rows: (string | number)[][] = [];
  for (const [sym, b] of before.rows) {
    const a = after.rows.get(sym)!;
    if (b.balance === 0n && a.balance === 0n && !targets.has(sym)) continue;
    rows.push([
      sym,
      fmtAmount(b.balance, b.decimals), fmtUsd(b.value), fmtPct(weight(before, b.value)),
      fmtAmount(a.balance, a.decimals), fmtUsd(a.value), fmtPct(weight(after, a.value)),
      fmtPct(targets.get(sym) ?? 0n),
    ]);
  }
  rows.push(["NAV", "", fmtUsd(before.nav), "", "", fmtUsd(after.nav), "", ""]);
  print.table(["token", "balance before", "value", "weight", "balance after", "value", "weight", "target"], rows);
}

function describeTrades(r: SanxRebalance, decimalsOf: (sym: string) => number): string[] {
  if (r.status === "skipped") return [`rebalance skipped: ${r.reason}`];
  const result = r.json.result as { executed: { symbolIn: string; symbolOut: string; amountIn: string; amountOut: string; minAmountOut: string }[] } | undefined;
  if (result === undefined) return [`rebalance: ${r.status}`];
  if (result.executed.length === 0) return [`rebalance ${r.status}: no trade needed`];
  return result.executed.map(
    (t) =>
      `trade ${t.symbolIn} -> ${t.symbolOut}: ${fmtAmount(BigInt(t.amountIn), decimalsOf(t.symbolIn))} ${t.symbolIn} for ${fmtAmount(BigInt(t.amountOut), decimalsOf(t.symbolOut))} ${t.symbolOut} ` +
      `(oracle floor ${fmtAmount(BigInt(t.minAmountOut), decimalsOf(t.symbolOut))})`,
  );
}

export const sanxSection: DemoSection = {
  name: "SANX (MVRV signals -> membership -> targets -> trades on the pools)",
  async run(ctx: DemoContext) {
    const { hre, client, print, signers } = ctx;
    const { alice, guardian, deployer } = signers;
    requireDeployment(ctx);
    const summary: string[] = [];

    print.heading("SANX 1. Deploy (sanx:deploy): SignalOracle, SanxController, SanxBasket gate, SANX IndexVault, its Rebalancer");
    const record: SanxRecord = await deploySanx(hre, { log: (l) => print.line(`  ${l}`) });
    ctx.deployment = record;
    const c: SanxContracts = await connectSanx(client, { signalOracle: record.sanx.signalOracle, basket: record.sanx.basket });
    const caps = loadMarketCaps({ dataDir: SAMPLE });
    const first = await executeDue(client, c, caps);
    print.line(`  empty basket: ${describeExecute(first).join("; ")} (the reserve asset)`);
    const vault = c.vault.connect(alice);
    await faucet(client, record, alice.address, 100_000n, deployer);
    const mintLegs = await planMint(record, vault, alice, MINT * WAD);
    await executeMint(vault, alice, MINT * WAD, alice.address, mintLegs);
    print.line(`  Alice mints ${MINT} SANX in kind at the reserve target: paid ${mintLegs.map((l) => `${formatUnitsExact(l.amount, l.decimals)} ${l.symbol}`).join(", ")}`);
    const tokenOf = (sym: string) => record.tokens[record.assets[sym]!]!;
    const shown = [record.sanx.reserve, ...SYMBOLS].map((symbol) => ({ symbol, address: tokenOf(symbol).address, decimals: tokenOf(symbol).decimals }));
    const decimalsOf = (sym: string) => tokenOf(sym).decimals;
    const targetsNow = async () => {
      const [, tokens, weights] = await c.vault.targets();
      const bySym = new Map(shown.map((t) => [t.address, t.symbol]));
      return new Map(tokens.map((t, i) => [bySym.get(t) ?? t, weights[i]!]));
    };

    print.heading("SANX 2. Signals from sample/mvrv (SAMPLE data, METHODOLOGY section 4, default parameters)");
    const events = new Map<string, SignalEvent[]>();
    for (const s of SYMBOLS) {
      const report = computeSignals(readMvrvCsv(path.join(SAMPLE, "mvrv", `${s.toLowerCase()}.csv`)));
      events.set(s, report.events.filter((e): e is SignalEvent => e.zone !== "NEUTRAL"));
    }
    print.table(
      ["asset", "signals (sample dates)"],
      SYMBOLS.map((s) => [s, events.get(s)!.map((e) => `${e.date} ${e.zone === "OPPORTUNITY" ? "OPP" : "DANGER"}`).join(", ")]),
    );
    const byDay = (e: { event: SignalEvent }) => parseDay(e.event.date, "sample");
    const all = SYMBOLS.flatMap((s) => events.get(s)!.map((event) => ({ symbol: s, event })));
    all.sort((a, b) => byDay(a) - byDay(b) || (a.symbol < b.symbol ? -1 : 1));
    const start = all.findIndex((e) => e.event.zone === "OPPORTUNITY");
    const replay = all.slice(start);
    const shift = Number(await chainDay(client)) - byDay(replay[0]!);
    print.line(`replayed as recent days: sample dates + ${shift} days (so ${replay[0]!.event.date} is the chain's today, ${formatDay(byDay(replay[0]!) + shift)})`);

    // == The keeper at a due time: sanx:execute --rebalance (holdings before and after) ==
    let actions = 0;
    const executeAndRebalance = async (dueIso: string) => {
      const before = await holdings(client, c, shown);
      const r = await executeDue(client, c, caps);
      print.line(`${dueIso} sanx:execute --rebalance:`);
      for (const l of describeExecute(r)) print.line(`  ${l}`);
      const rb: SanxRebalance = r.paused ? { status: "skipped", reason: "the red button is pressed: no trading" } : await rebalanceSanx(client, c, { json: true });
      for (const l of describeTrades(rb, decimalsOf)) print.line(`  ${l}`);
      const after = await holdings(client, c, shown);
      printHoldings(print, before, after, await targetsNow());
      actions += r.executed.length;
      for (const e of r.executed) {
        const traded = rb.status === "skipped" ? [] : ((rb.json.result as { executed: { symbolIn: string; symbolOut: string }[] } | undefined)?.executed ?? []);
        const pairs = [...new Set(traded.map((t) => `${t.symbolIn}->${t.symbolOut}`))].join(", ") || "none";
        summary.push(`${e.kind} ${e.symbol} (signal ${e.signalDate}): traded ${pairs}; NAV ${fmtUsd(before.nav)} -> ${fmtUsd(after.nav)}`);
      }
      return { r, rb };
    };
    /** Executes (and trades) every action due on or before `ts`, one due time after the other. */
    const runDueUntil = async (ts: bigint) => {
      for (;;) {
        const next = (await readStatus(client, c)).pending.filter((p) => BigInt(p.dueAt) <= ts).sort((a, b) => a.dueAt - b.dueAt)[0];
        if (next === undefined) return;
        await travelTo(client, record, BigInt(next.dueAt));
        await executeAndRebalance(next.dueIso);
      }
    };

    print.heading("SANX 3. Every signal relayed in date order (sanx:push-signals); at each due time sanx:execute --rebalance trades on the pools");
    const assetOf = (sym: string) => tokenOf(sym).address;
    for (const e of replay) {
      const day = BigInt(byDay(e) + shift);
      await runDueUntil(day * DAY); // a due action executes at the start of its day, before that day's signals
      await travelTo(client, record, day * DAY);
      const file = await signEvents(client, c, [{ ...e, asset: assetOf(e.symbol) }], shift);
      const [r] = await pushSignals(client, c, file, alice); // anyone may relay a signed signal
      print.line(`${r!.date} ${e.symbol} ${e.event.zone} (sample ${e.event.date}), relayed by Alice: ${r!.outcome}: ${r!.detail}`);
    }

    print.heading("SANX 4. The red button: an action is due, the guardian pauses; execution and trading stop, redemption works");
    const pending = (await readStatus(client, c)).pending;
    const last = pending[0]!;
    await (await c.controller.connect(guardian).pause()).wait();
    await (await c.vault.connect(guardian).pause()).wait();
    print.line(`guardian pressed the red button on the SanxController and paused the SANX vault (pending: ${pending.map((p) => `${p.kind} ${p.symbol} due ${p.dueIso}`).join(", ")})`);
    await travelTo(client, record, BigInt(last.dueAt));
    await executeAndRebalance(last.dueIso);
    let refused = "executed anyway (unexpected)";
    try {
      await c.controller.connect(alice).execute.staticCall(last.asset);
    } catch (e) {
      refused = `refused (${c.controller.interface.parseError((e as { data: string }).data)?.name ?? (e as Error).message})`;
    }
    print.line(`Alice calls execute(${last.symbol}) directly: ${refused}`);
    let tradeRefused = "opened anyway (unexpected)";
    const rebalancer = Rebalancer__factory.connect(record.sanx.rebalancer, signers.keeper);
    try {
      await rebalancer.openRebalance.staticCall();
    } catch (e) {
      tradeRefused = `refused (${describeRevert([rebalancer, c.vault], e)})`;
    }
    print.line(`the keeper calls Rebalancer.openRebalance directly: ${tradeRefused}`);
    let mintRefused = "minted anyway (unexpected)";
    try {
      await planMint(record, vault, alice, WAD);
    } catch (e) {
      mintRefused = `refused: ${(e as Error).message}`;
    }
    print.line(`Alice tries to mint 1 SANX: ${mintRefused}`);
    const redeemLegs = await planRedeem(record, vault, alice, REDEEM * WAD, "SANX");
    await executeRedeem(vault, alice, REDEEM * WAD, alice.address, redeemLegs);
    print.line(`Alice redeems ${REDEEM} SANX while paused: received ${redeemLegs.map((l) => `${formatUnitsExact(l.amount, l.decimals)} ${l.symbol}`).join(", ")}`);
    const s = await readStatus(client, c);
    print.table(
      ["members", "targets (round)", "pending", "controller", "vault"],
      [[
        s.members.map((m) => m.symbol).join(", ") || `none (${s.reserve.symbol})`,
        `${s.targets.entries.map((e) => `${e.symbol} ${formatWadPercent(BigInt(e.weight), 2)}`).join(" · ")} (${s.targets.round})`,
        s.pending.map((p) => `${p.kind} ${p.symbol} due ${p.dueIso}${p.due ? " (due)" : ""}`).join(", ") || "none",
        s.paused.controller ? "PAUSED" : "live",
        s.paused.vault ? "PAUSED (redeem open)" : "live",
      ]],
    );
    summary.push(`red button: ${last.kind} ${last.symbol} due but neither executed nor traded while paused; mint refused; Alice redeemed ${REDEEM} SANX`);

    print.heading(`SANX 5. Governance lifts the red button; the waiting ${last.kind} ${last.symbol} executes and trades`);
    // Through SANX's admin timelock: queued, visible for its delay, then executed (one batch).
    const timelock = TimelockController__factory.connect(record.sanx.admin!, deployer);
    const lift = [await govCall(c.controller, "unpause", []), await govCall(c.vault, "unpause", [])];
    await (await govern(timelock, lift, { beforeExecute: () => refreshFeeds(deployer, record as never) })).wait();
    print.line(`the unpause was queued on SANX's timelock ${record.sanx.admin} and executed after its ${(await timelock.getMinDelay()) / 3600n} h delay`);
    const now = BigInt((await client.provider.getBlock("latest"))!.timestamp);
    await executeAndRebalance(new Date(Number(now) * 1000).toISOString().replace(".000Z", "Z"));
    summary.push(`${actions} actions executed and traded; supply now ${formatUnitsExact(await c.vault.totalSupply(), 18)} SANX`);
    ctx.summary.push({ section: this.name, lines: summary });
  },
};
