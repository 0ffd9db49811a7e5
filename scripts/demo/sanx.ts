/**
 * Demo section: SANX end to end on the in-process network, through the same code as the tasks
 * (tasks/lib/sanx-deploy.ts, tasks/lib/sanx-chain.ts): sanx:deploy, signals computed from the SAMPLE
 * MVRV series, signed and pushed, one ADD and one REMOVE executed after the 3-day delay (time travel),
 * the weights pushed through the gate to the SANX IndexVault, and the red button stopping an
 * execution while redemption still works.
 *
 * The SAMPLE series end in 2024 and the chain's clock is today, so the demo replays them as recent
 * days: every sample date moves by the same number of days, chosen so that the first signal it
 * relays falls on the chain's current day. The delay is then real: the chain must reach each due day.
 */
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MockAggregator__factory } from "../../typechain-types";
import { formatDay, parseDay } from "../../src/lib/csv";
import { formatWadPercent } from "../../src/methodology";
import { computeSignals } from "../../src/mvrv/engine";
import { readMvrvCsv } from "../../src/mvrv/csv";
import type { EventReport } from "../../src/mvrv/engine";
import type { SignalZone } from "../../src/sanx/signalReport";
import { connectSanx, executeDue, loadMarketCaps, pushSignals, readStatus, signEvents, type ExecuteResult, type SanxContracts } from "../../tasks/lib/sanx-chain";
import { deploySanx } from "../../tasks/lib/sanx-deploy";
import { executeMint, executeRedeem, faucet, formatUnitsExact, planMint, planRedeem } from "../../tasks/lib/ssi-chain";
import type { DeploymentRecord } from "../../tasks/lib/deployment";
import { requireDeployment, type DemoContext, type DemoSection } from "./context";

const WAD = 10n ** 18n;
const DAY = 86_400n;
const SAMPLE = path.join(__dirname, "..", "..", "sample");
const SYMBOLS = ["UNI", "AAVE", "COMP"];
const MINT = 10n;
const REDEEM = 4n;

type SignalEvent = EventReport & { zone: SignalZone };

async function chainDay(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  return BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) / DAY;
}

/** Moves the chain to `ts` (evm_increaseTime + one mined block) and re-posts every mock feed's answer. */
async function travelTo(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, ts: bigint): Promise<void> {
  const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
  if (ts > now) {
    await hre.network.provider.send("evm_increaseTime", [Number(ts - now)]);
    await hre.network.provider.send("hardhat_mine", ["0x1"]);
  }
  const [deployer] = await hre.ethers.getSigners();
  for (const t of Object.values(record.tokens)) {
    if (t.feedKind !== "mock") continue;
    const feed = MockAggregator__factory.connect(t.feed, deployer);
    await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  }
}

function describeExecute(r: ExecuteResult): string[] {
  if (r.paused) return [`red button pressed: nothing executed (${r.notDue.filter((p) => p.due).length} due)`];
  const out = r.executed.map((e) => `executed ${e.kind} ${e.symbol} (signal ${e.signalDate}, due ${e.dueIso})`);
  if (r.weights) {
    out.push(`weights (${r.weights.kind}) round ${r.weights.round} through the gate: ${r.weights.targets.map((t) => `${t.asset} ${formatWadPercent(t.weight, 2)}`).join(" · ")}`);
  }
  if (out.length === 0) {
    const next = r.notDue[0];
    out.push(`nothing due${next ? `; next: ${next.kind} ${next.symbol} at ${next.dueIso}` : ""}`);
  }
  return out;
}

export const sanxSection: DemoSection = {
  name: "SANX (MVRV signals -> membership -> SANX IndexVault targets)",
  async run(ctx: DemoContext) {
    const { hre, print, signers } = ctx;
    const { alice, guardian, deployer } = signers;
    const base = requireDeployment(ctx);
    const summary: string[] = [];

    print.heading("SANX 1. Deploy (sanx:deploy): SignalOracle, SanxController, SanxBasket gate, SANX IndexVault");
    const record = await deploySanx(hre, { log: (l) => print.line(`  ${l}`) });
    ctx.deployment = record;
    const c: SanxContracts = await connectSanx(hre, { signalOracle: record.sanx.signalOracle, basket: record.sanx.basket });
    const caps = loadMarketCaps({ dataDir: SAMPLE });
    const first = await executeDue(hre, c, caps);
    print.line(`  empty basket: ${describeExecute(first).join("; ")} (the reserve asset)`);

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
    // The story: the first OPPORTUNITY overall (an ADD), that asset's first DANGER after the ADD is
    // executed (a REMOVE), and another asset's OPPORTUNITY (an ADD the red button stops).
    const all = SYMBOLS.flatMap((s) => events.get(s)!.map((event) => ({ symbol: s, event })));
    const byDay = (e: { event: SignalEvent }) => parseDay(e.event.date, "sample");
    all.sort((a, b) => byDay(a) - byDay(b));
    const add = all.find((e) => e.event.zone === "OPPORTUNITY")!;
    const remove = all.find((e) => e.symbol === add.symbol && e.event.zone === "DANGER" && byDay(e) >= byDay(add) + Number(record.sanx.delayDays))!;
    const later = all.find((e) => e.symbol !== add.symbol && e.event.zone === "OPPORTUNITY" && byDay(e) > byDay(remove))!;
    const shift = Number(await chainDay(hre)) - byDay(add);
    const assetOf = (sym: string) => record.tokens[record.assets[sym]!]!.address;
    print.line(`replayed as recent days: sample dates + ${shift} days (so ${add.event.date} is the chain's today, ${formatDay(byDay(add) + shift)})`);

    const relay = async (e: { symbol: string; event: SignalEvent }) => {
      const day = BigInt(byDay(e) + shift);
      await travelTo(hre, record, day * DAY);
      const file = await signEvents(hre, c, [{ ...e, asset: assetOf(e.symbol) }], shift);
      const [r] = await pushSignals(hre, c, file, alice); // anyone may relay a signed signal
      print.line(`${e.symbol} ${e.event.zone} (sample ${e.event.date}, relayed as ${r!.date}, ${file.signals[0]!.signatures.length} signatures, relayed by Alice): ${r!.outcome}: ${r!.detail}`);
      return day;
    };

    print.heading(`SANX 3. ADD ${add.symbol}: signal, 3-day delay, execute (sanx:push-signals, sanx:execute)`);
    const addDay = await relay(add);
    print.line(`sanx:execute right away: ${describeExecute(await executeDue(hre, c, caps)).join("; ")}`);
    await travelTo(hre, record, (addDay + BigInt(record.sanx.delayDays)) * DAY);
    print.line(`time travel to ${formatDay(Number(addDay) + record.sanx.delayDays)} 00:00 UTC (evm_increaseTime)`);
    for (const l of describeExecute(await executeDue(hre, c, caps))) print.line(`sanx:execute: ${l}`);
    const vault = c.vault.connect(alice);
    await faucet(hre, record, alice.address, 1_000_000n, deployer);
    const mintLegs = await planMint(record, vault, alice, MINT * WAD);
    await executeMint(vault, alice, MINT * WAD, alice.address, mintLegs);
    print.line(`Alice mints ${MINT} SANX in kind: paid ${mintLegs.map((l) => `${formatUnitsExact(l.amount, l.decimals)} ${l.symbol}`).join(", ")}`);
    summary.push(`ADD ${add.symbol}: signal ${add.event.date} (sample), executed after the ${record.sanx.delayDays}-day delay; targets ${add.symbol} 100%; Alice minted ${MINT} SANX`);

    print.heading(`SANX 4. REMOVE ${remove.symbol}: DANGER, delay, execute; the basket goes back to the reserve`);
    const removeDay = await relay(remove);
    await travelTo(hre, record, (removeDay + BigInt(record.sanx.delayDays)) * DAY);
    for (const l of describeExecute(await executeDue(hre, c, caps))) print.line(`sanx:execute: ${l}`);
    print.line("(the vault still holds what Alice paid in: trading to the new targets is the rebalancing keeper's job)");
    summary.push(`REMOVE ${remove.symbol}: signal ${remove.event.date} (sample), executed after the delay; targets ${record.sanx.reserve} 100% (reserve)`);

    print.heading(`SANX 5. The red button: an ADD ${later.symbol} is due, the guardian pauses; redemption still works`);
    const laterDay = await relay(later);
    await (await c.controller.connect(guardian).pause()).wait();
    await (await c.vault.connect(guardian).pause()).wait();
    print.line("guardian pressed the red button on the SanxController and paused the SANX vault");
    await travelTo(hre, record, (laterDay + BigInt(record.sanx.delayDays)) * DAY);
    print.line(`sanx:execute at the due time: ${describeExecute(await executeDue(hre, c, caps)).join("; ")}`);
    let refused = "executed anyway (unexpected)";
    try {
      await c.controller.connect(alice).execute.staticCall(assetOf(later.symbol));
    } catch (e) {
      refused = `refused (${c.controller.interface.parseError((e as { data: string }).data)?.name ?? (e as Error).message})`;
    }
    print.line(`Alice calls execute(${later.symbol}) directly: ${refused}`);
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
    const s = await readStatus(hre, c);
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
    summary.push(`red button: ADD ${later.symbol} due but not executed while paused; mint refused; Alice redeemed ${REDEEM} SANX (supply now ${formatUnitsExact(await c.vault.totalSupply(), 18)})`);

    print.heading("SANX 6. Governance lifts the red button; the waiting ADD goes through");
    await (await c.controller.connect(deployer).unpause()).wait();
    await (await c.vault.connect(deployer).unpause()).wait();
    for (const l of describeExecute(await executeDue(hre, c, caps))) print.line(`sanx:execute: ${l}`);
    summary.push(`after governance unpaused: ADD ${later.symbol} executed, targets ${later.symbol} 100%`);
    ctx.summary.push({ section: this.name, lines: summary });
  },
};
