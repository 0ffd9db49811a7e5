/**
 * SANX through the index:* tasks, and the guardian and governance tasks (pause, unpause, the SANX red
 * button and its lifting, cancelling a pending action), on a deployment made by the tasks themselves.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { IndexVault__factory, SanxController__factory } from "../../typechain-types";
import { loadDeployment } from "../../tasks/lib/deployment";
import type { SanxRecord } from "../../tasks/lib/sanx-deploy";
import { expectUserError, runTask } from "./fixtures";

const root = path.resolve(__dirname, "../..");
const SAMPLE = path.join(root, "sample");
const params = require(path.join(root, "ignition/parameters/hardhat.json"));
const GUARDIAN: string = params.$global.guardian;
const ADMIN: string = params.$global.admin;
const common = { calldata: false, json: false };

describe("SANX in index:*, guardian and governance tasks", function () {
  this.timeout(240_000);
  let record: SanxRecord;
  let ready: SnapshotRestorer;
  const block = () => hre.ethers.provider.getBlockNumber();
  const sanxVault = () => IndexVault__factory.connect(record.sanx.vault, hre.ethers.provider);
  const controller = () => SanxController__factory.connect(record.sanx.controller, hre.ethers.provider);

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
      await runTask(hre, "gov:unpause", { ...common, index: "SANX", from: ADMIN });
      expect(await sanxVault().paused()).to.equal(false);
    });

    it("refuses an account without the role, naming the role and the holder, and sends nothing", async () => {
      const b0 = await block();
      await expectUserError(hre, "guardian:pause", { ...common, index: "MAG7", from: ADMIN }, /needs GUARDIAN_ROLE \(the guardian\) on the MAG7\.ssi vault/);
      await runTask(hre, "guardian:pause", { ...common, index: "MAG7", from: GUARDIAN });
      const b1 = await block();
      await expectUserError(hre, "gov:unpause", { ...common, index: "MAG7", from: GUARDIAN }, /needs DEFAULT_ADMIN_ROLE \(governance: the admin/);
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

  describe("the SANX red button", () => {
    it("guardian:red-button pauses the controller and the SANX vault; gov:lift-red-button lifts both", async () => {
      await runTask(hre, "guardian:red-button", { ...common, from: GUARDIAN });
      expect([await controller().paused(), await sanxVault().paused()]).to.deep.equal([true, true]);
      const s = JSON.parse(await runTask(hre, "sanx:status", { json: true }));
      expect(s.paused).to.deep.equal({ controller: true, vault: true });
      expect(await runTask(hre, "guardian:red-button", { ...common, from: GUARDIAN })).to.match(/SanxController is already paused.*\n.*SANX is already paused/);
      await runTask(hre, "gov:lift-red-button", { ...common, from: ADMIN });
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
      const out = await runTask(hre, "gov:cancel", { ...common, asset: sym, from: ADMIN });
      expect(out).to.match(new RegExp(`cancelling the pending (ADD|REMOVE) ${sym} .*: done`));
      expect((await controller().pending(asset))[0]).to.equal(0n);
      await expectUserError(hre, "gov:cancel", { ...common, asset: sym, from: ADMIN }, new RegExp(`${sym} has no pending SANX action`));
      await expectUserError(hre, "gov:cancel", { ...common, asset: "NOPE", from: ADMIN }, /--asset "NOPE" is neither a symbol nor a token address/);
    });
  });
});
