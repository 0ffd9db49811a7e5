/**
 * A catch-up run over more than a year of simulated days for all five products (issue 10), on the
 * in-process network with the SAMPLE market and data: one tick a day (time travel), the minimal
 * sequential driver sending every step each due Work yields. At the end every index is current, a
 * second pass (and a second keeper instance) sends nothing, and each piece of work landed once.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { IndexVault__factory, Rebalancer__factory, SanxController__factory, SignalOracle__factory, UssiVault__factory, WeightOracle__factory } from "../../typechain-types";
import { computeSignals } from "../../src/mvrv/engine";
import { formatDay } from "../../src/lib/csv";
import { loadSanxData } from "../../src/sanx/data";
import { nothingToTrade, planRebalance } from "../../chain/rebalance";
import { tokensForSymbols } from "../../chain/deployment";
import { determinationDate, monthKey, nextMonthStart } from "../../keeper/products/common";
import { buildProductKeepers } from "../../keeper/products";
import { DAY, SAMPLE, faucetAlice, hardhatClient, keeperStackFixture, keepers, mintShares, recordingLogger, sampleConfig, settle, travelTo, type Counts } from "./fixtures";

const SSI = ["MAG7", "MEME", "DEFI"] as const;
const DAYS = Number(process.env.KEEPER_CATCHUP_DAYS ?? 370);
/** sample/universe.json and universe-next.json copied with the given dates. */
function datedUniverses(dates: readonly [string, string]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "keeper-universe-"));
  return (["universe.json", "universe-next.json"] as const).map((f, i) => {
    const u = JSON.parse(readFileSync(path.join(SAMPLE, f), "utf8")) as { date: string };
    const out = path.join(dir, f);
    writeFileSync(out, JSON.stringify({ ...u, date: dates[i] }));
    return out;
  });
}
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

describe("keeper products: a catch-up year for MAG7, MEME, DEFI, SANX and USSI", function () {
  this.timeout(900_000);

  it(`keeps every index current over ${DAYS} simulated days, each piece of work once, and a second pass sends nothing`, async function () {
    const tf = Date.now();
    const stack = await loadFixture(keeperStackFixture);
    if (process.env.KEEPER_TIMING) console.log(`fixture ${(Date.now() - tf) / 1000} s`);
    const { record } = stack;
    const sanx = (record as unknown as { sanx: { vault: string; rebalancer: string; signalOracle: string; controller: string; universe: string[] } }).sanx;
    const ussi = (record as unknown as { ussi: { vault: string } }).ussi;
    const start = BigInt(await time.latest());
    const startDay = Number(start / DAY);
    const shift = startDay - dayOf("2023-03-01"); // the SAMPLE MVRV series replayed from 2023-03-01
    // The two SAMPLE month-ends placed at this run's first two determination dates (the month-2 file
    // changes MEME's and DEFI's members), then standing for every later month (latestOnOrBefore).
    const files = datedUniverses([determinationDate(start), determinationDate(nextMonthStart(start))]);
    const data = { kind: "universe-files", files, latestOnOrBefore: true } as const;
    const config = sampleConfig({ MAG7: { data }, MEME: { data }, DEFI: { data }, SANX: { shiftDays: shift } } as never);
    const log = recordingLogger();
    const ks = keepers(stack, config, log);
    const counts: Counts = new Map();
    if (process.env.KEEPER_TIMING) console.log(`start day ${formatDay(startDay)}, shift ${shift}`);

    // Day 0: the first weights of every product, SANX's reserve targets, USSI's inception report.
    await settle(ks, stack.keeper, counts);
    // Holders arrive: shares in every index vault (paid in kind at the targets).
    await faucetAlice(stack, 2_000_000n);
    for (const p of SSI) await mintShares(stack, record.products[p]!.vault, 100n);
    await mintShares(stack, sanx.vault, 50n);

    const months = new Set<string>([monthKey(start)]);
    const t0 = Date.now();
    for (let d = 1; d <= DAYS; d++) {
      const ts = start + BigInt(d) * DAY;
      months.add(monthKey(ts));
      const a = Date.now();
      await travelTo(stack, ts);
      const b = Date.now();
      const n = await settle(ks, stack.keeper, counts);
      if (process.env.KEEPER_TIMING) console.log(`day ${d}: travel ${b - a} ms, settle ${Date.now() - b} ms, ${n} tx`);
    }
    const elapsed = (Date.now() - t0) / 1000;
    if (process.env.KEEPER_TIMING) for (const m of new Set(log.lines.filter((l) => l.level !== "info" || l.msg.startsWith("SANX")).map((l) => `${l.level} ${l.msg}`))) console.log(m);
    const end = BigInt(await time.latest());
    const endDay = Number(end / DAY);

    // == Every index is current ==
    const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, hre.ethers.provider);
    for (const p of SSI) {
      const vault = IndexVault__factory.connect(record.products[p]!.vault, hre.ethers.provider);
      expect(await oracle.lastRound(vault), `${p} oracle round = months`).to.equal(BigInt(months.size));
      const [round] = await vault.targets();
      expect(round).to.equal(BigInt(months.size));
      await expectBasketCurrent(p, round);
    }
    async function expectBasketCurrent(p: (typeof SSI)[number] | "SANX", round: bigint) {
      const rebalancer = Rebalancer__factory.connect(p === "SANX" ? sanx.rebalancer : record.products[p]!.rebalancer!, hre.ethers.provider);
      const [completed, open] = await rebalancer.window();
      expect(open, `${p}: no window left open`).to.equal(0n);
      if (completed !== round) {
        // As ssi:rebalance: a round that needs no trade sends nothing (the basket already is the targets, within tolerance).
        const plan = await planRebalance(hardhatClient(), record, p);
        expect(nothingToTrade(plan), `${p} round ${round} (completed ${completed}) still needs trades`).to.equal(true);
      }
    }
    // MEME's month-2 universe changes its members (BRETT in, FARTCOIN out): that round was traded and completed.
    const memeCompleted = (await Rebalancer__factory.connect(record.products.MEME!.rebalancer!, hre.ethers.provider).window())[0];
    expect(memeCompleted).to.be.greaterThanOrEqual(2n);

    // SANX: every sample signal dated within the run was relayed or is one the controller would ignore.
    const signalOracle = SignalOracle__factory.connect(sanx.signalOracle, hre.ethers.provider);
    const controller = SanxController__factory.connect(sanx.controller, hre.ethers.provider);
    const assets = new Map(sanx.universe.map((s, i) => [s.toUpperCase(), tokensForSymbols(record, sanx.universe)[i]!]));
    let relayed = 0;
    let expected = 0;
    for (const a of loadSanxData(SAMPLE).assets) {
      for (const e of computeSignals(a.mvrv).events) {
        if (e.zone !== "OPPORTUNITY" && e.zone !== "DANGER") continue;
        const day = dayOf(e.date) + shift;
        if (day < startDay || day > endDay - 1) continue;
        expected++;
        if (await signalOracle.isRelayed(assets.get(a.symbol)!, day)) relayed++;
        else expect(log.lines.some((l) => l.msg.includes(`SANX ${a.symbol} ${e.zone} of ${formatDay(day)}: not sent`) || l.msg.includes(`SANX ${a.symbol} ${e.zone} of ${formatDay(day)} not sent`)), `${a.symbol} ${e.zone} ${e.date}: neither relayed nor skipped`).to.equal(true);
      }
    }
    expect(expected).to.be.greaterThan(3);
    expect(relayed).to.be.greaterThan(2);
    const signalKeys = [...counts.keys()].filter((k) => k.startsWith("SANX/signals/"));
    expect(signalKeys.reduce((a, k) => a + counts.get(k)!, 0), "signal transactions = signals on chain").to.equal(relayed);
    const lastSignalDay = Math.max(...signalKeys.map((k) => dayOf(k.slice("SANX/signals/".length))));
    expect(lastSignalDay).to.be.lessThanOrEqual(endDay - 1);
    const actions = [...counts.keys()].filter((k) => k.startsWith("SANX/action/"));
    expect(actions.length, "SANX actions executed").to.be.greaterThan(1);
    for (const u of assets.values()) {
      const [kind, dueAt] = await controller.pending(u);
      if (kind !== 0n) expect(dueAt, "no due action left unexecuted").to.be.greaterThan(end);
    }
    const sanxVault = IndexVault__factory.connect(sanx.vault, hre.ethers.provider);
    const sanxRound = (await sanxVault.targets())[0];
    expect(sanxRound).to.be.greaterThan(1n);
    await expectBasketCurrent("SANX", sanxRound);

    // USSI: the NAV is at most a day old, and every report is the keeper's, one per epoch.
    const uv = UssiVault__factory.connect(ussi.vault, hre.ethers.provider);
    const last = await uv.lastAcceptedReport();
    expect(end - last.timestamp).to.be.lessThanOrEqual(DAY);
    const navKeys = [...counts.keys()].filter((k) => k.startsWith("USSI/nav/"));
    expect(BigInt(navKeys.length)).to.equal(last.round);

    // == Each piece of work landed once ==
    for (const [key, n] of counts) {
      if (key.includes("/rebalance/")) expect(n, key).to.be.greaterThanOrEqual(2); // open, batches, close
      else if (!key.startsWith("SANX/signals/")) expect(n, `${key} sent ${n} transactions`).to.equal(1);
    }
    for (const p of SSI) expect([...counts.keys()].filter((k) => k.startsWith(`${p}/weights/`)).length).to.equal(months.size);
    // The monthly fee claim of every index vault: every month once shares exist (from the first day).
    for (const p of [...SSI, "SANX"]) expect([...counts.keys()].filter((k) => k.startsWith(`${p}/fees/`)).length, `${p} fee claims`).to.equal(months.size);

    // == A second pass over the same time, and a second keeper instance, send nothing ==
    expect(await settle(ks, stack.keeper, new Map())).to.equal(0);
    expect(await settle(keepers(stack, config), stack.keeper, new Map())).to.equal(0);
    // == An idle tick is a handful of reads per product (no read per token) ==
    // A keeper instance over a provider that counts every request (call, getLogs, getBlock...); the first
    // tick warms what it may remember (the accepted rounds' block times, the log cursors, no-trade rounds).
    let n = 0;
    const base = hardhatClient();
    const counted = new Proxy(base.provider, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== "function" || !["call", "getBlock", "getBlockNumber", "getLogs", "send", "getStorage", "getCode", "getBalance"].includes(String(prop))) return typeof v === "function" ? v.bind(target) : v;
        return (...args: unknown[]) => ((n += 1), v.apply(target, args));
      },
    });
    const countingKeepers = buildProductKeepers({ ...base, provider: counted }, record, config, recordingLogger());
    const perProduct: string[] = [];
    let total = 0;
    for (const k of countingKeepers) {
      // A fresh instance plans a round that needs no trade once (nothing sent) and then remembers it.
      for (const w of await k.due(end)) expect(await w.nextStep(), w.key).to.equal(undefined);
      n = 0;
      expect(await k.due(end)).to.deep.equal([]);
      perProduct.push(`${k.product} ${n}`);
      total += n;
      // SANX reads a few more: the gate, the controller, the action log, and the recent days' signals (5 reads each).
      expect(n, `${k.product}: RPC requests of an idle due()`).to.be.lessThanOrEqual(k.product === "SANX" ? 16 : 8);
    }
    console.log(`      idle tick: ${total} RPC requests (${perProduct.join(", ")})`);
    const txs = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`      ${DAYS} days caught up in ${elapsed.toFixed(1)} s: ${txs} transactions over ${counts.size} pieces of work`);
  });
});
