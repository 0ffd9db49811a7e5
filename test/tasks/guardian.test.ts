/**
 * SANX through the index:* tasks, and the guardian and governance tasks (pause, unpause, the SANX red
 * button and its lifting, cancelling a pending action), on a deployment made by the tasks themselves.
 * The guardian's stops are instant; governance (DEFAULT_ADMIN_ROLE, held by the admin TimelockController)
 * is scheduled by a proposer, waits the timelock's delay, then is executed by running the task again.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ZeroHash } from "ethers";
import hre from "hardhat";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { IndexVault__factory, SanxController__factory, TimelockController__factory } from "../../typechain-types";
import { loadDeployment } from "../../chain/deployment";
import type { SanxRecord } from "../../tasks/lib/sanx-deploy";
import { expectUserError, runTask } from "./fixtures";

const root = path.resolve(__dirname, "../..");
const SAMPLE = path.join(root, "sample");
const params = require(path.join(root, "ignition/parameters/hardhat.json"));
const GUARDIAN: string = params.$global.guardian;
/** A proposer and executor of the admin timelocks (it holds no role on the vaults themselves). */
const ADMIN: string = params.$global.proposers[0];
const DELAY = Number(BigInt(params.$global.minDelay.replace(/n$/, ""))); // {s}
const common = { calldata: false, json: false };

describe("SANX in index:*, guardian and governance tasks", function () {
  this.timeout(240_000);
  let record: SanxRecord;
  let ready: SnapshotRestorer;
  const block = () => hre.ethers.provider.getBlockNumber();
  const sanxVault = () => IndexVault__factory.connect(record.sanx.vault, hre.ethers.provider);
  const controller = () => SanxController__factory.connect(record.sanx.controller, hre.ethers.provider);
  const OP = /as operation (0x[0-9a-f]{64})/;
  /** Runs a gov:* task as the proposer: it schedules (nothing else changes), then, after the delay, executes. */
  async function governThroughTimelock(name: string, args: Record<string, unknown>, unchanged: () => Promise<unknown>, times = 1): Promise<string> {
    const before = await unchanged();
    const scheduled = await runTask(hre, name, { ...common, ...args, from: ADMIN });
    const lines = scheduled.split("\n").filter((l) => /scheduled on the timelock/.test(l));
    expect(lines, scheduled).to.have.length(times);
    for (const l of lines) {
      const [, opId] = OP.exec(l)!;
      const tl = TimelockController__factory.connect(/timelock (0x[0-9a-fA-F]{40})/.exec(l)![1]!, hre.ethers.provider);
      const readyAt = new Date(Number(await tl.getTimestamp(opId!)) * 1000).toISOString().replace(".000Z", "Z");
      expect(l).to.include(`delay ${DELAY} s (1 day), executable from ${readyAt}`);
      const tx = await hre.ethers.provider.getTransactionReceipt(/\(tx (0x[0-9a-f]{64})\)/.exec(l)![1]!);
      const scheduledAt = (await hre.ethers.provider.getBlock(tx!.blockNumber))!.timestamp;
      expect(Number(await tl.getTimestamp(opId!))).to.equal(scheduledAt + DELAY);
      expect(await tl.isOperationPending(opId!)).to.equal(true);
      expect(await tl.isOperationReady(opId!)).to.equal(false);
    }
    expect(await unchanged()).to.deep.equal(before);
    // Before the delay: says when, sends nothing.
    const b = await block();
    const early = await runTask(hre, name, { ...common, ...args, from: ADMIN });
    expect(early).to.match(/already scheduled on the timelock .* executable from .*, not yet: nothing sent/);
    expect(await block()).to.equal(b);
    expect(await unchanged()).to.deep.equal(before);
    await time.increase(DELAY);
    const executed = await runTask(hre, name, { ...common, ...args, from: ADMIN });
    expect(executed.split("\n").filter((l) => /executed through the timelock .*: done \(tx 0x[0-9a-f]{64}\)/.test(l))).to.have.length(times);
    return executed;
  }

  before(async () => {
    await runTask(hre, "ssi:deploy", { sampleMarket: true, reset: false });
    await runTask(hre, "sanx:deploy", { reserve: "USDC" });
    await runTask(hre, "sanx:execute", { data: SAMPLE, json: true }); // the reserve target
    record = loadDeployment("hardhat", 31337) as SanxRecord;
    await runTask(hre, "index:faucet", { amount: "100000" });
    ready = await takeSnapshot();
  });
  beforeEach(() => ready.restore());

  describe("index:* take SANX", () => {
    it("mints, shows and redeems SANX (the reserve basket)", async () => {
      const [me] = await hre.ethers.getSigners();
      const out = await runTask(hre, "index:mint", { index: "SANX", shares: "2" });
      expect(out).to.match(/minting 2 SANX/).and.to.match(/USDC/);
      expect(await sanxVault().balanceOf(me!.address)).to.equal(2n * 10n ** 18n);
      const s = JSON.parse(await runTask(hre, "index:status", { index: "SANX", json: true }));
      expect(s.symbol).to.equal("SANX");
      expect(s.constituents.map((c: { symbol: string }) => c.symbol)).to.deep.equal(["USDC"]);
      await runTask(hre, "index:redeem", { index: "sanx", shares: "2" });
      expect(await sanxVault().balanceOf(me!.address)).to.equal(0n);
    });
  });

  describe("guardian:pause / gov:unpause", () => {
    it("the guardian pauses a vault: mint is refused in words, redemption still works; governance unpauses", async () => {
      await runTask(hre, "index:mint", { index: "MEME", shares: "1" }).catch(() => undefined); // MEME has no weights: ignore
      await runTask(hre, "index:mint", { index: "SANX", shares: "1" });
      const out = await runTask(hre, "guardian:pause", { ...common, index: "SANX", from: GUARDIAN });
      expect(out).to.match(/pausing SANX .*: done \(tx 0x[0-9a-f]{64}\)/);
      expect(await sanxVault().paused()).to.equal(true);
      await expectUserError(hre, "index:mint", { index: "SANX", shares: "1" }, /minting is paused by the guardian/);
      await runTask(hre, "index:redeem", { index: "SANX", shares: "1" });
      expect(await runTask(hre, "guardian:pause", { ...common, index: "SANX", from: GUARDIAN })).to.match(/SANX is already paused: nothing to send/);
      await governThroughTimelock("gov:unpause", { index: "SANX" }, () => sanxVault().paused());
      expect(await sanxVault().paused()).to.equal(false);
      expect(await runTask(hre, "gov:unpause", { ...common, index: "SANX", from: ADMIN })).to.match(/SANX is already unpaused: nothing to send/);
    });

    it("--execute only executes: it refuses when nothing is scheduled, and executes the scheduled call once ready", async () => {
      await runTask(hre, "guardian:pause", { ...common, index: "MAG7", from: GUARDIAN });
      const b0 = await block();
      await expectUserError(hre, "gov:unpause", { ...common, index: "MAG7", from: ADMIN, execute: true }, /unpausing MAG7\.ssi is not scheduled on the timelock .*run without --execute/);
      expect(await block()).to.equal(b0);
      await runTask(hre, "gov:unpause", { ...common, index: "MAG7", from: ADMIN });
      await time.increase(DELAY);
      expect(await runTask(hre, "gov:unpause", { ...common, index: "MAG7", from: ADMIN, execute: true })).to.match(/unpausing MAG7\.ssi: executed through the timelock/);
      expect(await IndexVault__factory.connect(record.products.MAG7!.vault, hre.ethers.provider).paused()).to.equal(false);
    });

    it("refuses an account without the role, naming the role and the holder, and sends nothing", async () => {
      const b0 = await block();
      await expectUserError(hre, "guardian:pause", { ...common, index: "MAG7", from: ADMIN }, /needs GUARDIAN_ROLE \(the guardian\) on the MAG7\.ssi vault/);
      await runTask(hre, "guardian:pause", { ...common, index: "MAG7", from: GUARDIAN });
      const b1 = await block();
      await expectUserError(hre, "gov:unpause", { ...common, index: "MAG7", from: GUARDIAN }, /needs DEFAULT_ADMIN_ROLE \(governance: the admin TimelockController\).*holds neither that role nor PROPOSER_ROLE on the timelock/);
      expect(await block()).to.equal(b1);
      expect(b1).to.equal(b0 + 1);
    });

    it("--calldata prints the proposal for a multisig or timelock and sends nothing", async () => {
      const b0 = await block();
      const [p] = JSON.parse(await runTask(hre, "guardian:pause", { index: "DEFI", calldata: true, json: true }));
      expect(p.target).to.equal(record.products.DEFI!.vault);
      expect(p.data).to.equal(IndexVault__factory.createInterface().encodeFunctionData("pause"));
      expect(p.role).to.match(/GUARDIAN_ROLE/);
      expect(await block()).to.equal(b0);
    });
  });

  describe("a multisig proposer", () => {
    it("--calldata adds the timelock's scheduleBatch/executeBatch; what a proposer schedules from it (or with schedule) the task executes after the delay", async () => {
      await runTask(hre, "guardian:pause", { ...common, index: "MAG7", from: GUARDIAN });
      await runTask(hre, "guardian:pause", { ...common, index: "SANX", from: GUARDIAN });
      const b0 = await block();
      const [p] = JSON.parse(await runTask(hre, "gov:unpause", { index: "MAG7", calldata: true, json: true }));
      expect(await block()).to.equal(b0);
      const tl = TimelockController__factory.connect(record.protocol.admin, hre.ethers.provider);
      expect(p.timelock).to.equal(record.protocol.admin);
      expect(p.minDelay).to.equal(String(DELAY));
      const [targets, values, payloads, predecessor, salt, delay] = tl.interface.decodeFunctionData("scheduleBatch", p.schedule.data);
      expect([[...targets], [...values], [...payloads], predecessor, salt, delay]).to.deep.equal([[record.products.MAG7!.vault], [0n], [p.data], ZeroHash, p.salt, BigInt(DELAY)]);
      expect(p.data).to.equal(IndexVault__factory.createInterface().encodeFunctionData("unpause"));
      // The proposer (here an unlocked account standing for the multisig) sends the printed transaction.
      const proposer = await hre.ethers.getSigner(ADMIN);
      await (await proposer.sendTransaction({ to: p.schedule.to, data: p.schedule.data })).wait();
      // SANX's unpause scheduled as a single call (`schedule`), as a multisig UI may do.
      const sanxTl = TimelockController__factory.connect(record.sanx.admin!, proposer);
      const unpause = IndexVault__factory.createInterface().encodeFunctionData("unpause");
      await (await sanxTl.schedule(record.sanx.vault, 0n, unpause, ZeroHash, ZeroHash, BigInt(DELAY))).wait();
      expect(await runTask(hre, "gov:unpause", { ...common, index: "MAG7", from: ADMIN })).to.match(/already scheduled on the timelock .*, not yet: nothing sent/);
      await time.increase(DELAY);
      expect(await runTask(hre, "gov:unpause", { ...common, index: "MAG7", from: ADMIN, execute: true })).to.match(/unpausing MAG7\.ssi: executed through the timelock/);
      expect(await runTask(hre, "gov:unpause", { ...common, index: "SANX", from: ADMIN, execute: true })).to.match(/unpausing SANX: executed through the timelock/);
      expect(await IndexVault__factory.connect(record.products.MAG7!.vault, hre.ethers.provider).paused()).to.equal(false);
      expect(await sanxVault().paused()).to.equal(false);
      expect(await tl.isOperationDone(await tl.hashOperationBatch([record.products.MAG7!.vault], [0n], [p.data], ZeroHash, p.salt))).to.equal(true);
    });
  });

  describe("the SANX red button", () => {
    it("guardian:red-button pauses the controller and the SANX vault; gov:lift-red-button lifts both", async () => {
      await runTask(hre, "guardian:red-button", { ...common, from: GUARDIAN });
      expect([await controller().paused(), await sanxVault().paused()]).to.deep.equal([true, true]);
      const s = JSON.parse(await runTask(hre, "sanx:status", { json: true }));
      expect(s.paused).to.deep.equal({ controller: true, vault: true });
      expect(await runTask(hre, "guardian:red-button", { ...common, from: GUARDIAN })).to.match(/SanxController is already paused.*\n.*SANX is already paused/);
      await governThroughTimelock("gov:lift-red-button", {}, async () => [await controller().paused(), await sanxVault().paused()], 2);
      expect([await controller().paused(), await sanxVault().paused()]).to.deep.equal([false, false]);
    });
  });

  describe("gov:cancel", () => {
    it("cancels a pending SANX action; a second cancel says there is nothing pending", async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "gov-")), "signals.json");
      await runTask(hre, "sanx:signals", { data: SAMPLE, out: file, from: "2023-01-01" });
      await runTask(hre, "sanx:push-signals", { file, json: true });
      const pending = JSON.parse(await runTask(hre, "sanx:status", { json: true })).pending as { symbol: string }[];
      expect(pending.length).to.be.greaterThan(0);
      const sym = pending[0]!.symbol;
      const asset = record.tokens[record.assets[sym]!]!.address;
      expect((await controller().pending(asset))[0]).to.not.equal(0n);
      await expectUserError(hre, "gov:cancel", { ...common, asset: sym, from: GUARDIAN }, /needs DEFAULT_ADMIN_ROLE/);
      const out = await governThroughTimelock("gov:cancel", { asset: sym }, async () => (await controller().pending(asset))[0]);
      expect(out).to.match(new RegExp(`cancelling the pending (ADD|REMOVE) ${sym} .*: executed through the timelock .*: done`));
      expect((await controller().pending(asset))[0]).to.equal(0n);
      await expectUserError(hre, "gov:cancel", { ...common, asset: sym, from: ADMIN }, new RegExp(`${sym} has no pending SANX action`));
      await expectUserError(hre, "gov:cancel", { ...common, asset: "NOPE", from: ADMIN }, /--asset "NOPE" is neither a symbol nor a token address/);
    });
  });
});
