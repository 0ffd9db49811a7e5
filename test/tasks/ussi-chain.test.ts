import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { HDNodeWallet, verifyTypedData } from "ethers";
import { HardhatPluginError } from "hardhat/plugins";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  MockERC20__factory,
  TimelockController__factory,
  UssiMockIndex__factory,
  UssiVault__factory,
  type MockERC20,
  type UssiMockIndex,
  type UssiVault,
} from "../../typechain-types";
import { signQuorum } from "../../chain/quorum";
import { NAV_REPORT_TYPES, type NavReport } from "../../src/ussi/navReport";
import { navReport, parsePositions } from "../../src/ussi";
import { USSI_ROLES, recordFile, type UssiPart } from "../../chain/ussi";
import { clientFromHre } from "../../tasks/lib/client";

const root = path.resolve(__dirname, "../..");
const allParams = JSON.parse(readFileSync(path.join(root, "ignition/parameters/hardhat.json"), "utf8"));
/** The Ussi section, with the timelock parameters it inherits from `$global` (as Ignition resolves them). */
const params = { minDelay: allParams.$global.minDelay, proposers: allParams.$global.proposers, executors: allParams.$global.executors, ...allParams.Ussi };
const big = (s: string) => BigInt(s.replace(/n$/, ""));
const WAD = 10n ** 18n;
const USDC = 10n ** 6n;

/** Runs a task in-process and returns what it wrote to stdout (stderr is swallowed). */
async function runTask(name: string, args: Record<string, unknown>): Promise<string> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const log = console.log;
  (process.stdout as { write: unknown }).write = (chunk: unknown) => (chunks.push(String(chunk)), true);
  (process.stderr as { write: unknown }).write = () => true;
  console.log = (...a: unknown[]) => chunks.push(a.join(" ") + "\n");
  try {
    await hre.run(name, args);
  } finally {
    (process.stdout as { write: unknown }).write = out;
    (process.stderr as { write: unknown }).write = err;
    console.log = log;
  }
  return chunks.join("");
}

/** The task must fail with a user-facing error matching `message`, and send nothing (no block mined, no nonce used). */
async function expectRefusal(name: string, args: Record<string, unknown>, message: RegExp): Promise<void> {
  const signers = await hre.ethers.getSigners();
  const blockBefore = await hre.ethers.provider.getBlockNumber();
  const noncesBefore = await Promise.all(signers.slice(0, 13).map((s) => hre.ethers.provider.getTransactionCount(s.address)));
  let error: unknown;
  try {
    await runTask(name, args);
  } catch (e) {
    error = e;
  }
  expect(error, `${name} should have failed`).to.be.instanceOf(HardhatPluginError);
  expect((error as Error).message).to.match(message);
  expect(await hre.ethers.provider.getBlockNumber(), `${name} mined a block`).to.equal(blockBefore);
  const noncesAfter = await Promise.all(signers.slice(0, 13).map((s) => hre.ethers.provider.getTransactionCount(s.address)));
  expect(noncesAfter, `${name} sent a transaction`).to.deep.equal(noncesBefore);
}

describe("USSI chain tasks (ussi:deploy, nav, push-nav, mint, redeem, fulfil, claim, status)", function () {
  this.timeout(120_000);
  const tmp = mkdtempSync(path.join(tmpdir(), "ussi-chain-"));
  const file = recordFile("hardhat", root);
  let saved: string | undefined;
  let usdc: MockERC20;
  let mag7: UssiMockIndex;
  let part: UssiPart;
  let vault: UssiVault;
  let me: HardhatEthersSigner;
  let strategy: HardhatEthersSigner;
  let deployed: SnapshotRestorer;
  let n = 0;
  const tmpFile = (name: string) => path.join(tmp, `${++n}-${name}`);

  /** A positions file for `round` at the chain's time: `cash` + `funding` + a hedged BTC leg worth `spotUsd`. */
  async function positionsFile(round: number, spotUsd: bigint, cashUsd: bigint, fundingUsd: bigint, perpQty?: string): Promise<string> {
    const supply = await vault.totalSupply();
    const qty = spotUsd / 60_000n; // {1e18 BTC} = {1e18 USD} / (60,000 USD per BTC)
    const fmt = (x: bigint) => `${x / WAD}.${(x % WAD).toString().padStart(18, "0")}`;
    const positions = {
      round,
      timestamp: await time.latest(),
      supply: fmt(supply),
      cash: cashUsd.toString(),
      fundingAccrued: fundingUsd.toString(),
      assets: { BTC: { price: "60000", spot: fmt(qty), perp: perpQty ?? "-" + fmt(qty), entryPrice: "60000" } },
    };
    const f = tmpFile("positions.json");
    writeFileSync(f, JSON.stringify(positions));
    return f;
  }

  async function signedReport(round: number, spotUsd: bigint, cashUsd: bigint, fundingUsd: bigint, perpQty?: string): Promise<string> {
    const out = tmpFile("signed.json");
    await runTask("ussi:nav", { positions: await positionsFile(round, spotUsd, cashUsd, fundingUsd, perpQty), out, json: false });
    return out;
  }

  before(async () => {
    saved = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    const signers = await hre.ethers.getSigners();
    me = signers[0]!;
    strategy = signers[9]!;
    usdc = await new MockERC20__factory(me).deploy("USD Coin (SAMPLE)", "USDC", 6);
    mag7 = await new UssiMockIndex__factory(me).deploy(100n * WAD); // 100 USD per MAG7.ssi
    mkdirSync(path.dirname(file), { recursive: true });
    const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
    writeFileSync(
      file,
      JSON.stringify({
        network: "hardhat",
        chainId,
        tokens: { USDC: { address: await usdc.getAddress(), decimals: 6 } },
        products: { MAG7: { vault: await mag7.getAddress() } },
      })
    );
    await usdc.mint(me.address, 100_000n * USDC);
    await usdc.mint(strategy.address, 100_000n * USDC);
    await mag7.mint(me.address, 1_000n * WAD);
    await runTask("ussi:deploy", {});
    part = JSON.parse(readFileSync(file, "utf8")).ussi;
    vault = UssiVault__factory.connect(part.vault, hre.ethers.provider);
    deployed = await takeSnapshot();
  });

  after(() => {
    if (saved === undefined) rmSync(file, { force: true });
    else writeFileSync(file, saved);
  });

  describe("ussi:deploy", () => {
    it("records the vault and grants exactly the parameters' roles, the timelock as admin (read back on chain)", async () => {
      expect(part.usdc).to.equal(await usdc.getAddress());
      expect(part.mag7).to.equal(await mag7.getAddress());
      expect(await vault.usdc()).to.equal(await usdc.getAddress());
      expect(await vault.indexToken()).to.equal(await mag7.getAddress());
      expect(await vault.hasRole(USSI_ROLES.DEFAULT_ADMIN, part.timelock)).to.equal(true);
      expect(await vault.hasRole(USSI_ROLES.DEFAULT_ADMIN, me.address)).to.equal(false);
      expect(await vault.hasRole(USSI_ROLES.STRATEGY, params.strategy)).to.equal(true);
      expect(await vault.hasRole(USSI_ROLES.RISK, params.risk)).to.equal(true);
      expect(await vault.hasRole(USSI_ROLES.RISK, params.strategy)).to.equal(false);
      const timelock = TimelockController__factory.connect(part.timelock, hre.ethers.provider);
      expect(await timelock.getMinDelay()).to.equal(big(params.minDelay));
      expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), params.proposers[0])).to.equal(true);
      expect(await timelock.hasRole(USSI_ROLES.DEFAULT_ADMIN, me.address)).to.equal(false);
      for (const s of params.signers) expect(await vault.isSigner(s)).to.equal(true);
      expect(await vault.quorum()).to.equal(big(params.quorum));
      const l = await vault.limits();
      expect([l.maxNavAge, l.maxNavChangeBps, l.maxNetDeltaBps, l.bufferTargetBps, l.indexHaircutBps]).to.deep.equal(
        [params.maxNavAge, params.maxNavChangeBps, params.maxNetDeltaBps, params.bufferTargetBps, params.indexHaircutBps].map(big)
      );
      // Not in the parameters file: the module's defaults (1% of NAV per epoch, 10 USD).
      expect([l.instantCapBps, l.minRequestUsd]).to.deep.equal([100n, 10n * WAD]);
      expect(part.limits.indexHaircutBps).to.equal(Number(big(params.indexHaircutBps)));
      expect(part.limits.minRequestUsd).to.equal((10n * WAD).toString());
    });

    it("refuses, deploying nothing, when the record names no MAG7.ssi vault or an address is malformed", async () => {
      const good = readFileSync(file, "utf8");
      try {
        const r = JSON.parse(good);
        delete r.products;
        writeFileSync(file, JSON.stringify(r));
        await expectRefusal("ussi:deploy", {}, /names no MAG7\.ssi vault/);
        await expectRefusal("ussi:deploy", { mag7: "0x1234" }, /--mag7 "0x1234" is not an address/);
        await expectRefusal("ussi:deploy", { mag7: me.address }, /has no code/);
      } finally {
        writeFileSync(file, good);
      }
    });
    it("refuses parameters the vault would reject (strategy = risk, admin delay under 1 day) before deploying anything", async () => {
      const paramsFile = path.join(root, "ignition/parameters/hardhat.json");
      const original = readFileSync(paramsFile, "utf8");
      const edit = (change: (u: Record<string, unknown>, g: Record<string, unknown>) => void) => {
        const all = JSON.parse(original);
        change(all.Ussi, all.$global);
        writeFileSync(paramsFile, JSON.stringify(all, null, 2) + "\n");
      };
      try {
        edit((u) => (u.risk = u.strategy));
        await expectRefusal("ussi:deploy", {}, /Ussi\.strategy and Ussi\.risk are both .*different accounts/);
        edit((u) => (u.minDelay = "3600n"));
        await expectRefusal("ussi:deploy", {}, /Ussi\.minDelay 3600 s is below the vault's minimum admin delay of 86400 s/);
        edit((u) => delete u.strategy);
        await expectRefusal("ussi:deploy", {}, /Ussi\.strategy is required/);
        // Issue 13: no parameters naming a proposer no longer means "the deployer".
        edit((u, g) => (delete u.proposers, delete g.proposers));
        await expectRefusal("ussi:deploy", {}, /names no proposers for the USSI timelock .*set your multisig/);
      } finally {
        writeFileSync(paramsFile, original);
      }
    });
  });

  /**
   * RISK widens the per-report bound (100 bps by default): the flows below move the NAV by ~1% in one report
   * (the deployed default is 50 bps; a larger move in steps is tested on its own below).
   */
  async function widenBound(bps = 100n) {
    const risk = await hre.ethers.getSigner(params.risk);
    const l = await vault.limits();
    await vault.connect(risk).setLimits({
      maxNavAge: l.maxNavAge,
      maxNavChangeBps: bps,
      maxNetDeltaBps: l.maxNetDeltaBps,
      bufferTargetBps: l.bufferTargetBps,
      indexHaircutBps: l.indexHaircutBps,
      instantCapBps: l.instantCapBps,
      minRequestUsd: l.minRequestUsd,
    });
  }

  /** Relays the inception report (NAV 0 at 1.00, the next round, chain time). */
  async function pushInception(): Promise<string> {
    const report = tmpFile("inception.json");
    await runTask("ussi:nav", { inception: true, out: report, json: false });
    return runTask("ussi:push-nav", { report, json: false });
  }

  /** The caller holds 1,000 USSI: a 1,000 USDC deposit requested, settled by an inception report, claimed. */
  async function holdThousandUssi(): Promise<void> {
    await pushInception();
    await runTask("ussi:mint", { usdc: "1000", json: false });
    await pushInception();
    await runTask("ussi:claim", { json: false });
  }

  describe("the whole flow (requests settle at the next NAV, then claims)", () => {
    before(async () => {
      await deployed.restore();
      await widenBound();
    });

    it("ussi:mint requests a deposit that settles at the next NAV and says how to claim; claiming early is refused", async () => {
      expect(await pushInception()).to.match(/^accepted: round 1 /);
      const out = await runTask("ussi:mint", { usdc: "1000", json: false });
      expect(out)
        .to.match(/deposit requested: request 0, 1000 USDC/)
        .and.to.match(/settles at the NAV per USSI of the next accepted NAV report \(the one that ends epoch 1\)/)
        .and.to.match(/ussi:claim --id 0/);
      expect(await vault.balanceOf(me.address)).to.equal(0n);
      expect(await usdc.balanceOf(part.vault)).to.equal(1000n * USDC);
      expect(await usdc.allowance(me.address, part.vault)).to.equal(0n);
      await expectRefusal("ussi:claim", { id: "0", json: false }, /request 0 waits for settlement/);
      const mag7Out = JSON.parse(await runTask("ussi:mint", { mag7: "2", json: true }));
      expect([mag7Out.requestId, mag7Out.epoch]).to.deep.equal(["1", "1"]);
      expect(await mag7.balanceOf(part.vault)).to.equal(2n * WAD);
    });

    it("ussi:status shows the open epoch, its pending requests and the price they will get; the NAV as of its report time", async () => {
      const s = JSON.parse(await runTask("ussi:status", { json: true }));
      expect(s.epoch).to.deep.include({ current: "1", depositUsdc: (1000n * USDC).toString(), depositIndex: (2n * WAD).toString() });
      expect(s.requests.map((r: { id: string; state: string }) => [r.id, r.state])).to.deep.equal([
        ["1", "pending (next NAV)"],
        ["0", "pending (next NAV)"],
      ]);
      const table = await runTask("ussi:status", { json: false });
      expect(table)
        .to.match(/NAV per USSI as of \d{4}-\d\d-\d\d/)
        .and.to.match(/open epoch 1/)
        .and.to.match(/the next accepted report's/);
    });

    it("the next report settles the epoch at its price; ussi:claim delivers the USSI (MAG7.ssi valued at settlement less the haircut)", async () => {
      const out = await pushInception(); // NAV 0 at 1.00: nothing was invested yet
      expect(out).to.match(/settled epoch 1 at \$1\.000000 per USSI: 1198 USSI minted/);
      const claimed = await runTask("ussi:claim", { json: false });
      expect(claimed)
        .to.match(/claimed request 0 \(deposit \(USDC\), epoch 1, settled at \$1\.000000 per USSI\): 1000 USSI/)
        .and.to.match(/claimed request 1 \(deposit \(MAG7\.ssi\), epoch 1.*\): 198 USSI/); // 2 x 100 USD x (1 - 1%)
      expect(await vault.balanceOf(me.address)).to.equal(1198n * WAD);
      await expectRefusal("ussi:claim", { id: "0", json: false }, /request 0 was already claimed/);
    });

    it("ussi:nav signs the report the pure engine computes; ussi:push-nav accepts it (funding accrued shows in the NAV)", async () => {
      // 1,138.99 USD hedged BTC + 59 cash + 6 funding = 1,203.99 USD over 1,198 USSI = 1.005 (+50 bps: the
      // most one report may move the NAV with the in-process parameters, maxNavChangeBps = 50)
      const positions = await positionsFile(3, 113_899n * 10n ** 16n, 59n, 6n);
      const out = tmpFile("signed.json");
      const printed = JSON.parse(await runTask("ussi:nav", { positions, out, json: true }));
      const want = navReport(parsePositions(JSON.parse(readFileSync(positions, "utf8")), positions));
      expect(printed.report).to.deep.equal(Object.fromEntries(Object.entries(want).map(([k, v]) => [k, String(v)])));
      expect(printed.signatures).to.have.length(2);
      const pushed = await runTask("ussi:push-nav", { report: out, json: false });
      expect(pushed)
        .to.match(/^accepted: round 3 /)
        .and.to.match(/funding accrued \$6\.00/);
      expect((await vault.lastAcceptedReport()).navPerToken).to.equal(want.navPerToken); // ~1.005 (BTC quantity rounding)
      // Relaying it again: words, not a raw VM exception.
      await expectRefusal("ussi:push-nav", { report: out, json: false }, /round 3 was already relayed and accepted/);
    });

    it("ussi:redeem --instant pays at once at the last NAV less maxNavChangeBps, within the per-epoch cap", async () => {
      const nav = (await vault.lastAcceptedReport()).navPerToken;
      const bps = (await vault.limits()).maxNavChangeBps;
      const before = await usdc.balanceOf(me.address);
      const out = await runTask("ussi:redeem", { shares: "10", instant: true, json: false });
      expect(out).to.match(new RegExp(`^instant: .* at the last NAV less ${bps} bps`));
      const paid = (10n * WAD * nav * (10_000n - bps)) / (WAD * 10n ** 12n * 10_000n);
      expect((await usdc.balanceOf(me.address)) - before).to.equal(paid);
      await expectRefusal("ussi:redeem", { shares: "100", instant: true, json: false }, /does not fit: .* left this epoch .*drop --instant/);
    });

    it("ussi:redeem requests a redemption at the next NAV; the report settles it; ussi:fulfil funds it; ussi:claim pays once", async () => {
      const out = JSON.parse(await runTask("ussi:redeem", { shares: "1000", json: true }));
      expect([out.route, out.requestId, out.epoch]).to.deep.equal(["queued", "2", "3"]);
      expect(await vault.balanceOf(part.vault)).to.equal(1000n * WAD); // escrowed
      const words = await runTask("ussi:redeem", { shares: "20", json: false });
      expect(words).to.match(/settles at the NAV per USSI of the next accepted NAV report/).and.to.match(/ussi:claim --id 3/);
      // 1,138.99 BTC + 49 cash + 6 funding over 1,188 USSI (within 50 bps of the last NAV)
      const pushed = await runTask("ussi:push-nav", { report: await signedReport(4, 113_899n * 10n ** 16n, 49n, 6n), json: false });
      expect(pushed).to.match(/settled epoch 3 at .*: 0 USSI minted for its deposits, 1020 USSI redeemed for /);
      const price = (await vault.lastAcceptedReport()).navPerToken;
      const owed = (1000n * WAD * price) / (WAD * 10n ** 12n);
      const [totalOwed, funded] = await vault.redemptionFunding();
      expect(totalOwed - funded).to.be.greaterThan(0n); // the buffer did not cover it all
      await expectRefusal("ussi:claim", { id: "2", json: false }, /request 2 is priced but not funded yet .* ussi:fulfil/);
      const stratBefore = await usdc.balanceOf(strategy.address);
      const f = JSON.parse(await runTask("ussi:fulfil", { json: true }));
      expect(f.caller).to.equal(strategy.address);
      expect(stratBefore - (await usdc.balanceOf(strategy.address))).to.equal(totalOwed - funded);
      const before = await usdc.balanceOf(me.address);
      expect(await runTask("ussi:claim", { id: "2", json: false })).to.match(/claimed request 2 \(redemption, epoch 3/);
      expect((await usdc.balanceOf(me.address)) - before).to.equal(owed);
      await expectRefusal("ussi:claim", { id: "2", json: false }, /already claimed/);
      await expectRefusal("ussi:fulfil", { json: false }, /already funded: nothing to fulfil/);
    });
  });

  describe("a NAV move larger than maxNavChangeBps (50 bps): ussi:nav --step, then the final report", () => {
    before(async () => {
      await deployed.restore();
      await holdThousandUssi();
    });

    it("relays the steps without settling, closes the instant path until the final report, which settles at the true NAV", async () => {
      // The true NAV: 900 spot + 110 cash over 1,000 USSI = 1.01, 100 bps above the last report.
      const id = JSON.parse(await runTask("ussi:redeem", { shares: "100", json: true })).requestId as string;
      await expectRefusal("ussi:push-nav", { report: await signedReport(3, 900n * WAD, 110n, 0n), json: false }, /refused: NavChangeTooLarge/);
      const step = tmpFile("step.json");
      await runTask("ussi:nav", { positions: await positionsFile(3, 900n * WAD, 105n, 0n), out: step, step: true, json: false });
      expect(JSON.parse(readFileSync(step, "utf8")).kind).to.equal("ussi-nav-step");
      const epoch = await vault.currentEpoch();
      expect(await runTask("ussi:push-nav", { report: step, json: false })).to.match(/^accepted step: round 3 .*\$1\.005000 per USSI .*no epoch settles/);
      expect(await vault.currentEpoch()).to.equal(epoch);
      await expectRefusal("ussi:claim", { id, json: false }, /waits for settlement/);
      await expectRefusal("ussi:redeem", { shares: "10", instant: true, json: false }, /intermediate step .*drop --instant/);
      const final = await runTask("ussi:push-nav", { report: await signedReport(4, 900n * WAD, 110n, 0n), json: false });
      expect(final).to.match(/^accepted: round 4 /).and.to.match(new RegExp(`settled epoch ${epoch} at \\$1\\.010000 per USSI: 0 USSI minted for its deposits, 100 USSI redeemed for 101 USDC`));
      await expectRefusal("ussi:nav", { positions: "x.json", unsigned: true, step: true, json: false }, /drop --unsigned/);
    });
  });

  describe("one key per NAV signer (issue 13): ussi:sign-nav, ussi:push-nav --signatures", () => {
    before(async () => {
      await deployed.restore();
      await holdThousandUssi();
    });

    /** `ussi:nav --unsigned --json` saved: the report a proposer hands to the signers. */
    async function unsignedReport(round: number, spotUsd: bigint, cashUsd: bigint): Promise<string> {
      const f = tmpFile("unsigned.json");
      writeFileSync(f, await runTask("ussi:nav", { positions: await positionsFile(round, spotUsd, cashUsd, 0n), unsigned: true, json: true }));
      return f;
    }

    it("each signer signs on its own; the relay refuses (nothing sent) before the quorum and relays once m files are there", async () => {
      const dir = mkdtempSync(path.join(tmp, "nav-sigs-"));
      const report = await unsignedReport(3, 900n * WAD, 100n);
      const text = await runTask("ussi:sign-nav", { report, account: params.signers[0], out: path.join(dir, "a.json") });
      const [, , , , verifyingContract] = await vault.navReportDomain();
      expect(text).to.match(new RegExp(`EIP-712 domain: name "USSI Vault", version "1", chainId 31337, verifyingContract ${verifyingContract}`));
      expect(text).to.match(/NAV report \(NavReport: settles the epoch\): round 3, .*NAV per token \$1\.000000/);
      expect(text).to.match(/breakdown: NAV \$1,000\.00 = spot \$900\.00 \+ perp PnL/);
      await expectRefusal("ussi:push-nav", { signatures: dir, json: false }, /1 of the 2 signatures the vault needs are there .*nothing was sent/);
      // The second signer signs the report from the first one's signature file.
      await runTask("ussi:sign-nav", { report: path.join(dir, "a.json"), account: params.signers[2], out: path.join(dir, "b.json") });
      const out = await runTask("ussi:push-nav", { signatures: dir, json: false });
      expect(out).to.match(/merged 2 signature file\(s\): 2 distinct signer\(s\)/).and.to.match(/accepted: round 3 is the NAV/);
      expect((await vault.lastAcceptedReport()).round).to.equal(3n);
    });

    it("refuses a signature file signed under another domain, and a NavStep signature relayed as a report", async () => {
      await deployed.restore();
      await holdThousandUssi();
      const dir = mkdtempSync(path.join(tmp, "nav-foreign-"));
      const report = await unsignedReport(3, 900n * WAD, 100n);
      await runTask("ussi:sign-nav", { report, account: params.signers[0], out: path.join(dir, "a.json") });
      // A second file whose signature is over another chain's domain (chain id 1): refused, nothing sent.
      const signers = await hre.ethers.getSigners();
      const other = signers.find((s) => s.address === params.signers[1])!;
      const [, name, version, , verifyingContract] = await vault.navReportDomain();
      const a = JSON.parse(readFileSync(path.join(dir, "a.json"), "utf8"));
      const value = Object.fromEntries(Object.entries(a.report).map(([k, v]) => [k, BigInt(v as string)])) as unknown as NavReport;
      const foreign = { name, version, chainId: 1n, verifyingContract };
      const b = { ...a, signer: other.address, signature: await other.signTypedData(foreign, NAV_REPORT_TYPES, { ...value }), domain: { ...a.domain, chainId: "1" } };
      writeFileSync(path.join(dir, "b.json"), JSON.stringify(b));
      await expectRefusal("ussi:push-nav", { signatures: dir, json: false }, /b\.json: signed under another domain \(USSI Vault v1, chain 1, .*nothing was sent/);
      // The same signature file claiming this chain: the signature does not recover to its signer.
      writeFileSync(path.join(dir, "b.json"), JSON.stringify({ ...b, domain: a.domain }));
      await expectRefusal("ussi:push-nav", { signatures: dir, json: false }, /b\.json: signs another report|b\.json: the signature recovers to/);
      // A NavStep signature merged with a NavReport one: another digest, refused.
      rmSync(path.join(dir, "b.json"));
      await runTask("ussi:sign-nav", { report, step: true, account: params.signers[1], out: path.join(dir, "c.json") });
      await expectRefusal("ussi:push-nav", { signatures: dir, json: false }, /signs another report \(digest/);
      expect((await vault.lastAcceptedReport()).round).to.equal(2n);
    });

    it("the relay adds its own signature (--sign) to another signer's NavStep file: the step is relayed and settles nothing", async () => {
      await deployed.restore();
      await holdThousandUssi();
      const dir = mkdtempSync(path.join(tmp, "nav-step-"));
      await runTask("ussi:sign-nav", { report: await unsignedReport(3, 900n * WAD, 104n), step: true, account: params.signers[0], out: path.join(dir, "a.json") });
      expect(JSON.parse(readFileSync(path.join(dir, "a.json"), "utf8")).primaryType).to.equal("NavStep");
      const epoch = await vault.currentEpoch();
      const out = await runTask("ussi:push-nav", { signatures: dir, sign: true, account: params.signers[1], json: false });
      expect(out).to.match(/merged 2 signature file\(s\)/).and.to.match(/accepted step: round 3 /);
      expect(await vault.currentEpoch()).to.equal(epoch);
    });

    it("refuses ORACLE_SIGNER_KEYS with several keys on a live network (one process never holds several NAV signers' keys)", async () => {
      const previous = process.env.ORACLE_SIGNER_KEYS;
      const name = hre.network.name;
      process.env.ORACLE_SIGNER_KEYS = "0x" + "11".repeat(32) + ",0x" + "22".repeat(32);
      try {
        (hre.network as { name: string }).name = "sepolia";
        const { navSigners } = await import("../../chain/ussi");
        await expect(navSigners(clientFromHre(hre), vault)).to.be.rejectedWith(/ORACLE_SIGNER_KEYS holds 2 keys: on sepolia no process holds several signers' keys/);
      } finally {
        (hre.network as { name: string }).name = name;
        if (previous === undefined) delete process.env.ORACLE_SIGNER_KEYS;
        else process.env.ORACLE_SIGNER_KEYS = previous;
      }
    });
  });

  describe("refusals", () => {
    before(async () => {
      await deployed.restore();
      await widenBound(200n); // the fulfil flow moves 0.99 -> 1.00 (101 bps) in one report
      await holdThousandUssi();
    });

    it("argument errors send nothing", async () => {
      await expectRefusal("ussi:mint", { usdc: "1", mag7: "1", json: false }, /exactly one of --usdc AMOUNT or --mag7 AMOUNT/);
      await expectRefusal("ussi:mint", { json: false }, /exactly one of/);
      await expectRefusal("ussi:mint", { usdc: "abc", json: false }, /--usdc "abc" is not a positive decimal number/);
      await expectRefusal("ussi:mint", { usdc: "0", json: false }, /--usdc must be greater than zero/);
      await expectRefusal("ussi:mint", { usdc: "1.0000001", json: false }, /more than 6 decimal places/);
      await expectRefusal("ussi:mint", { usdc: "5", json: false }, /5 USDC is worth \$5\.00, below the minimum request of \$10\.00/);
      await expectRefusal("ussi:mint", { usdc: "1000000", json: false }, /holds 99000 USDC, cannot deposit 1000000/);
      await expectRefusal("ussi:redeem", { json: false }, /--shares AMOUNT is required/);
      await expectRefusal("ussi:redeem", { shares: "5000", json: false }, /holds 1000 USSI, cannot redeem 5000/);
      await expectRefusal("ussi:redeem", { shares: "1", json: false }, /below the minimum request .* whole balance is always allowed/);
      await expectRefusal("ussi:claim", { id: "x", json: false }, /--id "x" is not a non-negative whole number/);
      await expectRefusal("ussi:claim", { id: "3", json: false }, /no request 3/);
      await expectRefusal("ussi:fulfil", { max: "0", json: false }, /--max must be greater than zero/);
      await expectRefusal("ussi:push-nav", { json: false }, /--report FILE\.json is required/);
      await expectRefusal("ussi:nav", { json: false }, /--positions FILE\.json is required/);
      await expectRefusal("ussi:nav", { inception: true, unsigned: true, json: false }, /drop --unsigned/);
      await expectRefusal("ussi:nav", { positions: "x.json", unsigned: true, out: "y.json", json: false }, /--out writes a signed report/);
    });

    it("ussi:nav signs under navReportDomain() with ORACLE_SIGNER_KEYS when set, and refuses a key outside the signer set", async () => {
      const key = (i: number) =>
        HDNodeWallet.fromPhrase("test test test test test test test test test test test junk", undefined, `m/44'/60'/0'/0/${i}`).privateKey;
      const previous = process.env.ORACLE_SIGNER_KEYS;
      try {
        process.env.ORACLE_SIGNER_KEYS = `${key(5)},${key(6)}`;
        const signed = JSON.parse(await runTask("ussi:nav", { positions: await positionsFile(3, 900n * WAD, 100n, 0n), json: true }));
        expect(signed.signers).to.have.members([params.signers[1], params.signers[2]]);
        const [, name, version, chainId, verifyingContract] = await vault.navReportDomain();
        expect(name).to.equal("USSI Vault");
        const value = Object.fromEntries(Object.entries(signed.report).map(([k, v]) => [k, BigInt(v as string)]));
        const recovered = signed.signatures.map((sig: string) =>
          verifyTypedData({ name, version, chainId, verifyingContract }, NAV_REPORT_TYPES, value, sig)
        );
        expect(recovered).to.deep.equal(signed.signers); // ascending signer order, as the vault requires
        process.env.ORACLE_SIGNER_KEYS = `${key(5)},${key(11)}`;
        await expectRefusal(
          "ussi:nav",
          { positions: await positionsFile(3, 900n * WAD, 100n, 0n), json: false },
          /ORACLE_SIGNER_KEYS holds 0x\w+, which is not a NAV signer/
        );
      } finally {
        if (previous === undefined) delete process.env.ORACLE_SIGNER_KEYS;
        else process.env.ORACLE_SIGNER_KEYS = previous;
      }
    });

    it("ussi:nav refuses to sign a round the vault has already accepted, or one that skips rounds", async () => {
      await expectRefusal(
        "ussi:nav",
        { positions: await positionsFile(2, 900n * WAD, 100n, 0n), json: false },
        /round 2 is not the vault's next round \(its last accepted round is 2; rounds advance by one\): use round 3/
      );
      // Nor one that skips ahead: rounds advance by one, so none can exhaust the round space.
      await expectRefusal(
        "ussi:nav",
        { positions: await positionsFile(9, 900n * WAD, 100n, 0n), json: false },
        /round 9 is not the vault's next round \(its last accepted round is 2; rounds advance by one\): use round 3/
      );
    });

    it("ussi:push-nav refuses a NAV move beyond the bound with the contract's reason, and a report from non-signers", async () => {
      // 1,100 USD over 1,000 USSI = 1.10: +10% > the bound
      const report = await signedReport(3, 960n * WAD, 140n, 0n);
      await expectRefusal("ussi:push-nav", { report, json: false }, /refused: NavChangeTooLarge\(1000000000000000000, 1100000000000000000, \d+\); nothing was sent/);
      const forged = JSON.parse(readFileSync(report, "utf8"));
      const signers = await hre.ethers.getSigners();
      const [, name, version, chainId, verifyingContract] = await vault.navReportDomain();
      const r = Object.fromEntries(Object.entries(forged.report).map(([k, v]) => [k, BigInt(v as string)])) as unknown as NavReport;
      forged.signatures = await signQuorum([signers[11]!, signers[12]!], { name, version, chainId, verifyingContract }, NAV_REPORT_TYPES, {
        ...r,
      });
      const forgedFile = tmpFile("forged.json");
      writeFileSync(forgedFile, JSON.stringify(forged));
      await expectRefusal("ussi:push-nav", { report: forgedFile, json: false }, /not in the vault's NAV signer set: refused, nothing was sent/);
    });

    it("ussi:push-nav accepts a delta-breaching report (it settles) and deposits close until a compliant one", async () => {
      // Short only half the BTC: 450 USD of net delta on 1,000 USD NAV = 4,500 bps > 200
      const out = await runTask("ussi:push-nav", { report: await signedReport(3, 900n * WAD, 100n, 0n, "-0.0075"), json: false });
      expect(out).to.match(/^accepted: round 3 /).and.to.match(/delta breach: \|net delta\| 4500 bps > limit 200 bps/);
      expect(await vault.deltaBreachRound()).to.equal(3n);
      await expectRefusal("ussi:mint", { usdc: "10", json: false }, /report round 3 breached the net delta limit/);
      const s = JSON.parse(await runTask("ussi:status", { json: true }));
      expect([s.deltaBreachRound, s.depositsOpen]).to.deep.equal(["3", false]);
      expect(await runTask("ussi:redeem", { shares: "10", json: false })).to.match(/redemption requested/);
      const compliant = await signedReport(4, 900n * WAD, 98n, 0n); // 0.998: within 50 bps of the last NAV
      expect(await runTask("ussi:push-nav", { report: compliant, json: false })).to.match(/^accepted: round 4 /);
      expect(await vault.deltaBreachRound()).to.equal(0n);
      expect(await runTask("ussi:mint", { usdc: "10", json: false })).to.match(/deposit requested/);
    });

    it("ussi:fulfil says how to fund the strategy when it cannot pay", async () => {
      // The strategy invests the buffer at a venue (whitelisted through the timelock), so the next
      // redemption is owed more than the vault holds.
      const signers = await hre.ethers.getSigners();
      const venue = signers[12]!;
      const timelock = TimelockController__factory.connect(part.timelock, me);
      const data = vault.interface.encodeFunctionData("setVenue", [venue.address, true]);
      await timelock.schedule(part.vault, 0, data, hre.ethers.ZeroHash, hre.ethers.ZeroHash, part.minDelay);
      await time.increase(part.minDelay);
      await timelock.execute(part.vault, 0, data, hre.ethers.ZeroHash, hre.ethers.ZeroHash);
      await runTask("ussi:push-nav", { report: await signedReport(5, 891n * WAD, 99n, 0n), json: false });
      await vault.connect(strategy).withdrawToVenue(venue.address, (await vault.liquidAssets()) - (await vault.bufferTarget()));
      await runTask("ussi:redeem", { shares: "900", json: false });
      // The book now also holds the 10 USDC deposited at round 5 (1,000 USSI): NAV per token stays 1.00.
      await runTask("ussi:push-nav", { report: await signedReport(6, 891n * WAD, 109n, 0n), json: false });
      const held = await usdc.balanceOf(strategy.address);
      await usdc.connect(strategy).transfer(me.address, held);
      try {
        await expectRefusal("ussi:fulfil", { json: false }, /Fund the strategy first: close or reduce hedge positions on the venue and withdraw .* USDC to 0x\w+, then run ussi:fulfil again/);
      } finally {
        await usdc.connect(me).transfer(strategy.address, held);
      }
    });

    it("a stale NAV refuses instant redemption in words, while redemption requests still go through", async () => {
      await time.increase(big(params.maxNavAge) + 1n);
      await expectRefusal("ussi:redeem", { shares: "5", instant: true, json: false }, /needs a fresh NAV .*drop --instant/);
      expect(JSON.parse(await runTask("ussi:redeem", { shares: "50", json: true })).route).to.equal("queued");
      expect(await runTask("ussi:status", { json: false })).to.match(/STALE/);
    });
  });
});
