import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { HDNodeWallet } from "ethers";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { IndexVault__factory, MockERC20__factory, PriceRegistry__factory, WeightOracle__factory } from "../../typechain-types";
import { loadUniverseFile } from "../../src/data/universe";
import { computeIndex, MAG7, MEME, DEFI, targetUnits, WAD } from "../../src/methodology";
import { deploymentFile, loadDeployment, type DeploymentRecord } from "../../chain/deployment";
import { signReport, signedReportToJson, type WeightReport } from "../../chain/weight-reports";
import { ROLE } from "../../ignition/modules/roles";
import { checkPowerBeforeDeploy, executeRedeem, planRedeem } from "../../chain/ssi";
import { deploySsi } from "../../tasks/lib/ssi-deploy";
import type { Client } from "../../chain/client";
import { TimelockController__factory, checkRoleTable } from "../../chain/governance";
import { projectRedeemAmounts } from "../../src/vault/fees";
import { expectUserError, runTask } from "./fixtures";
import { clientFromHre } from "../../tasks/lib/client";

const root = path.resolve(__dirname, "../..");
const sample = path.join(root, "sample/universe.json");
const sampleNext = path.join(root, "sample/universe-next.json");
const params = require(path.join(root, "ignition/parameters/hardhat.json"));

function ceilDiv(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}

describe("SSI chain tasks (ssi:deploy, ssi:push-weights, index:*)", function () {
  this.timeout(120_000);
  let record: DeploymentRecord;
  let deployed: SnapshotRestorer;
  const tmp = mkdtempSync(path.join(tmpdir(), "ssi-tasks-"));

  const block = () => hre.ethers.provider.getBlockNumber();
  const vault = (name: "MAG7" | "MEME" | "DEFI") => IndexVault__factory.connect(record.products[name]!.vault, hre.ethers.provider);

  before(async () => {
    await runTask(hre, "ssi:deploy", { sampleMarket: true, reset: false });
    record = loadDeployment("hardhat", 31337);
    deployed = await takeSnapshot();
  });

  describe("ssi:deploy", () => {
    it("writes the record with the protocol, one vault per product and the symbol -> token mapping", () => {
      expect(Object.keys(record.products)).to.deep.equal(["MAG7", "MEME", "DEFI"]);
      expect(record.products.MAG7!.symbol).to.equal("MAG7.ssi");
      expect(new Set(Object.values(record.products).map((p) => p.vault)).size).to.equal(3);
      expect(record.assets.BTC).to.equal("cbBTC");
      expect(record.assets.ETH).to.equal("WETH");
      expect(record.assets.DOGE).to.equal("DOGE");
      expect(record.protocol.signers).to.deep.equal(params.WeightOracle.signers);
    });

    it("grants exactly the parameters' roles and registers every feed (read back on chain)", async () => {
      const g = params.$global;
      const oracle = record.protocol.weightOracle;
      for (const name of ["MAG7", "MEME", "DEFI"] as const) {
        const v = vault(name);
        expect(await v.hasRole(ROLE.ORACLE, oracle)).to.equal(true);
        expect(await v.hasRole(ROLE.GUARDIAN, g.guardian)).to.equal(true);
        expect(await v.hasRole(ROLE.KEEPER, g.keeper)).to.equal(false); // the keeper's role is on the vault's Rebalancer
        expect(await v.hasRole(ROLE.DEFAULT_ADMIN, record.protocol.timelock!.address)).to.equal(true);
        expect(await v.hasRole(ROLE.DEFAULT_ADMIN, record.protocol.deployer)).to.equal(false);
        expect((await v.feeState()).recipient).to.equal(g.feeRecipient);
        expect(await v.initialNavPerShare()).to.equal(BigInt(g.initialNavPerShare.slice(0, -1)));
      }
      const o = WeightOracle__factory.connect(oracle, hre.ethers.provider);
      expect(await o.quorum()).to.equal(BigInt(params.WeightOracle.quorum));
      for (const s of params.WeightOracle.signers) expect(await o.isSigner(s)).to.equal(true);
      const registry = PriceRegistry__factory.connect(record.protocol.priceRegistry, hre.ethers.provider);
      for (const t of Object.values(record.tokens)) expect((await registry.feedOf(t.address))[0]).to.equal(t.feed);
    });
  });

  describe("end to end: push weights, faucet, mint, status, redeem", () => {
    before(() => deployed.restore());

    it("ssi:push-weights puts the methodology's weights on chain for every product", async () => {
      const universe = loadUniverseFile(sample);
      for (const def of [MAG7, MEME, DEFI]) {
        await runTask(hre, "ssi:push-weights", { index: def.name, universe: sample, validFor: "3600", json: false });
        const expected = computeIndex(def, universe);
        const [round, tokens, weights] = await vault(def.name as "MAG7").targets();
        expect(round).to.equal(1n);
        expect(weights).to.deep.equal(expected.constituents.map((c) => c.weight));
        expect(tokens).to.deep.equal(expected.constituents.map((c) => record.tokens[record.assets[c.symbol.toUpperCase()]!]!.address));
      }
    });

    it("index:mint pulls ceil(shares * units), units = the methodology's w * NAV0 / price, and leaves no allowance", async () => {
      const [me] = await hre.ethers.getSigners();
      await runTask(hre, "index:faucet", { amount: "100000" });
      const v = vault("MAG7");
      const [tokens, weights] = [(await v.targets())[1], (await v.targets())[2]];
      const before = await Promise.all(tokens.map((t) => MockERC20__factory.connect(t, hre.ethers.provider).balanceOf(me!.address)));
      const out = await runTask(hre, "index:mint", { index: "MAG7", shares: "2.5" });
      expect(out).to.match(/minting 2\.5 MAG7\.ssi/);
      expect(await v.balanceOf(me!.address)).to.equal(25n * WAD / 10n);
      const nav0 = await v.initialNavPerShare();
      for (let i = 0; i < tokens.length; i++) {
        const t = Object.values(record.tokens).find((x) => x.address === tokens[i])!;
        const erc = MockERC20__factory.connect(tokens[i]!, hre.ethers.provider);
        const price = (BigInt(await (await hre.ethers.getContractAt("MockAggregator", t.feed)).latestAnswer()) * 10n ** 10n);
        // Methodology section 3 (src/methodology targetUnits, rounded down), then the inbound amount rounded up.
        const units = targetUnits(weights[i]!, nav0, price, t.decimals);
        const amount = ceilDiv(25n * WAD / 10n * units, WAD);
        expect(await erc.balanceOf(record.products.MAG7!.vault)).to.equal(amount);
        expect(before[i]! - (await erc.balanceOf(me!.address))).to.equal(amount);
        expect(await erc.allowance(me!.address, record.products.MAG7!.vault)).to.equal(0n);
      }
    });

    it("index:mint names a shortfall in token amounts with their symbols, and sends nothing", async () => {
      const b0 = await block();
      let message = "";
      try {
        await runTask(hre, "index:mint", { index: "MAG7", shares: "1000000" });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.match(/does not hold enough of every constituent \(BTC: have [\d,]+(\.\d+)? BTC, need [\d,]+(\.\d+)? BTC; /);
      expect(message).to.match(/need \d{1,3}(,\d{3})+(\.\d+)? /); // thousands separated, not raw base units
      expect(await block()).to.equal(b0);
    });

    it("index:status --json shows composition, NAV about 2.5 x 100 USD, fee and pause state", async () => {
      const s = JSON.parse(await runTask(hre, "index:status", { index: "MAG7", json: true }));
      expect(s.symbol).to.equal("MAG7.ssi");
      expect(s.constituents.map((c: { symbol: string }) => c.symbol)).to.deep.equal(["BTC", "ETH", "XRP", "BNB", "SOL", "DOGE", "ADA"]);
      expect(s.targetsRound).to.equal("1");
      expect(s.paused).to.equal(false);
      expect(s.fee.rate).to.equal(BigInt(params.$global.feeRate.slice(0, -1)).toString());
      const nav = BigInt(s.nav);
      // Units are rounded down and amounts up: the NAV is 2.5 x 100 USD to within a cent.
      const diff = nav > 250n * WAD ? nav - 250n * WAD : 250n * WAD - nav;
      expect(diff < WAD / 100n, `nav ${nav}`).to.equal(true);
      const table = await runTask(hre, "index:status", { index: "MAG7", json: false });
      expect(table).to.match(/NAV per token/).and.to.match(/BTC/);
    });

    it("index:redeem pays previewRedeem of its block and burns the shares", async () => {
      const [me] = await hre.ethers.getSigners();
      const v = vault("MAG7");
      const [tokens] = await v.basket();
      const ercs = tokens.map((t) => MockERC20__factory.connect(t, hre.ethers.provider));
      const before = await Promise.all(ercs.map((e) => e.balanceOf(me!.address)));
      await runTask(hre, "index:redeem", { index: "MAG7", shares: "1" });
      expect(await v.balanceOf(me!.address)).to.equal(15n * WAD / 10n);
      // What the vault paid is previewRedeem read in the block before, less one second of fee (1%/year) and rounding.
      const redeemBlock = await block();
      const [, preview] = await v.previewRedeem(WAD, { blockTag: redeemBlock - 1 });
      const paid = await Promise.all(ercs.map(async (e, i) => (await e.balanceOf(me!.address)) - before[i]!));
      for (let i = 0; i < paid.length; i++) {
        expect(paid[i]! <= preview[i]! && paid[i]! + 1n + preview[i]! / 1_000_000n >= preview[i]!, `constituent ${i}: paid ${paid[i]} preview ${preview[i]}`).to.equal(true);
      }
    });

    it("executeRedeem with a skip list calls redeemSkipping: nothing of the skipped token is sent, the event records it", async () => {
      const restore = await takeSnapshot();
      try {
        const [me] = await hre.ethers.getSigners();
        const v = vault("MAG7").connect(me!);
        const [tokens] = await v.basket();
        const skipped = tokens[0]!;
        const erc = MockERC20__factory.connect(skipped, hre.ethers.provider);
        const held = await erc.balanceOf(await v.getAddress());
        const mine = await erc.balanceOf(me!.address);
        const plan = await planRedeem(record, v, me!, WAD / 2n, "MAG7.ssi");
        const hash = await executeRedeem(v, me!, WAD / 2n, me!.address, plan, [skipped]);
        const receipt = await hre.ethers.provider.getTransactionReceipt(hash);
        const event = receipt!.logs.map((l) => v.interface.parseLog(l)).find((e) => e?.name === "RedeemSkipped");
        expect(event!.args.tokens).to.deep.equal([skipped]);
        expect(event!.args.amounts[0]).to.be.greaterThan(0n);
        expect(await erc.balanceOf(me!.address)).to.equal(mine);
        expect(await erc.balanceOf(await v.getAddress())).to.equal(held);
      } finally {
        await restore.restore();
      }
    });

    it("index:refresh-feeds revives mock feeds that outlived their heartbeat (NAV works again; in-kind mint never needed prices)", async () => {
      const restore = await takeSnapshot();
      try {
        const registry = PriceRegistry__factory.connect(record.protocol.priceRegistry, hre.ethers.provider);
        const btc = record.tokens[record.assets.BTC!]!;
        await time.increase(btc.heartbeat + 1);
        // Stale: the registry refuses the price, so the NAV views revert...
        await expect(registry.price(btc.address)).to.be.revertedWithCustomError(registry, "StalePrice");
        await expect(vault("MAG7").navPerShare()).to.be.reverted;
        // ...while in-kind mint of a running vault uses its stored units and never reads a price.
        await runTask(hre, "index:mint", { index: "MAG7", shares: "1" });
        const out = await runTask(hre, "index:refresh-feeds", {});
        expect(out).to.match(/refreshed \d+ mock feed/);
        expect(await registry.price(btc.address)).to.be.greaterThan(0n);
        expect(await vault("MAG7").navPerShare()).to.be.greaterThan(0n);
      } finally {
        await restore.restore();
      }
    });

    it("mints and redeems MEME and DEFI too", async () => {
      const [me] = await hre.ethers.getSigners();
      for (const name of ["MEME", "DEFI"] as const) {
        await runTask(hre, "index:mint", { index: name, shares: "3" });
        await runTask(hre, "index:redeem", { index: name, shares: "3" });
        expect(await vault(name).balanceOf(me!.address)).to.equal(0n);
      }
    });

    it("--out writes a signed report without sending (creating its folder); --report relays it (next month, incumbents from chain)", async () => {
      const file = path.join(tmp, "reports", "2026-10", "meme-round2.json"); // a folder that does not exist yet
      const b0 = await block();
      await runTask(hre, "ssi:push-weights", { index: "MEME", universe: sampleNext, out: file, validFor: "3600", json: false });
      expect(await block()).to.equal(b0);
      expect((await vault("MEME").targets())[0]).to.equal(1n);
      await runTask(hre, "ssi:push-weights", { index: "MEME", report: file, validFor: "3600", json: false });
      const first = computeIndex(MEME, loadUniverseFile(sample)).constituents.map((c) => c.symbol);
      const expected = computeIndex(MEME, loadUniverseFile(sampleNext), first);
      const [round, , weights] = await vault("MEME").targets();
      expect(round).to.equal(2n);
      expect(weights).to.deep.equal(expected.constituents.map((c) => c.weight));
      // Relayed twice: the WeightOracle's RoundNotNext(index, 2, 3) in words, nothing sent.
      const b1 = await block();
      await expectUserError(hre, "ssi:push-weights", { index: "MEME", report: file, validFor: "3600", json: false }, /round 2 is not the next round \(expected 3\): this report \(or a later one\) was already relayed/);
      expect(await block()).to.equal(b1);
    });
  });

  describe("refusals send nothing", () => {
    beforeEach(() => deployed.restore());

    const cases: [string, string, Record<string, unknown>, RegExp][] = [
      ["unknown index", "index:mint", { index: "FOO", shares: "1" }, /--index "FOO" is not one of MAG7, MEME, DEFI/],
      ["non-positive amount", "index:mint", { index: "MAG7", shares: "0" }, /--shares must be greater than zero/],
      ["unparsable amount", "index:redeem", { index: "MAG7", shares: "1e3" }, /--shares "1e3" is not a positive decimal number/],
      ["bad address", "index:mint", { index: "MAG7", shares: "1", to: "0x1234" }, /--to "0x1234" is not an address/],
      ["bad faucet address", "index:faucet", { to: "alice", amount: "10" }, /--to "alice" is not an address/],
      ["an address with a bad checksum", "index:redeem", { index: "MAG7", shares: "1", to: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" }, /--to "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" has a bad checksum/],
      ["missing universe file", "ssi:push-weights", { index: "MAG7", universe: "nope.json", validFor: "3600", json: false }, /file not found: nope\.json/],
      ["zero validity", "ssi:push-weights", { index: "MAG7", universe: sample, validFor: "0", json: false }, /--valid-for "0" is not a positive whole number/],
      ["validity above the oracle's", "ssi:push-weights", { index: "MAG7", universe: sample, validFor: "999999", json: false }, /exceeds the oracle's maximum validity of 86400/],
      ["mint before any weights", "index:mint", { index: "DEFI", shares: "1" }, /no target weights yet: run ssi:push-weights first/],
      ["redeem more than held", "index:redeem", { index: "MAG7", shares: "1" }, /holds 0 MAG7\.ssi, cannot redeem 1/],
    ];
    for (const [what, name, args, message] of cases) {
      it(`${name} refuses ${what}`, async () => {
        const b0 = await block();
        await expectUserError(hre, name, args, message);
        expect(await block(), "a transaction was sent").to.equal(b0);
      });
    }

    it("ssi:push-weights refuses malformed JSON naming the file", async () => {
      const bad = path.join(tmp, "bad.json");
      writeFileSync(bad, '{"date": "2026-09-30", "assets": [');
      const b0 = await block();
      await expectUserError(hre, "ssi:push-weights", { index: "MAG7", universe: bad, validFor: "3600", json: false }, /bad\.json is not valid JSON/);
      await expectUserError(hre, "ssi:push-weights", { index: "MAG7", report: bad, validFor: "3600", json: false }, /bad\.json is not valid JSON/);
      expect(await block()).to.equal(b0);
    });

    it("ssi:push-weights names every universe symbol the deployment has no token for", async () => {
      const universe = JSON.parse(require("node:fs").readFileSync(sample, "utf8"));
      universe.assets.push({ symbol: "NEWMEME", marketCapUsd: 9e11, categories: ["meme"], stablecoin: false, wrapped: false });
      const file = path.join(tmp, "with-new.json");
      writeFileSync(file, JSON.stringify(universe));
      const b0 = await block();
      await expectUserError(hre, "ssi:push-weights", { index: "MEME", universe: file, validFor: "3600", json: false }, /no token in deployments\/hardhat\.json for NEWMEME/);
      expect(await block()).to.equal(b0);
    });

    it("ssi:push-weights --report refuses a report signed by accounts outside the signer set", async () => {
      const signers = await hre.ethers.getSigners();
      const strangers = [signers[8]!, signers[9]!];
      const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, hre.ethers.provider);
      const expected = computeIndex(MAG7, loadUniverseFile(sample));
      const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
      const report: WeightReport = {
        index: record.products.MAG7!.vault,
        round: 1n,
        validAfter: now,
        expiresAt: now + 600n,
        constituents: expected.constituents.map((c) => record.tokens[record.assets[c.symbol.toUpperCase()]!]!.address),
        weights: expected.constituents.map((c) => c.weight),
      };
      const [, name, version, chainId, verifyingContract] = await oracle.eip712Domain();
      const domain = { name, version, chainId, verifyingContract };
      const file = path.join(tmp, "strangers.json");
      writeFileSync(file, JSON.stringify(signedReportToJson({ report, domain, signatures: await signReport(strangers, domain, report) })));
      const b0 = await block();
      await expectUserError(hre, "ssi:push-weights", { index: "MAG7", report: file, validFor: "3600", json: false }, /not in the oracle's signer set: refused, nothing was sent/);
      expect(await block()).to.equal(b0);
      expect((await IndexVault__factory.connect(record.products.MAG7!.vault, hre.ethers.provider).targets())[0]).to.equal(0n);
      // One real signer is not enough for the 2-of-3 quorum either.
      writeFileSync(file, JSON.stringify(signedReportToJson({ report, domain, signatures: await signReport([signers[4]!], domain, report) })));
      await expectUserError(hre, "ssi:push-weights", { index: "MAG7", report: file, validFor: "3600", json: false }, /1 distinct signer\(s\), the quorum is 2/);
      expect(await block()).to.equal(b0);
    });

    it("index:faucet refuses a network whose market is not a sample market", async () => {
      const file = deploymentFile("hardhat");
      const saved = require("node:fs").readFileSync(file, "utf8");
      writeFileSync(file, JSON.stringify({ ...JSON.parse(saved), sampleMarket: false }));
      try {
        await expectUserError(hre, "index:faucet", { amount: "10" }, /has no sample market/);
      } finally {
        writeFileSync(file, saved);
      }
    });

    it("tasks say 'run ssi:deploy first' when the record is missing", async () => {
      const file = deploymentFile("hardhat");
      const moved = file + ".moved";
      renameSync(file, moved);
      try {
        await expectUserError(hre, "index:status", { index: "MAG7", json: false }, /run `npx hardhat ssi:deploy --network hardhat --sample-market` first/);
      } finally {
        renameSync(moved, file);
      }
      expect(existsSync(file)).to.equal(true);
    });
  });

  describe("signer keys, redeem minimums, admin handover", () => {
    beforeEach(() => deployed.restore());
    const MNEMONIC = "test test test test test test test test test test test junk";
    const key = (i: number) => HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey;

    afterEach(() => {
      delete process.env.ORACLE_SIGNER_KEYS;
    });

    it("signs with ORACLE_SIGNER_KEYS when set, and refuses a key outside the signer set", async () => {
      process.env.ORACLE_SIGNER_KEYS = `${key(5)}, ${key(6)}`;
      await runTask(hre, "ssi:push-weights", { index: "DEFI", universe: sample, validFor: "600", json: false });
      expect((await vault("DEFI").targets())[0]).to.equal(1n);
      process.env.ORACLE_SIGNER_KEYS = `${key(5)},${key(9)}`;
      const b0 = await block();
      await expectUserError(hre, "ssi:push-weights", { index: "MAG7", universe: sample, validFor: "600", json: false }, /ORACLE_SIGNER_KEYS holds 0x[0-9a-fA-F]{40}, which is not a signer/);
      process.env.ORACLE_SIGNER_KEYS = "0x1234";
      await expectUserError(hre, "ssi:push-weights", { index: "MAG7", universe: sample, validFor: "600", json: false }, /ORACLE_SIGNER_KEYS entry 1 is not a private key/);
      expect(await block()).to.equal(b0);
    });

    it("the projected redeem minimum equals the vault's previewRedeem at that moment", async () => {
      await runTask(hre, "ssi:push-weights", { index: "MAG7", universe: sample, validFor: "600", json: false });
      await runTask(hre, "index:faucet", { amount: "100000" });
      await runTask(hre, "index:mint", { index: "MAG7", shares: "7" });
      const v = vault("MAG7");
      const [, stored, scale] = await v.rawBasket();
      const fee = await v.feeState();
      expect(fee.rate > 0n).to.equal(true);
      const shares = 3n * WAD;
      for (const later of [1n, 600n, 86_400n * 30n]) {
        const at = fee.lastAccrual + later;
        const projected = projectRedeemAmounts({ storedUnits: stored, scale, feeRate: fee.rate, now: fee.lastAccrual }, shares, at);
        const snap = await takeSnapshot();
        await time.increaseTo(at);
        const [, preview] = await v.previewRedeem(shares, { blockTag: await block() });
        await snap.restore();
        // Two-step accrual (view now, then projected) vs the chain's: equal up to one unit of rounding.
        for (let i = 0; i < preview.length; i++) {
          const d = projected[i]! - preview[i]!;
          expect(d >= -1n && d <= 1n, `${later}s constituent ${i}: projected ${projected[i]} preview ${preview[i]}`).to.equal(true);
        }
      }
    });

    // Review point 4 (issue 13): per-module `admin` parameters were half-applied, leaving the deployer
    // DEFAULT_ADMIN on all eight contracts. Now the one admin is the timelock Ignition deploys, whatever
    // a module's parameters say, and the task fails if anyone else holds DEFAULT_ADMIN anywhere.
    it("leaves DEFAULT_ADMIN with the timelock alone and the deployer with no role, even with per-module admin parameters", async () => {
      const file = deploymentFile("hardhat");
      const saved = readFileSync(file, "utf8");
      const signers = await hre.ethers.getSigners();
      const multisig = signers[9]!.address;
      const p = JSON.parse(readFileSync(path.join(root, "ignition/parameters/hardhat.json"), "utf8"));
      for (const m of ["PriceRegistry", "WeightOracle", "IndexVault_MAG7", "IndexVault_MEME", "IndexVault_DEFI", "Rebalance_MAG7", "Rebalance_MEME", "Rebalance_DEFI"]) {
        p[m] = { ...(p[m] ?? {}), admin: multisig };
      }
      p.Governance = { proposers: [multisig], executors: [multisig], minDelay: "172800n" };
      const pfile = path.join(tmp, "params-handover.json");
      writeFileSync(pfile, JSON.stringify(p));
      try {
        const rec = await deploySsi(hre, { sampleMarket: false, parametersFile: pfile });
        const deployer = signers[0]!.address;
        const timelock = rec.protocol.timelock!;
        expect(rec.protocol.admin).to.equal(timelock.address);
        expect([timelock.proposers, timelock.executors, timelock.minDelay]).to.deep.equal([[multisig], [multisig], 172_800]);
        const contracts = [rec.protocol.priceRegistry, rec.protocol.weightOracle, ...Object.values(rec.products).flatMap((x) => [x.vault, x.rebalancer!])];
        expect(contracts).to.have.length(8);
        for (const a of contracts) {
          const c = IndexVault__factory.connect(a, hre.ethers.provider); // hasRole: same ABI on every AccessControl
          expect(await c.hasRole(ROLE.DEFAULT_ADMIN, timelock.address)).to.equal(true);
          for (const who of [deployer, multisig]) expect(await c.hasRole(ROLE.DEFAULT_ADMIN, who)).to.equal(false);
        }
        // The record lists every role holder; the deployer appears nowhere, the timelock is the only admin.
        const holders = rec.protocol.roleHolders!;
        expect(Object.keys(holders)).to.include.members(["TimelockController", "PriceRegistry", "WeightOracle", "MAG7", "MAG7 Rebalancer"]);
        for (const [name, roles] of Object.entries(holders)) {
          const { address, ...byRole } = roles;
          expect(address, name).to.be.a("string");
          for (const [role, accounts] of Object.entries(byRole)) expect(accounts, `${name} ${role}`).to.not.include(deployer);
          expect(byRole.DEFAULT_ADMIN_ROLE, name).to.deep.equal([name === "TimelockController" ? address : timelock.address]);
        }
        expect(holders.TimelockController!.CANCELLER_ROLE).to.include(params.$global.guardian);
        expect(rec.products.MAG7!.vault).to.not.equal(record.products.MAG7!.vault);
      } finally {
        writeFileSync(file, saved);
      }
    });

    it("refuses, on a non-local network, a timelock proposer that is the deployer or a plain key; --allow-eoa-admin warns instead", async () => {
      const signers = await hre.ethers.getSigners();
      const deployer = signers[0]!.address;
      const fake: Client = { ...clientFromHre(hre), network: "sepolia", local: false };
      const registry = record.protocol.priceRegistry; // any contract stands in for a multisig here
      const gp = (proposers: string[]) => ({ minDelay: 172_800n, proposers, executors: [registry], guardian: signers[1]!.address });
      const roles = { guardian: signers[1]!.address, keeper: signers[2]!.address, feeRecipient: signers[3]!.address };
      const check = (proposers: string[], allowEoaAdmin = false, r = roles) => checkPowerBeforeDeploy(fake, { gp: gp(proposers), roles: r, deployer, allowEoaAdmin, what: "ssi:deploy" });
      await expect(check([deployer])).to.be.rejectedWith(/timelock proposer 0x[0-9a-fA-F]{40} is the deployer/);
      await expect(check([signers[9]!.address])).to.be.rejectedWith(/has no code \(a plain key, not a multisig\)/);
      await expect(check([registry], false, { ...roles, keeper: deployer })).to.be.rejectedWith(/keeper 0x[0-9a-fA-F]{40} is the deployer/);
      expect(await check([registry])).to.deep.equal([]);
      const warned = await check([deployer], true);
      expect(warned.join("\n")).to.match(/WARNING \(--allow-eoa-admin\).*is the deployer/);
      // A local network leaves the choice to its parameters (hardhat accounts are plain keys).
      expect(await checkPowerBeforeDeploy(clientFromHre(hre), { gp: gp([deployer]), roles, deployer, allowEoaAdmin: false, what: "ssi:deploy" })).to.deep.equal([]);
    });

    it("queues every admin change on the timelock for its delay; the guardian can cancel it and do nothing else there", async () => {
      const [proposer, guardian, , , , , , , , attacker] = await hre.ethers.getSigners();
      const timelock = TimelockController__factory.connect(record.protocol.admin, proposer!);
      const mag7 = vault("MAG7");
      const data = mag7.interface.encodeFunctionData("grantRole", [ROLE.ORACLE, attacker!.address]);
      const salt = hre.ethers.id("steal");
      const delay = await timelock.getMinDelay();
      expect(delay).to.equal(BigInt(params.$global.minDelay.slice(0, -1)));
      await timelock.schedule(mag7, 0, data, hre.ethers.ZeroHash, salt, delay);
      const opId = await timelock.hashOperation(mag7, 0, data, hre.ethers.ZeroHash, salt);
      await expect(timelock.execute(mag7, 0, data, hre.ethers.ZeroHash, salt)).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
      // The guardian holds CANCELLER_ROLE: it stops the change; it can neither propose nor execute.
      await expect(timelock.connect(guardian!).schedule(mag7, 0, data, hre.ethers.ZeroHash, hre.ethers.id("g"), delay)).to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount");
      await timelock.connect(guardian!).cancel(opId);
      await time.increase(delay);
      await expect(timelock.execute(mag7, 0, data, hre.ethers.ZeroHash, salt)).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
      expect(await mag7.hasRole(ROLE.ORACLE, attacker!.address)).to.equal(false);
    });

    it("fails the deployment check when any account but the timelock holds DEFAULT_ADMIN, or the deployer kept a role", () => {
      const [tl, deployer, other] = ["0x" + "11".repeat(20), "0x" + "22".repeat(20), "0x" + "33".repeat(20)];
      const ok = { MAG7: { address: other, admin: tl, roles: { DEFAULT_ADMIN_ROLE: [tl], GUARDIAN_ROLE: [other] } } };
      expect(checkRoleTable(ok, deployer)).to.deep.equal([]);
      expect(checkRoleTable({ MAG7: { ...ok.MAG7, roles: { DEFAULT_ADMIN_ROLE: [tl, other] } } }, deployer)[0]).to.match(/DEFAULT_ADMIN_ROLE is held by .*expected the timelock/);
      expect(checkRoleTable({ MAG7: { ...ok.MAG7, roles: { DEFAULT_ADMIN_ROLE: [tl], ORACLE_ROLE: [deployer] } } }, deployer)[0]).to.match(/the deployer .* still holds ORACLE_ROLE/);
    });
  });
});
