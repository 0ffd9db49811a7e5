/**
 * The keeper's product modules one by one (issue 10), on the in-process network with the SAMPLE market:
 * what `due(now)` lists at a given chain time, `nextStep()` driving it to completion, nothing more on the
 * next call (idempotent, also for a second keeper instance), and work another party already did
 * recognised and skipped.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { IndexVault__factory, Rebalancer__factory, SanxController__factory, SignalOracle__factory, UssiVault__factory, WeightOracle__factory } from "../../typechain-types";
import { loadUniverseFile } from "../../src/data/universe";
import { formatDay } from "../../src/lib/csv";
import { computeSignals } from "../../src/mvrv/engine";
import { readMvrvCsv } from "../../src/mvrv/csv";
import { inceptionReport } from "../../src/ussi";
import { buildSignedReport, submitReport } from "../../chain/ssi";
import { connectSanx, pushSignals, signEvents } from "../../chain/sanx";
import { executeUssiDeposit, planUssiDeposit, relayNavReport, signNavReport, ussiClaim, type UssiPart } from "../../chain/ussi";
import { tokensForSymbols } from "../../chain/deployment";
import { determinationDate, monthKey, nextMonthStart } from "../../keeper/products/common";
import { parseProductsConfig } from "../../keeper/products/config";
import type { ProductKeeper, Work } from "../../keeper/work";
import { DAY, ROOT, SAMPLE, drive, faucetAlice, hardhatClient, keeperStackFixture, keepers, mintShares, recordingLogger, sampleConfig, settle, travelTo, type Counts, type Stack } from "./fixtures";

const keysOf = (ws: readonly Work[]) => ws.map((w) => w.key);
const now = async () => BigInt(await time.latest());
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

/** sample/universe.json and universe-next.json copied with the given dates. */
function datedUniverses(dates: readonly string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "keeper-universe-"));
  return (["universe.json", "universe-next.json"] as const).slice(0, dates.length).map((f, i) => {
    const out = path.join(dir, f);
    writeFileSync(out, JSON.stringify({ ...JSON.parse(readFileSync(path.join(SAMPLE, f), "utf8")), date: dates[i] }));
    return out;
  });
}

function one(ks: ProductKeeper[], product: string): ProductKeeper {
  return ks.find((k) => k.product === product)!;
}

describe("keeper products", function () {
  this.timeout(300_000);

  describe("config", function () {
    it("the shipped example for the local sample market parses, with defaults applied", function () {
      const c = sampleConfig();
      expect(Object.keys(c)).to.deep.equal(["MAG7", "MEME", "DEFI", "SANX", "USSI"]);
      expect(c.MAG7!.rebalance.enabled).to.equal(true);
      expect(c.USSI!.navInterval).to.equal(86_400);
      expect(c.SANX!.data.dir).to.equal(path.join(ROOT, "sample"));
    });

    it("a bad config is refused naming each field and why", function () {
      expect(() => parseProductsConfig({ MAG7: { data: { kind: "universe-files", files: [] }, signers: ["0xabc"] }, USSI: { positions: { kind: "file" }, signers: [] } })).to.throw(
        /MAG7\.data\.files[\s\S]*MAG7\.signers\.0: a key reference is "env:VARIABLE_NAME"[\s\S]*USSI\.positions\.file[\s\S]*USSI\.signers/,
      );
      expect(() => parseProductsConfig({ BTC: {} })).to.throw(/Unrecognized key/);
    });
  });

  describe("MAG7.ssi (weights, someone else's report, fees)", function () {
    it("lists this month's report, relays it once, skips next month's report relayed by another party, and claims the month's fees once", async function () {
      const stack = await loadFixture(keeperStackFixture);
      const t0 = await now();
      const files = datedUniverses([determinationDate(t0)]);
      const config = sampleConfig({ MAG7: { data: { kind: "universe-files", files, latestOnOrBefore: true } } } as never);
      const mag7 = one(keepers(stack, { MAG7: config.MAG7 }), "MAG7");
      const counts: Counts = new Map();

      const due = await mag7.due(t0);
      expect(keysOf(due)).to.deep.equal([`MAG7/weights/${monthKey(t0)}`]);
      await drive(due[0]!, stack.keeper, counts);
      const vault = IndexVault__factory.connect(stack.record.products.MAG7!.vault, hre.ethers.provider);
      const oracle = WeightOracle__factory.connect(stack.record.protocol.weightOracle, hre.ethers.provider);
      expect(await oracle.lastRound(vault)).to.equal(1n);
      const [, tokens] = await vault.targets();
      expect(tokens).to.deep.equal(tokensForSymbols(stack.record, ["BTC", "ETH", "XRP", "BNB", "SOL", "DOGE", "ADA"]));
      expect(counts.get(`MAG7/weights/${monthKey(t0)}`)).to.equal(1);
      // Idempotent: the same Work, the same keeper and a second keeper all find it done.
      expect(await due[0]!.nextStep()).to.equal(undefined);
      expect(keysOf(await mag7.due(await now()))).to.deep.equal([]);
      expect(keysOf(await one(keepers(stack, { MAG7: config.MAG7 }), "MAG7").due(await now()))).to.deep.equal([]);
      await faucetAlice(stack, 100_000n);
      await mintShares(stack, stack.record.products.MAG7!.vault, 10n);
      expect(await settle([mag7], stack.keeper)).to.equal(0); // round 1 needs no trade: the mint paid the targets

      // Next month: another party relays the month's report first (ssi:push-weights' code path).
      const t1 = nextMonthStart(t0) + 3600n;
      await travelTo(stack, t1);
      const before = await mag7.due(t1);
      expect(keysOf(before)).to.include(`MAG7/weights/${monthKey(t1)}`);
      const other = await buildSignedReport(hardhatClient(), stack.record, "MAG7", loadUniverseFile(files[0]!), { validFor: 3600n });
      await submitReport(hardhatClient(), stack.record, "MAG7", other.signed, stack.alice);
      expect(await before.find((w) => w.kind === "weights")!.nextStep()).to.equal(undefined);
      expect(keysOf(await mag7.due(await now())).filter((k) => k.includes("/weights/"))).to.deep.equal([]);
      expect(await oracle.lastRound(vault)).to.equal(2n);

      // The month's fee claim (Alice's shares have accrued a month of the 1%/year fee): once.
      const fees = (await mag7.due(await now())).filter((w) => w.kind === "fees");
      expect(keysOf(fees)).to.deep.equal([`MAG7/fees/${monthKey(t1)}`]);
      await drive(fees[0]!, stack.keeper, counts);
      expect(counts.get(fees[0]!.key)).to.equal(1);
      expect(await fees[0]!.nextStep()).to.equal(undefined);
      expect((await mag7.due(await now())).filter((w) => w.kind === "fees")).to.deep.equal([]);
      expect((await one(keepers(stack, { MAG7: config.MAG7 }), "MAG7").due(await now())).filter((w) => w.kind === "fees")).to.deep.equal([]);
      const [, , recipient] = await vault.feeState();
      expect(await vault.balanceOf(recipient)).to.be.greaterThan(0n);
    });
  });

  describe("MEME.ssi (a rebalance to a new round)", function () {
    it("opens, trades and closes from chain state, bounded by the round's budgets, then lists nothing", async function () {
      const stack = await loadFixture(keeperStackFixture);
      const t0 = await now();
      const t1 = nextMonthStart(t0) + 3600n;
      const files = datedUniverses([determinationDate(t0), determinationDate(t1)]);
      const config = sampleConfig({ MEME: { data: { kind: "universe-files", files, latestOnOrBefore: true } } } as never);
      const meme = keepers(stack, { MEME: config.MEME });
      await settle(meme, stack.keeper);
      await faucetAlice(stack, 1_000_000n);
      await mintShares(stack, stack.record.products.MEME!.vault, 1000n);
      // Round 1 needs no trade (the mint paid the targets): nothing is sent, as ssi:rebalance decides.
      expect(await settle(meme, stack.keeper)).to.equal(0);

      await travelTo(stack, t1);
      const counts: Counts = new Map();
      await settle(meme, stack.keeper, counts); // month-2 weights, open, first batches
      expect(counts.get(`MEME/weights/${monthKey(t1)}`)).to.equal(1);
      const rebalancer = Rebalancer__factory.connect(stack.record.products.MEME!.rebalancer!, hre.ethers.provider);
      for (let h = 0; h < 48 && (await rebalancer.window())[0] < 2n; h++) {
        await travelTo(stack, (await now()) + 3600n); // past each pair's cool-off
        await settle(meme, stack.keeper, counts);
      }
      const [completed, open] = await rebalancer.window();
      expect(completed).to.equal(2n);
      expect(open).to.equal(0n);
      expect(counts.get("MEME/rebalance/round-2")).to.be.greaterThanOrEqual(3); // open, trades, close
      const [ok] = await rebalancer.toleranceCheck();
      expect(ok).to.equal(true);
      expect(keysOf(await meme[0]!.due(await now())).filter((k) => k.includes("rebalance"))).to.deep.equal([]);
      expect(await settle(keepers(stack, { MEME: config.MEME }), stack.keeper)).to.equal(0);
    });
  });

  describe("SANX (signals, someone else's signal, actions, weights)", function () {
    it("relays a day's signal once, skips one relayed by another party, executes the due action and pushes the weights", async function () {
      const stack = await loadFixture(keeperStackFixture);
      const sanx = (stack.record as unknown as { sanx: { signalOracle: string; basket: string; controller: string; vault: string; universe: string[] } }).sanx;
      const t0 = await now();
      const today = Number(t0 / DAY);
      // The sample's first UNI OPPORTUNITY replayed as yesterday's signal.
      const events = computeSignals(readMvrvCsv(path.join(SAMPLE, "mvrv", "uni.csv"))).events.filter((e) => e.zone === "OPPORTUNITY" || e.zone === "DANGER");
      const first = events[0]!;
      const shift = today - 1 - dayOf(first.date);
      const config = sampleConfig({ SANX: { shiftDays: shift, lookbackDays: 3 } } as never);
      const ks = keepers(stack, { SANX: config.SANX }, recordingLogger());
      const k = ks[0]!;
      const yesterday = formatDay(today - 1);

      const due = await k.due(t0);
      expect(keysOf(due)).to.deep.equal(["SANX/weights/change-0", `SANX/signals/${yesterday}`]);
      const counts: Counts = new Map();
      for (const w of due) await drive(w, stack.keeper, counts);
      expect(counts.get(`SANX/signals/${yesterday}`)).to.equal(1);
      const uni = tokensForSymbols(stack.record, ["UNI"])[0]!;
      const oracle = SignalOracle__factory.connect(sanx.signalOracle, hre.ethers.provider);
      expect(await oracle.isRelayed(uni, today - 1)).to.equal(true);
      expect(await due[1]!.nextStep()).to.equal(undefined);
      expect(keysOf(await k.due(await now()))).to.deep.equal([]);

      // The ADD is due after the 3-day delay (and the 1-day notice): executed once, then the weights over {UNI}.
      const controller = SanxController__factory.connect(sanx.controller, hre.ethers.provider);
      const [, dueAt] = await controller.pending(uni);
      await travelTo(stack, dueAt);
      expect(keysOf(await k.due(await now()))).to.deep.equal([`SANX/action/UNI/${yesterday}`]);
      await settle(ks, stack.keeper, counts);
      expect(counts.get(`SANX/action/UNI/${yesterday}`)).to.equal(1);
      expect(counts.get("SANX/weights/change-1")).to.equal(1);
      expect(await controller.isMember(uni)).to.equal(true);
      const [, targets] = await IndexVault__factory.connect(sanx.vault, hre.ethers.provider).targets();
      expect(targets).to.deep.equal([uni]);
      expect(await settle(ks, stack.keeper)).to.equal(0);

      // The next signal (UNI's DANGER), relayed by another party first (sanx:push-signals' code path): skipped.
      const next = events.find((e) => e.zone === "DANGER")!;
      const nextDay = dayOf(next.date) + shift;
      await travelTo(stack, BigInt(nextDay + 1) * DAY + 600n);
      const before = (await k.due(await now())).filter((w) => w.kind === "signals");
      expect(keysOf(before)).to.deep.equal([`SANX/signals/${formatDay(nextDay)}`]);
      const client = hardhatClient();
      const c = await connectSanx(client, { signalOracle: sanx.signalOracle, basket: sanx.basket });
      const file = await signEvents(client, c, [{ symbol: "UNI", asset: uni, event: next as never }], shift);
      const pushed = await pushSignals(client, c, file, stack.alice);
      expect(pushed.map((p) => p.outcome)).to.deep.equal(["accepted"]);
      expect(await before[0]!.nextStep()).to.equal(undefined);
      expect((await k.due(await now())).filter((w) => w.kind === "signals")).to.deep.equal([]);
    });
  });

  describe("USSI (NAV reports)", function () {
    it("relays the inception report once, the next one a day later, and skips a report relayed by another party", async function () {
      const stack = await loadFixture(keeperStackFixture);
      const part = (stack.record as unknown as { ussi: UssiPart }).ussi;
      const config = sampleConfig();
      const ussi = one(keepers(stack, { USSI: config.USSI }), "USSI");
      const vault = UssiVault__factory.connect(part.vault, hre.ethers.provider);
      const counts: Counts = new Map();

      const due = await ussi.due(await now());
      expect(keysOf(due)).to.deep.equal(["USSI/nav/epoch-0"]);
      await drive(due[0]!, stack.keeper, counts);
      expect((await vault.lastAcceptedReport()).round).to.equal(1n);
      expect(await vault.currentEpoch()).to.equal(1n);
      expect(await due[0]!.nextStep()).to.equal(undefined);
      expect(await ussi.due(await now())).to.deep.equal([]);
      // A day later, or sooner when the vault's maxNavAge is shorter (a NAV older than that blocks instant redemption).
      const maxAge = (await vault.limits()).maxNavAge;
      const every = maxAge < DAY ? maxAge : DAY;
      expect(await ussi.nextDue(await now())).to.equal((await vault.lastAcceptedReport()).timestamp + every);
      await travelTo(stack, (await vault.lastAcceptedReport()).timestamp + every - 60n);
      expect(await ussi.due(await now())).to.deep.equal([]);
      await travelTo(stack, (await now()) + 60n);
      const next = await ussi.due(await now());
      expect(keysOf(next)).to.deep.equal(["USSI/nav/epoch-1"]);
      // Another party relays epoch 1's report first (ussi:push-nav's code path).
      const client = hardhatClient();
      const signed = await signNavReport(client, part, inceptionReport(2n, await now()));
      await relayNavReport(client, part, signed, stack.alice);
      expect(await next[0]!.nextStep()).to.equal(undefined);
      expect(await ussi.due(await now())).to.deep.equal([]);
      expect(counts.size).to.equal(1);
    });

    it("values a book from the positions file once USSI exists, settling the epoch's deposit, and refuses a move above maxNavChangeBps", async function () {
      const stack = await loadFixture(keeperStackFixture);
      const part = (stack.record as unknown as { ussi: UssiPart }).ussi;
      const vault = UssiVault__factory.connect(part.vault, hre.ethers.provider);
      const dir = mkdtempSync(path.join(tmpdir(), "keeper-ussi-"));
      const file = path.join(dir, "positions.json");
      const book = (cash: string) => writeFileSync(file, JSON.stringify({ round: 0, timestamp: 0, supply: "1", cash, assets: {} }));
      const log = recordingLogger();
      const ussi = one(keepers(stack, { USSI: { ...sampleConfig().USSI!, positions: { kind: "file", file } } }, log), "USSI");
      // Alice requests a deposit of 10,000 USDC; the keeper's inception report settles it at 1.00.
      await faucetAlice(stack, 20_000n);
      await executeUssiDeposit(part, stack.alice, await planUssiDeposit(part, stack.alice, "USDC", 10_000n * 10n ** 6n));
      await settle([ussi], stack.keeper);
      await ussiClaim(part, stack.alice);
      expect(await vault.totalSupply()).to.equal(10_000n * 10n ** 18n);
      // A day later the book is worth 10,020 USD: NAV per token 1.002 (20 bps, within the vault's bound).
      book("10020");
      await travelTo(stack, (await now()) + DAY);
      expect(await settle([ussi], stack.keeper)).to.equal(1);
      expect((await vault.lastAcceptedReport()).navPerToken).to.equal(1_002_000_000_000_000_000n);
      // A book worth twice as much is a move no single report may make: nothing is sent, the finding is logged.
      book("20040");
      await travelTo(stack, (await now()) + DAY);
      expect(await settle([ussi], stack.keeper)).to.equal(0);
      expect(log.lines.some((l) => l.level === "error" && /intermediate steps/.test(l.msg))).to.equal(true);
      expect((await vault.lastAcceptedReport()).round).to.equal(2n);
    });
  });
});
