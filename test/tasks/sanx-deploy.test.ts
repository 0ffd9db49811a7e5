import { expect } from "chai";
import path from "node:path";
import hre from "hardhat";
import { IndexVault__factory, SanxBasket__factory, SanxController__factory, SignalOracle__factory } from "../../typechain-types";
import { ROLE } from "../../ignition/modules/roles";
import { SIGNAL_SOURCE_ROLE } from "../../ignition/modules/Sanx";
import { defiSymbols } from "../../src/sanx/data";
import { loadDeployment } from "../../chain/deployment";
import { deploySsi } from "../../tasks/lib/ssi-deploy";
import type { SanxRecord } from "../../tasks/lib/sanx-deploy";
import { expectUserError, runTask } from "./fixtures";

const root = path.resolve(__dirname, "../..");
const params = require(path.join(root, "ignition/parameters/hardhat.json"));

describe("sanx:deploy", function () {
  this.timeout(180_000);
  let record: SanxRecord;

  before(async () => {
    await deploySsi(hre, { sampleMarket: true });
    await runTask(hre, "sanx:deploy", { reserve: "USDC" });
    record = loadDeployment("hardhat", 31337) as SanxRecord;
  });

  it("adds the SANX contracts, universe, reserve and signer set to the record", () => {
    const s = record.sanx;
    expect(new Set([s.signalOracle, s.controller, s.basket, s.vault]).size).to.equal(4);
    expect(s.reserve).to.equal("USDC");
    const defi = defiSymbols();
    expect(s.universe).to.deep.equal(Object.keys(record.assets).filter((a) => defi.has(a)).sort());
    expect(s.universe).to.include.members(["UNI", "AAVE", "COMP"]);
    expect(s.signers).to.deep.equal(record.protocol.signers);
    expect([s.quorum, s.delayDays]).to.deep.equal([record.protocol.quorum, 3]);
  });

  it("wires the roles: the gate, not the WeightOracle, sets the SANX vault's targets", async () => {
    const p = hre.ethers.provider;
    const s = record.sanx;
    const g = params.$global;
    const vault = IndexVault__factory.connect(s.vault, p);
    expect(await vault.hasRole(ROLE.ORACLE, s.basket)).to.equal(true);
    expect(await vault.hasRole(ROLE.ORACLE, record.protocol.weightOracle)).to.equal(false);
    expect(await vault.hasRole(ROLE.GUARDIAN, g.guardian)).to.equal(true);
    expect(await vault.priceRegistry()).to.equal(record.protocol.priceRegistry);
    const controller = SanxController__factory.connect(s.controller, p);
    expect(await controller.hasRole(SIGNAL_SOURCE_ROLE, s.signalOracle)).to.equal(true);
    expect(await controller.hasRole(ROLE.GUARDIAN, g.guardian)).to.equal(true);
    expect(await controller.basket()).to.equal(s.basket);
    const basket = SanxBasket__factory.connect(s.basket, p);
    expect(await basket.weightOracle()).to.equal(record.protocol.weightOracle);
    expect(await basket.reserveAsset()).to.equal(record.tokens.USDC!.address);
    const oracle = SignalOracle__factory.connect(s.signalOracle, p);
    expect((await oracle.universe()).length).to.equal(s.universe.length);
    expect(await oracle.quorum()).to.equal(BigInt(s.quorum));
  });

  it("leaves DEFAULT_ADMIN with SANX's timelock alone, the guardian able to cancel, and the deployer with no role it was not given", async () => {
    const s = record.sanx;
    const [deployer] = await hre.ethers.getSigners();
    expect(s.admin).to.equal(s.timelock!.address);
    for (const [name, roles] of Object.entries(s.roleHolders!)) {
      const { address, ...byRole } = roles;
      expect(byRole.DEFAULT_ADMIN_ROLE, name).to.deep.equal([name === "TimelockController" ? address : s.admin]);
    }
    expect(s.roleHolders!.TimelockController!.CANCELLER_ROLE).to.include(params.$global.guardian);
    // hardhat.json makes account 0 the timelock's proposer/executor on this local network; nothing else.
    for (const [name, roles] of Object.entries(s.roleHolders!)) {
      const { address: _address, ...byRole } = roles;
      for (const [role, holders] of Object.entries(byRole)) {
        if ((holders as string[]).includes(deployer!.address)) expect(`${name}:${role}`).to.be.oneOf(["TimelockController:PROPOSER_ROLE", "TimelockController:EXECUTOR_ROLE", "TimelockController:CANCELLER_ROLE"]);
      }
    }
  });

  it("lets the other sanx tasks find the contracts in the record: status, then the reserve target", async () => {
    const before = JSON.parse(await runTask(hre, "sanx:status", { json: true }));
    expect([before.targets.round, before.members, before.paused]).to.deep.equal(["0", [], { controller: false, vault: false }]);
    const r = JSON.parse(await runTask(hre, "sanx:execute", { data: path.join(root, "sample"), json: true }));
    expect(r.weights.kind).to.equal("RESERVE");
    const after = JSON.parse(await runTask(hre, "sanx:status", { json: true }));
    expect(after.targets.entries).to.deep.equal([{ symbol: "USDC", address: record.tokens.USDC!.address, weight: "1000000000000000000" }]);
  });

  it("fails clearly on a reserve the market does not hold", async () => {
    await expectUserError(hre, "sanx:deploy", { reserve: "NOPE" }, /no token in deployments\/hardhat.json for NOPE/);
  });
});
