import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { verifyTypedData } from "ethers";
import hre from "hardhat";
import { computeSignals } from "../../src/mvrv/engine";
import { readMvrvCsv } from "../../src/mvrv/csv";
import { parseDay } from "../../src/lib/csv";
import { loadSanxData } from "../../src/sanx/data";
import { chooseEvents, toSignalStruct } from "../../src/sanx/signals";
import { parseSignalFile } from "../../src/sanx/signalFile";
import { SIGNAL_EIP712_TYPES } from "../../src/sanx/signalReport";
import { latestMarketCaps, marketCapTargets, redistributeRemoved } from "../../src/sanx/targets";
import { quorumDomain } from "../../chain/quorum";
import { DAY, sanxStackFixture, today, travelTo } from "../contracts/sanx/fixtures";
import { runTask } from "./fixtures";
import { clientFromHre } from "../../tasks/lib/client";

const ROOT = path.resolve(__dirname, "../..");
const SAMPLE = path.join(ROOT, "sample");
const SYMBOLS = ["AAVE", "COMP", "UNI"];

/** Runs a task in-process and returns what it wrote to stdout (the shared `runTask`). */
function runCaptured(name: string, args: Record<string, unknown>): Promise<string> {
  return runTask(hre, name, args);
}

type F = Awaited<ReturnType<typeof sanxStackFixture>>;
const tmp = () => mkdtempSync(path.join(tmpdir(), "sanx-"));
const addrArgs = async (f: F) => ({ signalOracle: await f.signalOracle.getAddress(), basket: f.gate });
const bySymbol = (f: F): Record<string, string> => ({ UNI: f.uni, AAVE: f.aave, COMP: f.comp, USDC: f.usdc });

async function failureOf(name: string, args: Record<string, unknown>): Promise<string> {
  try {
    await runCaptured(name, args);
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
}

async function signAll(f: F, from?: string): Promise<string> {
  const out = path.join(tmp(), "signals.json");
  await runCaptured("sanx:signals", { ...(await addrArgs(f)), data: SAMPLE, out, ...(from ? { from } : {}) });
  return out;
}

async function push(f: F, file: string) {
  return JSON.parse(await runCaptured("sanx:push-signals", { ...(await addrArgs(f)), file, json: true })).results as {
    symbol: string;
    date: string;
    zone: string;
    outcome: string;
    detail: string;
  }[];
}

const execute = async (f: F) => JSON.parse(await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, json: true }));
const status = async (f: F) => JSON.parse(await runCaptured("sanx:status", { ...(await addrArgs(f)), json: true }));

/**
 * One day on, feeds re-posted: the minimum notice (1 day) after a relay, when the long-past signals'
 * actions come due.
 */
async function afterNotice(f: F): Promise<void> {
  await travelTo(f, BigInt(await time.latest()) + DAY);
}

/** Every sample signal pushed (the first per asset is accepted), then, after the notice, the three ADDs executed. */
async function threeMembersFixture() {
  const f = await sanxStackFixture();
  const file = await signAll(f, "2023-01-01");
  await push(f, file);
  await afterNotice(f);
  await execute(f);
  return f;
}

describe("sanx:* tasks", function () {
  this.timeout(120000);

  describe("sanx:signals", function () {
    it("signs the latest event of every SANX asset in DIR/mvrv, as the engine and toSignalStruct give it, under the oracle's domain", async function () {
      const f = await loadFixture(sanxStackFixture);
      const file = parseSignalFile(JSON.parse(readFileSync(await signAll(f), "utf8")), "signals.json");
      const domain = await quorumDomain(f.signalOracle);
      expect(file.domain.verifyingContract).to.equal(await f.signalOracle.getAddress());
      expect(file.domain.chainId).to.equal(BigInt(domain.chainId!));
      expect(file.signals.map((s) => s.symbol).sort()).to.deep.equal(SYMBOLS);
      const expiresAt = file.signedAt + (await f.signalOracle.maxValidity());
      for (const s of file.signals) {
        const report = computeSignals(readMvrvCsv(path.join(SAMPLE, "mvrv", `${s.symbol.toLowerCase()}.csv`)));
        const [latest] = chooseEvents(s.symbol, report);
        expect(s.signal).to.deep.equal(toSignalStruct(latest!, bySymbol(f)[s.symbol]!, expiresAt));
        const who = s.signatures.map((sig) => verifyTypedData(domain, SIGNAL_EIP712_TYPES, { ...s.signal }, sig));
        expect(who).to.have.length(2);
        for (const w of who) expect(await f.signalOracle.isSigner(w)).to.equal(true);
      }
      // It says that it signed only the latest signals, and why that burns nothing (issue 10).
      const text = await runCaptured("sanx:signals", { ...(await addrArgs(f)), data: SAMPLE, out: path.join(tmp(), "latest.json") });
      expect(text).to.match(/Signed only each asset's LATEST signal \(the default\).*out of order.*Nothing is used up for other days.*--from DATE/s);
      const fromText = await runCaptured("sanx:signals", { ...(await addrArgs(f)), data: SAMPLE, out: path.join(tmp(), "from.json"), from: "2023-09-01" });
      expect(fromText).to.not.match(/LATEST/);
    });

    it("signs every event since --from, in day order", async function () {
      const f = await loadFixture(sanxStackFixture);
      const file = parseSignalFile(JSON.parse(readFileSync(await signAll(f, "2023-09-01"), "utf8")), "s");
      const want = SYMBOLS.flatMap((sym) =>
        chooseEvents(sym, computeSignals(readMvrvCsv(path.join(SAMPLE, "mvrv", `${sym.toLowerCase()}.csv`))), parseDay("2023-09-01", "t")).map((e) => e.event.date),
      ).sort();
      expect(file.signals.map((s) => s.date)).to.deep.equal(want);
    });

    const errors: [string, Record<string, unknown>, RegExp][] = [
      ["--data is missing", {}, /--data DIR is required/],
      ["DIR has no mvrv folder", { data: tmp() }, /no mvrv\/ folder/],
      ["--from is not a date", { data: SAMPLE, from: "2023-13-01" }, /--from/],
      ["--signal-oracle is not an address", { data: SAMPLE, signalOracle: "0x12" }, /--signal-oracle "0x12" is not an address/],
    ];
    for (const [name, args, re] of errors) {
      it(`fails with a clear message when ${name}`, async function () {
        const f = await loadFixture(sanxStackFixture);
        expect(await failureOf("sanx:signals", { basket: f.gate, signalOracle: await f.signalOracle.getAddress(), ...args })).to.match(re);
      });
    }
  });

  describe("sanx:push-signals", function () {
    it("reports accepted (scheduled), ignored (not a member) and refused (a due action first; a replay) per signal", async function () {
      const f = await loadFixture(sanxStackFixture);
      // Latest events are all DANGER for assets not held: each is accepted by the oracle and ignored.
      const latest = await push(f, await signAll(f));
      expect(latest.map((r) => [r.outcome, r.detail])).to.deep.equal(SYMBOLS.map(() => ["ignored", "ignored by the controller: NotMember"]));

      const f2 = await loadFixture(sanxStackFixture);
      const all = await push(f2, await signAll(f2, "2023-01-01"));
      // Each asset's first event (an OPPORTUNITY) schedules an ADD; its due day is long past, so it is
      // due the minimum notice (1 day) after the relay, and every later signal of that asset is
      // refused until the ADD is executed.
      const relayedBy = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
      for (const sym of SYMBOLS) {
        const mine = all.filter((r) => r.symbol === sym);
        expect(mine[0]!.zone).to.equal("OPPORTUNITY");
        expect(mine[0]!.outcome).to.equal("accepted");
        const due = /^ADD scheduled, due (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(mine[0]!.detail);
        expect(due, mine[0]!.detail).to.not.equal(null);
        const dueAt = BigInt(Date.parse(due![1]!) / 1000);
        expect(dueAt > relayedBy - 3600n + 86_400n && dueAt <= relayedBy + 86_400n, `due ${due![1]} vs relayed by ${relayedBy}`).to.equal(true);
        for (const r of mine.slice(1)) expect([r.outcome, r.detail.split("(")[0]]).to.deep.equal(["refused", "PendingActionDue"]);
      }
      // Relaying the same file again: the accepted (asset, day)s are used up; the refused ones were not.
      const again = await push(f2, await signAll(f2, "2023-01-01"));
      for (const sym of SYMBOLS) {
        const mine = again.filter((r) => r.symbol === sym);
        expect(mine[0]!.detail).to.match(/^SignalAlreadyRelayed\(/);
        for (const r of mine.slice(1)) expect(r.detail.split("(")[0]).to.equal("PendingActionDue");
      }
    });

    it("refuses a file signed for another oracle before sending anything", async function () {
      const f = await loadFixture(sanxStackFixture);
      const file = await signAll(f, "2023-01-01");
      const json = JSON.parse(readFileSync(file, "utf8"));
      json.domain.verifyingContract = f.gate;
      writeFileSync(file, JSON.stringify(json));
      expect(await failureOf("sanx:push-signals", { ...(await addrArgs(f)), file })).to.match(/signed for SignalOracle .* refused, nothing was sent/);
      expect(await f.signalOracle.isRelayed(json.signals[0].signal.asset, BigInt(json.signals[0].signal.day))).to.equal(false);
    });

    it("fails on a malformed file", async function () {
      const f = await loadFixture(sanxStackFixture);
      const file = path.join(tmp(), "bad.json");
      writeFileSync(file, JSON.stringify({ domain: {}, signals: [] }));
      expect(await failureOf("sanx:push-signals", { ...(await addrArgs(f)), file })).to.match(/domain.name must be a non-empty string/);
      expect(await failureOf("sanx:push-signals", { ...(await addrArgs(f)) })).to.match(/--file is required/);
    });
  });

  describe("one key per signer (issue 13): sanx:sign-signals, sanx:push-signals --signatures", function () {
    /** The local accounts that are SignalOracle signers (2 of 3 in the fixture). */
    async function signalSigners(f: F): Promise<string[]> {
      const out: string[] = [];
      for (const s of await ethers.getSigners()) if (await f.signalOracle.isSigner(s.address)) out.push(s.address);
      return out;
    }

    it("each signer signs on its own; the relay refuses (nothing sent) before the quorum and relays once m files are there", async function () {
      const f = await loadFixture(sanxStackFixture);
      const [a, b] = await signalSigners(f);
      const dir = mkdtempSync(path.join(tmp(), "sigs-"));
      const text = await runCaptured("sanx:sign-signals", { ...(await addrArgs(f)), data: SAMPLE, from: "2023-01-01", account: a, out: path.join(dir, "a.json") });
      expect(text).to.match(new RegExp(`EIP-712 domain: name "SANX SignalOracle", version "1", chainId 31337, verifyingContract ${await f.signalOracle.getAddress()}`));
      expect(text).to.match(/signal: AAVE \(0x[0-9a-fA-F]{40}\) OPPORTUNITY on \d{4}-\d\d-\d\d \(day \d+\), MVRV /);
      const n = JSON.parse(readFileSync(path.join(dir, "a.json"), "utf8")).files.length as number;
      expect(n).to.be.greaterThan(SYMBOLS.length);
      const block = await ethers.provider.getBlockNumber();
      expect(await failureOf("sanx:push-signals", { ...(await addrArgs(f)), signatures: dir, json: true })).to.match(
        /the SignalOracle needs 2 signatures per signal: .* has 1.*nothing was sent/,
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      // The second signer signs the signals of the first one's file.
      await runCaptured("sanx:sign-signals", { ...(await addrArgs(f)), signals: path.join(dir, "a.json"), account: b, out: path.join(dir, "b.json") });
      const results = JSON.parse(await runCaptured("sanx:push-signals", { ...(await addrArgs(f)), signatures: dir, json: true })).results as { symbol: string; outcome: string }[];
      expect(results).to.have.length(n);
      // As with a quorum-signed file: each asset's first signal schedules its ADD.
      for (const sym of SYMBOLS) expect(results.find((r) => r.symbol === sym)!.outcome).to.equal("accepted");
    });

    it("refuses a signature over another domain, and the relay adds its own signatures with --sign", async function () {
      const f = await loadFixture(sanxStackFixture);
      const [a, b] = await signalSigners(f);
      const dir = mkdtempSync(path.join(tmp(), "foreign-"));
      await runCaptured("sanx:sign-signals", { ...(await addrArgs(f)), data: SAMPLE, account: a, out: path.join(dir, "a.json") });
      const bundle = JSON.parse(readFileSync(path.join(dir, "a.json"), "utf8"));
      // b signs the same signals under chain id 1: refused, nothing sent.
      const signer = await ethers.getSigner(b!);
      const domain = await quorumDomain(f.signalOracle);
      const foreign = { ...domain, chainId: 1n };
      const files = [];
      for (const x of bundle.files) {
        const value = Object.fromEntries(Object.entries(x.report).map(([k, v]) => [k, k === "asset" ? v : BigInt(v as string)]));
        files.push({ ...x, signer: b, domain: { ...x.domain, chainId: "1" }, signature: await signer.signTypedData(foreign, SIGNAL_EIP712_TYPES, value) });
      }
      writeFileSync(path.join(dir, "b.json"), JSON.stringify({ kind: "signals", files }));
      const block = await ethers.provider.getBlockNumber();
      expect(await failureOf("sanx:push-signals", { ...(await addrArgs(f)), signatures: dir, json: true })).to.match(
        /b\.json#1: signed under another domain \(SANX SignalOracle v1, chain 1, .*nothing was sent/,
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      // Without the foreign file, the relay (a signer too) adds its own signatures with its one key.
      writeFileSync(path.join(dir, "b.json"), "{}");
      const results = JSON.parse(
        await runCaptured("sanx:push-signals", { ...(await addrArgs(f)), signatures: dir, sign: true, account: b, json: true }),
      ).results as { outcome: string; detail: string }[];
      expect(results.map((r) => [r.outcome, r.detail])).to.deep.equal(SYMBOLS.map(() => ["ignored", "ignored by the controller: NotMember"]));
    });

    /** The stack with every sample signal relayed and past its notice (ADDs due), and the WeightOracle's signers. */
    async function dueAddsAndWeightSigners() {
      const f = await loadFixture(sanxStackFixture);
      await push(f, await signAll(f, "2023-01-01"));
      await afterNotice(f);
      const wo = await ethers.getContractAt("WeightOracle", await f.basket.weightOracle());
      const weightSigners: string[] = [];
      for (const s of await ethers.getSigners()) if (await wo.isSigner(s.address)) weightSigners.push(s.address);
      return { f, wo, weightSigners };
    }

    it("the SANX weight report: each signer signs it on its own (sanx:sign-weights); sanx:execute --signatures pushes it once m are there", async function () {
      const { f, wo, weightSigners } = await dueAddsAndWeightSigners();
      const dir = mkdtempSync(path.join(tmp(), "weights-"));
      const r0 = (await f.vault.targets())[0];
      // Nothing signed yet: the due ADDs are executed, the weight report waits (the old targets stay).
      const first = JSON.parse(await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, signatures: dir, json: true }));
      expect(first.executed.map((e: { symbol: string }) => e.symbol).sort()).to.deep.equal(SYMBOLS);
      expect(first.weightsPending.reason).to.match(/no signature file signs this report yet/);
      expect((await f.vault.targets())[0]).to.equal(r0);
      const text = await runCaptured("sanx:sign-weights", { ...(await addrArgs(f)), data: SAMPLE, account: weightSigners[0], out: path.join(dir, "a.json") });
      expect(text).to.match(new RegExp(`EIP-712 domain: name "SSI Weight Oracle", version "1", chainId 31337, verifyingContract ${await wo.getAddress()}`));
      expect(text).to.match(/report: SANX \(gate 0x[0-9a-fA-F]{40}\), round \d+, valid .*\nweights: (AAVE|COMP|UNI) \d+\.\d\d%, /);
      // One of two: refused, nothing sent.
      const block = await ethers.provider.getBlockNumber();
      const one = JSON.parse(await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, signatures: dir, json: true }));
      expect(one.weightsPending.reason).to.equal("1 of the 2 signatures are there");
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      await runCaptured("sanx:sign-weights", { ...(await addrArgs(f)), data: SAMPLE, report: path.join(dir, "a.json"), account: weightSigners[1], out: path.join(dir, "b.json") });
      const pushed = JSON.parse(await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, signatures: dir, json: true }));
      expect(pushed.weights.round).to.equal(String(r0 + 1n));
      const a = JSON.parse(readFileSync(path.join(dir, "a.json"), "utf8"));
      const [round, tokens, weights] = await f.vault.targets();
      expect(round).to.equal(r0 + 1n);
      expect(tokens).to.deep.equal(a.report.constituents);
      expect(weights.map(String)).to.deep.equal(a.report.weights);
    });

    it("the keeper adds its own signature of the SANX weight report with its one key (sanx:execute --signatures --sign)", async function () {
      const { f, weightSigners } = await dueAddsAndWeightSigners();
      const dir = mkdtempSync(path.join(tmp(), "keeper-"));
      const r0 = (await f.vault.targets())[0];
      // The keeper alone (1 of 2) executes the due actions; its own signature is not enough for the report.
      const alone = JSON.parse(await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, signatures: dir, sign: true, account: weightSigners[1], json: true }));
      expect(alone.executed).to.have.length(SYMBOLS.length);
      expect(alone.weightsPending.reason).to.equal("1 of the 2 signatures are there");
      expect((await f.vault.targets())[0]).to.equal(r0);
      await runCaptured("sanx:sign-weights", { ...(await addrArgs(f)), data: SAMPLE, account: weightSigners[0], out: path.join(dir, "a.json") });
      const pushed = JSON.parse(await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, signatures: dir, sign: true, account: weightSigners[1], json: true }));
      expect(pushed.weights.round).to.equal(String(r0 + 1n));
      expect((await f.vault.targets())[0]).to.equal(r0 + 1n);
    });

    it("refuses ORACLE_SIGNER_KEYS with several keys on a live network (signals and the SANX weight push)", async function () {
      const f = await loadFixture(sanxStackFixture);
      const { quorumSigners } = await import("../../chain/sanx");
      const previous = process.env.ORACLE_SIGNER_KEYS;
      const name = hre.network.name;
      process.env.ORACLE_SIGNER_KEYS = "0x" + "11".repeat(32) + ",0x" + "22".repeat(32);
      try {
        (hre.network as { name: string }).name = "baseSepolia";
        await expect(quorumSigners(clientFromHre(hre), f.signalOracle, "SignalOracle")).to.be.rejectedWith(/ORACLE_SIGNER_KEYS holds 2 keys: on baseSepolia no process holds several signers' keys/);
      } finally {
        (hre.network as { name: string }).name = name;
        if (previous === undefined) delete process.env.ORACLE_SIGNER_KEYS;
        else process.env.ORACLE_SIGNER_KEYS = previous;
      }
    });
  });

  describe("sanx:execute", function () {
    it("executes every due ADD and pushes market-cap weights over the members through the gate", async function () {
      const f = await loadFixture(threeMembersFixture);
      const caps = latestMarketCaps(loadSanxData(SAMPLE).assets);
      const want = marketCapTargets(SYMBOLS, caps);
      const [round, tokens, weights] = await f.vault.targets();
      expect(round).to.equal(2n);
      expect(tokens).to.deep.equal(want.map((w) => bySymbol(f)[w.asset]));
      expect(weights).to.deep.equal(want.map((w) => w.weight));
      expect(await f.basket.targetsDue()).to.equal(false);
    });

    it("on a REMOVE shares only the removed weight among the others by market cap", async function () {
      const f = await loadFixture(threeMembersFixture);
      const file = await signAll(f); // latest: DANGER for each
      const json = JSON.parse(readFileSync(file, "utf8"));
      json.signals = json.signals.filter((s: { symbol: string }) => s.symbol === "UNI");
      writeFileSync(file, JSON.stringify(json));
      expect((await push(f, file)).map((r) => r.outcome)).to.deep.equal(["accepted"]);
      const caps = latestMarketCaps(loadSanxData(SAMPLE).assets);
      expect((await execute(f)).executed).to.deep.equal([]); // the minimum notice has not passed
      await afterNotice(f);
      const r = await execute(f);
      expect(r.executed.map((e: { symbol: string; kind: string }) => [e.kind, e.symbol])).to.deep.equal([["REMOVE", "UNI"]]);
      expect(r.weights.kind).to.equal("REDISTRIBUTE");
      // The vault is empty, so the current weights are the targets (market caps over all three).
      const want = redistributeRemoved(marketCapTargets(SYMBOLS, caps), new Set(["UNI"]), caps);
      const [, tokens, weights] = await f.vault.targets();
      expect(tokens).to.deep.equal(want.map((w) => bySymbol(f)[w.asset]));
      expect(weights).to.deep.equal(want.map((w) => w.weight));
    });

    it("says nothing is due, naming the next action, and sends nothing", async function () {
      const f = await loadFixture(threeMembersFixture);
      const day = await today();
      await f.relaySignal(f.uni, 2n, day);
      const block = await ethers.provider.getBlockNumber();
      const out = await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, json: false });
      expect(out).to.contain(`nothing due; next: REMOVE UNI at ${new Date(Number((day + 3n) * DAY) * 1000).toISOString().replace(".000Z", "Z")}`);
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
    });

    it("executes nothing while the red button is pressed", async function () {
      const f = await loadFixture(sanxStackFixture);
      await push(f, await signAll(f, "2023-01-01"));
      await afterNotice(f);
      await f.controller.connect(f.guardian).pause();
      const out = await runCaptured("sanx:execute", { ...(await addrArgs(f)), data: SAMPLE, json: false });
      expect(out).to.match(/red button is pressed .* nothing executed; 3 action\(s\) are due/);
      expect(await f.controller.members()).to.deep.equal([]);
    });

    it("fails before sending when a member has no market cap or no source is given", async function () {
      const f = await loadFixture(sanxStackFixture);
      await push(f, await signAll(f, "2023-01-01"));
      await afterNotice(f);
      const u = path.join(tmp(), "u.json");
      writeFileSync(u, JSON.stringify({ date: "2024-06-01", assets: [{ symbol: "UNI", marketCapUsd: 1e9, categories: ["defi"], stablecoin: false, wrapped: false }] }));
      expect(await failureOf("sanx:execute", { ...(await addrArgs(f)), universe: u })).to.match(/no market cap for AAVE, COMP .*nothing was sent/);
      expect(await f.controller.members()).to.deep.equal([]);
      expect(await failureOf("sanx:execute", { ...(await addrArgs(f)) })).to.match(/give --data DIR or --universe FILE/);
    });
  });

  describe("sanx:status", function () {
    it("reports members, targets, pending actions with due times and pause state", async function () {
      const f = await loadFixture(threeMembersFixture);
      const day = await today();
      await f.relaySignal(f.aave, 2n, day);
      await f.vault.connect(f.guardian).pause();
      const s = await status(f);
      expect(s.members.map((m: { symbol: string }) => m.symbol).sort()).to.deep.equal(SYMBOLS);
      expect(s.targets.round).to.equal("2");
      expect(s.targets.entries.map((e: { symbol: string }) => e.symbol).sort()).to.deep.equal(SYMBOLS);
      expect(s.pending).to.deep.equal([
        { symbol: "AAVE", asset: f.aave, kind: "REMOVE", signalDate: new Date(Number(day * DAY) * 1000).toISOString().slice(0, 10), dueAt: Number((day + 3n) * DAY), dueIso: new Date(Number((day + 3n) * DAY) * 1000).toISOString().replace(".000Z", "Z"), due: false },
      ]);
      expect(s.paused).to.deep.equal({ controller: false, vault: true });
      expect(s.reserve).to.deep.equal({ symbol: "USDC", address: f.usdc });
      expect(s.targetsDue).to.equal(false);
      const text = await runCaptured("sanx:status", { ...(await addrArgs(f)), json: false });
      expect(text).to.match(/vault PAUSED \(mint stopped, redeem open\)/);
      expect(text).to.match(/AAVE.*REMOVE/);
    });

    it("fails with sanx:deploy advice when there is no deployment and no address", async function () {
      expect(await failureOf("sanx:status", { json: true, basket: ethers.ZeroAddress })).to.match(/sanx:deploy|--signal-oracle and --basket/);
    });
  });
});
