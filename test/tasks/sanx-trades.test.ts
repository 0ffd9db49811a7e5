/**
 * SANX trades end to end on the in-process network (issue 4: "trades go through the trade adapter and
 * oracle bounds of the rebalancing issue"): signal -> 3-day delay -> sanx:execute -> targets through the
 * gate -> the keeper's rebalance on the real local Uniswap V3 market (ssi:deploy --sample-market with
 * only UNI, AAVE and COMP beside the hubs USDC and WETH, for speed), then sanx:deploy.
 *
 * Expectations are worked independently of the keeper: target weights from `src/sanx/targets`
 * (marketCapTargets over the SAMPLE market caps, tested against METHODOLOGY section 5 by hand in
 * test/src/sanx/targets.test.ts), holdings read by hand (balanceOf x PriceRegistry price), and the
 * REMOVE split checked as "removed value x market-cap share", within the Rebalancer's slippage bound.
 */
import { expect } from "chai";
import path from "node:path";
import hre from "hardhat";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { IERC20__factory, IndexVault__factory, MockAggregator__factory, PriceRegistry__factory, Rebalancer__factory, TimelockController__factory, type IndexVault } from "../../typechain-types";
import { govCall, govern } from "../../chain/governance";
import { refreshFeeds } from "../../chain/market";
import { ROLE } from "../../ignition/modules/roles";
import { loadUniverseFile } from "../../src/data/universe";
import { loadSanxData } from "../../src/sanx/data";
import { latestMarketCaps, marketCapTargets } from "../../src/sanx/targets";
import { loadDeployment } from "../../chain/deployment";
import { connectSanx, quorumSigners, type SanxContracts } from "../../chain/sanx";
import type { SanxRecord } from "../../tasks/lib/sanx-deploy";
import { deploySsi } from "../../tasks/lib/ssi-deploy";
import { executeMint, executeRedeem, faucet, planMint, planRedeem } from "../../chain/ssi";
import { quorumDomain } from "../../chain/quorum";
import { DAY, DNG, OPP, makeSignal, sign } from "../contracts/sanx/fixtures";
import { expectUserError, runTask } from "./fixtures";
import { clientFromHre } from "../../tasks/lib/client";

const root = path.resolve(__dirname, "../..");
const SAMPLE = path.join(root, "sample");
const params = require(path.join(root, "ignition/parameters/hardhat.json"));
const WAD = 10n ** 18n;
const BPS = 10_000n;
const SYMBOLS = ["UNI", "AAVE", "COMP", "USDC"] as const;
type Sym = (typeof SYMBOLS)[number];
/** SANX shares Alice mints at $100 each: $5k, below the SANX Rebalancer's $10k per-trade cap. */
const SHARES = 50n;

describe("SANX trades: signal -> delay -> sanx:execute -> targets -> rebalance on the local Uniswap V3 market", function () {
  this.timeout(300_000);
  let record: SanxRecord;
  let c: SanxContracts;
  let vault: IndexVault;
  let alice: HardhatEthersSigner;
  let guardian: HardhatEthersSigner;
  let admin: HardhatEthersSigner;
  let funded: SnapshotRestorer;
  const caps = latestMarketCaps(loadSanxData(SAMPLE).assets);
  const tolerance = BigInt(params.Rebalance_SANX.toleranceBps) * (WAD / BPS); // {WAD}
  const slippageBps = BigInt(params.Rebalance_SANX.maxSlippageBps);

  const address = (s: Sym) => record.tokens[record.assets[s]!]!.address;

  /** {tok}, {1e18 USD} and {WAD} per symbol, read by hand: balanceOf(vault) x PriceRegistry price / 10^dec. */
  async function holdings(): Promise<{ nav: bigint; balance: Record<Sym, bigint>; value: Record<Sym, bigint>; weight: Record<Sym, bigint> }> {
    const registry = PriceRegistry__factory.connect(record.protocol.priceRegistry, hre.ethers.provider);
    const balance = {} as Record<Sym, bigint>;
    const value = {} as Record<Sym, bigint>;
    let nav = 0n;
    for (const s of SYMBOLS) {
      const [price, dec] = await registry.priceAndDecimals(address(s));
      balance[s] = await IERC20__factory.connect(address(s), hre.ethers.provider).balanceOf(vault);
      value[s] = (balance[s] * price) / 10n ** dec; // rounded down
      nav += value[s];
    }
    const weight = Object.fromEntries(SYMBOLS.map((s) => [s, nav === 0n ? 0n : (value[s] * WAD) / nav])) as Record<Sym, bigint>;
    return { nav, balance, value, weight };
  }

  /** Signs (2-of-3 SANX signers) and relays, from Alice, a signal dated today for each symbol. */
  async function signal(zone: bigint, ...symbols: Sym[]): Promise<bigint> {
    const day = BigInt(await time.latest()) / DAY;
    const signers = await quorumSigners(clientFromHre(hre), c.signalOracle, "SignalOracle");
    const domain = await quorumDomain(c.signalOracle);
    for (const s of symbols) {
      const sig = await makeSignal(address(s), zone, { day });
      await (await c.signalOracle.connect(alice).submitSignal(sig, await sign(signers, domain, sig))).wait();
    }
    return day;
  }

  /** To 00:00 UTC of `day` + delay, with every feed re-posted (the sample feeds' heartbeat is one day). */
  async function afterDelay(day: bigint): Promise<void> {
    await time.increaseTo((day + BigInt(record.sanx.delayDays)) * DAY);
    for (const t of Object.values(record.tokens)) {
      const feed = MockAggregator__factory.connect(t.feed, admin);
      await (await feed.updateAnswer(await feed.latestAnswer())).wait();
    }
  }

  const execute = async (rebalance: boolean) => JSON.parse(await runTask(hre, "sanx:execute", { data: SAMPLE, rebalance, json: true }));
  const keeper = async (dryRun: boolean) => JSON.parse(await runTask(hre, "ssi:rebalance", { index: "SANX", dryRun, json: true }));

  /** Every value weight within the Rebalancer's tolerance of `want` (absent = 0). */
  function expectWeights(h: Awaited<ReturnType<typeof holdings>>, want: Partial<Record<Sym, bigint>>, what: string): void {
    for (const s of SYMBOLS) {
      const w = want[s] ?? 0n;
      const diff = h.weight[s] > w ? h.weight[s] - w : w - h.weight[s];
      expect(diff <= tolerance, `${what}: ${s} weighs ${h.weight[s]}, target ${w} (tolerance ${tolerance})`).to.equal(true);
    }
  }

  const targetsOf = (symbols: Sym[]): Partial<Record<Sym, bigint>> =>
    Object.fromEntries(marketCapTargets(symbols, caps).map((t) => [t.asset, t.weight]));

  before(async function () {
    const signers = await hre.ethers.getSigners();
    [admin, guardian] = [signers[0]!, signers[1]!];
    alice = signers[7]!;
    // The sample market with only the SANX tokens (and the hubs USDC, WETH), the protocol, then SANX.
    const universe = loadUniverseFile(path.join(SAMPLE, "universe.json"));
    await deploySsi(hre, { sampleMarket: true, priceUniverse: { ...universe, assets: universe.assets.filter((a) => ["UNI", "AAVE", "COMP"].includes(a.symbol)) } });
    await runTask(hre, "sanx:deploy", { reserve: "USDC" });
    record = loadDeployment("hardhat", 31337) as SanxRecord;
    c = await connectSanx(clientFromHre(hre), { signalOracle: record.sanx.signalOracle, basket: record.sanx.basket });
    vault = IndexVault__factory.connect(record.sanx.vault, hre.ethers.provider);
    // The reserve target, then Alice mints: the empty basket is paid in the reserve asset.
    const first = await execute(true);
    expect(first.weights.kind).to.equal("RESERVE");
    expect(first.rebalance).to.deep.equal({ status: "skipped", reason: "the SANX vault holds nothing (no shares): the first mint pays the targets in kind" });
    await faucet(clientFromHre(hre), record, alice.address, 100_000n, admin);
    await executeMint(vault, alice, SHARES * WAD, alice.address, await planMint(record, vault, alice, SHARES * WAD));
    funded = await takeSnapshot();
  });

  beforeEach(async () => funded.restore());

  it("sanx:deploy deployed the SANX Rebalancer on the shared adapter with the Rebalance_SANX limits, and recorded it", async function () {
    const r = Rebalancer__factory.connect(record.sanx.rebalancer, hre.ethers.provider);
    expect(await r.vault()).to.equal(record.sanx.vault);
    expect(await vault.hasRole(ROLE.REBALANCER, r)).to.equal(true);
    expect(await r.hasRole(ROLE.KEEPER, params.$global.keeper)).to.equal(true);
    expect(await r.hasRole(ROLE.DEFAULT_ADMIN, record.sanx.admin!)).to.equal(true); // SANX's timelock
    expect(await r.hasRole(ROLE.DEFAULT_ADMIN, admin.address)).to.equal(false);
    expect(await r.isAdapter(record.protocol.tradeAdapter!)).to.equal(true);
    const want = params.Rebalance_SANX;
    const lim = await r.limits();
    expect([lim.toleranceBps, lim.maxSlippageBps, lim.cooldown, lim.maxWindow, lim.feeAccrualInterval, lim.maxTradeUsd]).to.deep.equal(
      [want.toleranceBps, want.maxSlippageBps, want.cooldown, want.maxWindow, want.feeAccrualInterval, want.maxTradeUsd.slice(0, -1)].map(BigInt),
    );
    // Its own Rebalancer, not an SSI product's.
    for (const p of Object.values(record.products)) expect(p.rebalancer).to.not.equal(record.sanx.rebalancer);
  });

  it("ADD: nothing trades before the delay; after it the reserve buys the new asset; a second ADD re-weights to market caps", async function () {
    const h0 = await holdings();
    expectWeights(h0, { USDC: WAD }, "minted in the reserve");
    const day = await signal(OPP, "UNI");
    const early = await execute(true);
    expect(early.executed).to.deep.equal([]);
    // The reserve round the mint was paid in needs no trade: the keeper sends nothing (no window).
    expect([early.rebalance.status, early.rebalance.trades]).to.deep.equal(["nothing-to-trade", []]);
    expect((await holdings()).balance).to.deep.equal(h0.balance);

    await afterDelay(day);
    const add = await execute(true);
    expect(add.executed.map((e: { kind: string; symbol: string }) => `${e.kind} ${e.symbol}`)).to.deep.equal(["ADD UNI"]);
    expect(add.weights.kind).to.equal("MARKET_CAP");
    expect(add.rebalance.status).to.equal("complete");
    const buys = add.rebalance.result.executed as { symbolIn: string; symbolOut: string }[];
    expect(buys.length).to.be.greaterThan(0);
    for (const t of buys) expect([t.symbolIn, t.symbolOut]).to.deep.equal(["USDC", "UNI"]);
    const h1 = await holdings();
    expectWeights(h1, { UNI: WAD }, "after ADD UNI");
    expect(h1.balance.USDC).to.equal(0n);
    // The NAV lost at most the slippage bound on what was traded (pool fee and impact).
    expect(h0.nav - h1.nav <= (h0.nav * slippageBps) / BPS).to.equal(true);

    const day2 = await signal(OPP, "AAVE");
    await afterDelay(day2);
    const add2 = await execute(true);
    expect(add2.executed.map((e: { kind: string; symbol: string }) => `${e.kind} ${e.symbol}`)).to.deep.equal(["ADD AAVE"]);
    expect(add2.rebalance.status).to.equal("complete");
    for (const t of add2.rebalance.result.executed as { symbolIn: string; symbolOut: string }[]) expect([t.symbolIn, t.symbolOut]).to.deep.equal(["UNI", "AAVE"]);
    const h2 = await holdings();
    const want = targetsOf(["UNI", "AAVE"]);
    const [, onChain, weights] = await vault.targets();
    expect(onChain).to.deep.equal(Object.keys(want).map((s) => address(s as Sym)));
    expect(weights).to.deep.equal(Object.values(want));
    expectWeights(h2, want, "after ADD AAVE");
    expect(h2.balance.AAVE).to.be.greaterThan(0n);
    const [completed] = await Rebalancer__factory.connect(record.sanx.rebalancer, hre.ethers.provider).window();
    expect(completed).to.equal((await vault.targets())[0]);
  });

  it("REMOVE: sells only the removed position, into the others in proportion to their market caps; the last REMOVE goes back to the reserve", async function () {
    await afterDelay(await signal(OPP, "UNI", "AAVE", "COMP"));
    expect((await execute(true)).rebalance.status).to.equal("complete");
    const before = await holdings();
    expectWeights(before, targetsOf(["UNI", "AAVE", "COMP"]), "three members at market-cap weights");

    await afterDelay(await signal(DNG, "UNI"));
    const r = await execute(false); // targets only; the keeper trades next
    expect(r.executed.map((e: { kind: string; symbol: string }) => `${e.kind} ${e.symbol}`)).to.deep.equal(["REMOVE UNI"]);
    expect(r.weights.kind).to.equal("REDISTRIBUTE");
    expect((await holdings()).balance).to.deep.equal(before.balance);

    // The keeper's plan (ssi:rebalance --index SANX --dry-run) sells UNI only, and sends nothing.
    const plan = await keeper(true);
    expect(plan.status).to.equal("dry-run");
    expect(plan.trades.length).to.be.greaterThan(0);
    for (const t of plan.trades as { sell: string; buy: string }[]) {
      expect(t.sell).to.equal("UNI");
      expect(["AAVE", "COMP"]).to.include(t.buy);
    }
    expect((await holdings()).balance).to.deep.equal(before.balance);

    const run = await keeper(false);
    expect(run.status).to.equal("complete");
    for (const t of run.result.executed as { symbolIn: string }[]) expect(t.symbolIn).to.equal("UNI");
    const after = await holdings();
    expect(after.balance.UNI).to.equal(0n);
    // Each remaining holding grew by the removed value x its market-cap share among the remaining, less
    // at most the slippage bound (oracle floor on every trade); it never shrank.
    const removed = before.value.UNI;
    const rest = caps.get("AAVE")! + caps.get("COMP")!;
    for (const s of ["AAVE", "COMP"] as const) {
      expect(after.balance[s] >= before.balance[s], `${s} was sold`).to.equal(true);
      const expected = (removed * caps.get(s)!) / rest; // {1e18 USD} rounded down
      const gained = after.value[s] - before.value[s];
      expect(gained <= expected + WAD / 100n, `${s} gained ${gained}, more than its share ${expected}`).to.equal(true);
      expect(gained >= (expected * (BPS - slippageBps)) / BPS - WAD / 100n, `${s} gained ${gained}, below its share ${expected} less ${slippageBps} bps`).to.equal(true);
    }
    // The targets: the held weights plus the removed weight shared by market cap (section 5), reached.
    const [, tokens, weights] = await vault.targets();
    const target = new Map(tokens.map((t, i) => [t, weights[i]!]));
    expectWeights(after, { AAVE: target.get(address("AAVE")), COMP: target.get(address("COMP")) }, "after REMOVE UNI");
    const [held] = await vault.basket();
    expect([...held].sort()).to.deep.equal([address("AAVE"), address("COMP")].sort());

    // Removing the last members: the basket moves into the reserve asset.
    await afterDelay(await signal(DNG, "AAVE", "COMP"));
    const last = await execute(true);
    expect(last.weights.kind).to.equal("RESERVE");
    expect(last.rebalance.status).to.equal("complete");
    for (const t of last.rebalance.result.executed as { symbolOut: string }[]) expect(t.symbolOut).to.equal("USDC");
    const reserve = await holdings();
    expect([reserve.balance.UNI, reserve.balance.AAVE, reserve.balance.COMP]).to.deep.equal([0n, 0n, 0n]);
    expectWeights(reserve, { USDC: WAD }, "back in the reserve");
    expect((await vault.basket())[0]).to.deep.equal([address("USDC")]);
  });

  it("red button: controller and vault paused stop the execution and the trading; redemption still works; unpaused, both go through", async function () {
    await afterDelay(await signal(OPP, "UNI"));
    expect((await execute(false)).executed).to.have.length(1); // ADD UNI executed, UNI targets pushed, not traded
    const day = await signal(OPP, "AAVE");
    await afterDelay(day);
    await (await c.controller.connect(guardian).pause()).wait();
    await (await vault.connect(guardian).pause()).wait();
    const h0 = await holdings();

    const r = await execute(true);
    expect(r.paused).to.equal(true);
    expect(r.executed).to.deep.equal([]);
    expect(r.rebalance).to.deep.equal({ status: "skipped", reason: "the red button is pressed (controller paused): no trading" });
    expect(await c.controller.isMember(address("AAVE"))).to.equal(false);
    await expectUserError(hre, "ssi:rebalance", { index: "SANX", dryRun: false, json: true }, /SANX vault is paused by the guardian: no rebalance while paused; nothing was sent/);
    const r2 = Rebalancer__factory.connect(record.sanx.rebalancer, (await hre.ethers.getSigners())[2]!);
    await expect(r2.openRebalance()).to.be.revertedWithCustomError(vault, "RebalancePaused");
    expect((await holdings()).balance).to.deep.equal(h0.balance);

    // Redemption while paused: Alice's pro-rata share of what the vault holds (still the reserve).
    const shares = 20n * WAD;
    const supply = await vault.effectiveSupply(); // shares, with the fee recipient's accrued ones
    const legs = await planRedeem(record, vault, alice, shares, "SANX");
    expect(legs.map((l) => l.symbol)).to.deep.equal(["USDC"]);
    const usdc = IERC20__factory.connect(address("USDC"), hre.ethers.provider);
    const had = await usdc.balanceOf(alice);
    await executeRedeem(vault, alice, shares, alice.address, legs);
    const got = (await usdc.balanceOf(alice)) - had;
    const share = (h0.balance.USDC * shares) / supply; // {tok} pro rata, rounded down
    expect(got).to.be.closeTo(share, share / 10_000n);

    // Governance lifts it: one batch through SANX's timelock, executed after its delay.
    const timelock = TimelockController__factory.connect(record.sanx.admin!, admin);
    const lift = [await govCall(c.controller, "unpause", []), await govCall(vault, "unpause", [])];
    await (await govern(timelock, lift, { beforeExecute: () => refreshFeeds(admin, record as never) })).wait();
    // The readable output this time: the execution, the new targets, then the keeper's run.
    const text = await runTask(hre, "sanx:execute", { data: SAMPLE, rebalance: true, json: false });
    expect(text).to.match(/executed ADD AAVE \(signal /);
    expect(text).to.match(/new targets \(MARKET_CAP, added AAVE\)/);
    expect(text).to.match(/== rebalance \(ssi:rebalance --index SANX\) ==/);
    expect(text).to.match(/SANX round \d+ rebalanced and verified: every weight within 50 bps of its target/);
    expectWeights(await holdings(), targetsOf(["UNI", "AAVE"]), "after the red button is lifted");
  });

  it("ssi:rebalance --index SANX fails clearly without a SANX Rebalancer in the record", async function () {
    const file = path.join(root, "deployments", "hardhat.json");
    const fs = await import("node:fs");
    const saved = fs.readFileSync(file, "utf8");
    try {
      const json = JSON.parse(saved);
      delete json.sanx.rebalancer;
      fs.writeFileSync(file, JSON.stringify(json));
      await expectUserError(hre, "ssi:rebalance", { index: "SANX", dryRun: true, json: true }, /no SANX Rebalancer .* run sanx:deploy again/);
    } finally {
      fs.writeFileSync(file, saved);
    }
  });
});
