import { expect } from "chai";
import { ethers } from "hardhat";
import { impersonateAccount, loadFixture, setBalance, stopImpersonatingAccount, time } from "@nomicfoundation/hardhat-network-helpers";
import { fundAndApprove, makeReport, ROLES, signReport, WAD } from "../../fixtures/contracts";
import { marketCapTargets, redistributeRemoved } from "../../../src/sanx/targets";
import { DAY, DNG, Kind, OPP, sanxStackFixture, today, travelTo } from "./fixtures";

const sanxFixture = sanxStackFixture;
type F = Awaited<ReturnType<typeof sanxFixture>>;

/** Signal `zone` for `asset` today, wait for the delay, execute. */
async function actOn(f: F, asset: string, zone: bigint) {
  const day = await today();
  await f.relaySignal(asset, zone, day);
  await travelTo(f, (day + 3n) * DAY);
  return f.controller.connect(f.outsider).execute(asset);
}

/** UNI added (targets 100% UNI), then AAVE added (targets by market cap: UNI 6.02bn, AAVE 4.61bn). */
const CAPS = new Map([
  ["UNI", 6_020_000_000n],
  ["AAVE", 4_610_000_000n],
]);
async function twoMembersFixture() {
  const f = await sanxFixture();
  await actOn(f, f.uni, OPP);
  await f.pushWeights([f.uni], [WAD]);
  await actOn(f, f.aave, OPP);
  const t = marketCapTargets(["UNI", "AAVE"], CAPS);
  const addr = (s: string) => (s === "UNI" ? f.uni : f.aave);
  await f.pushWeights(t.map((x) => addr(x.asset)), t.map((x) => x.weight));
  return f;
}

describe("SanxBasket", function () {
  describe("#constructor", function () {
    it("records controller, vault, weight oracle and reserve, with nothing due", async function () {
      const f = await loadFixture(sanxFixture);
      expect(await f.basket.controller()).to.equal(await f.controller.getAddress());
      expect(await f.basket.vault()).to.equal(await f.vault.getAddress());
      expect(await f.basket.weightOracle()).to.equal(await f.weightOracle.getAddress());
      expect(await f.basket.reserveAsset()).to.equal(f.usdc);
      expect(await f.basket.expectedTokens()).to.deep.equal([f.usdc]);
      expect(await f.basket.changes()).to.deep.equal([0n, 0n]);
      expect(await f.basket.targetsDue()).to.equal(false);
    });

    it("reverts on any zero address", async function () {
      const f = await loadFixture(sanxFixture);
      const factory = await ethers.getContractFactory("SanxBasket");
      const ok = [await f.controller.getAddress(), await f.vault.getAddress(), await f.weightOracle.getAddress(), f.usdc];
      for (let i = 0; i < ok.length; i++) {
        const args = ok.map((a, j) => (j === i ? ethers.ZeroAddress : a)) as [string, string, string, string];
        await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      }
    });
  });

  describe("#onMembershipChanged", function () {
    it("reverts unless called by the controller", async function () {
      const f = await loadFixture(sanxFixture);
      await expect(f.basket.connect(f.outsider).onMembershipChanged(f.uni, true))
        .to.be.revertedWithCustomError(f.basket, "NotController").withArgs(f.outsider.address);
    });
  });

  describe("#setTargets", function () {
    it("reverts unless called by the weight oracle", async function () {
      const f = await loadFixture(sanxFixture);
      await expect(f.basket.connect(f.outsider).setTargets(9n, [f.usdc], [WAD]))
        .to.be.revertedWithCustomError(f.basket, "NotWeightOracle").withArgs(f.outsider.address);
    });

    it("cannot be bypassed: the weight oracle has no role on the vault, so a report for the vault itself reverts", async function () {
      const f = await loadFixture(sanxFixture);
      const report = await makeReport(ethers, f.vault, 1n, [f.uni], [WAD]);
      await expect(f.weightOracle.submit(report, await signReport(f.weightOracle, f.weightSigners.slice(0, 2), report)))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(await f.weightOracle.getAddress(), ROLES.ORACLE);
    });
  });

  describe("end to end", function () {
    it("signal -> delay -> execute -> weight report -> gate -> vault targets, for an ADD, a second ADD and a REMOVE", async function () {
      const f = await loadFixture(sanxFixture);
      const day = await today();

      // OPPORTUNITY for UNI schedules an ADD due at the start of day + 3.
      await expect(f.relaySignal(f.uni, OPP, day)).to.emit(f.controller, "ActionScheduled").withArgs(f.uni, Kind.Add, day, (day + 3n) * DAY);
      await expect(f.controller.execute(f.uni)).to.be.revertedWithCustomError(f.controller, "ActionNotDue");
      // A report over the new set is refused before the execution: UNI is not a member yet.
      await expect(f.pushWeights([f.uni], [WAD])).to.be.revertedWithCustomError(f.basket, "NotReserveAsset").withArgs(f.uni, f.usdc);

      await travelTo(f, (day + 3n) * DAY);
      await expect(f.controller.connect(f.outsider).execute(f.uni))
        .to.emit(f.basket, "TargetsDue").withArgs(f.uni, true, 1n, 1n);
      expect(await f.basket.targetsDue()).to.equal(true);
      expect(await f.basket.lastChange()).to.deep.equal([f.uni, true, BigInt(await time.latest())]);
      expect(await f.basket.expectedTokens()).to.deep.equal([f.uni]);

      await expect(f.pushWeights([f.uni], [WAD]))
        .to.emit(f.basket, "TargetsForwarded").withArgs(2n, 1n, [f.uni], [WAD])
        .and.to.emit(f.vault, "TargetsUpdated").withArgs(2n, [f.uni], [WAD]);
      expect(await f.vault.targets()).to.deep.equal([2n, [f.uni], [WAD]]);
      expect(await f.basket.targetsDue()).to.equal(false);

      // Second ADD: AAVE, then market-cap weights over {UNI, AAVE}, listed in the other order.
      await actOn(f, f.aave, OPP);
      expect(await f.basket.changes()).to.deep.equal([2n, 1n]);
      const add = marketCapTargets(["UNI", "AAVE"], CAPS); // UNI 6.02/10.63, AAVE 4.61/10.63
      const byAddr = { UNI: f.uni, AAVE: f.aave } as Record<string, string>;
      const tokens = add.map((x) => byAddr[x.asset]!).reverse();
      const weights = add.map((x) => x.weight).reverse();
      await f.pushWeights(tokens, weights);
      expect(await f.vault.targets()).to.deep.equal([3n, tokens, weights]);

      // DANGER for UNI: REMOVE after the delay; AAVE alone takes the removed weight.
      await expect(actOn(f, f.uni, DNG)).to.emit(f.basket, "TargetsDue").withArgs(f.uni, false, 3n, 1n);
      const rem = redistributeRemoved(add, new Set(["UNI"]), CAPS);
      expect(rem).to.deep.equal([{ asset: "AAVE", weight: WAD }]);
      await f.pushWeights([f.aave], [WAD]);
      expect(await f.vault.targets()).to.deep.equal([4n, [f.aave], [WAD]]);
      expect(await f.basket.changes()).to.deep.equal([3n, 3n]);
    });

    it("forwards every report to the vault as its current round + 1 (issue 13 point 3)", async function () {
      const f = await loadFixture(sanxFixture);
      const [current] = await f.vault.targets();
      // The WeightOracle takes only its next round for the gate (a round far ahead is refused: see
      // SanxBasket.rounds.test.ts); the gate numbers the vault's round itself, from the vault.
      const report = await makeReport(ethers, f.gate, (await f.weightOracle.lastRound(f.gate)) + 1n, [f.usdc], [WAD]);
      await expect(f.weightOracle.connect(f.outsider).submit(report, await signReport(f.weightOracle, f.weightSigners.slice(0, 2), report)))
        .to.emit(f.basket, "TargetsForwarded").withArgs(current + 1n, 0n, [f.usdc], [WAD])
        .and.to.emit(f.vault, "TargetsUpdated").withArgs(current + 1n, [f.usdc], [WAD]);
      expect((await f.vault.targets())[0]).to.equal(current + 1n);
    });
  });

  describe("membership mismatch", function () {
    const cases: { name: string; tokens: (f: F) => string[]; error: string; args: (f: F) => unknown[] }[] = [
      { name: "an extra token", tokens: (f) => [f.uni, f.aave, f.usdc], error: "ConstituentCountMismatch", args: () => [3n, 2n] },
      { name: "a missing member", tokens: (f) => [f.aave], error: "ConstituentCountMismatch", args: () => [1n, 2n] },
      { name: "a non-member in a member's place", tokens: (f) => [f.uni, f.usdc], error: "NotAMember", args: (f) => [f.usdc] },
    ];
    for (const c of cases) {
      it(`refuses a report with ${c.name} (${c.error}) and changes nothing`, async function () {
        const f = await loadFixture(twoMembersFixture);
        const before = await f.vault.targets();
        const lastRound = await f.weightOracle.lastRound(f.gate);
        const tokens = c.tokens(f);
        const n = BigInt(tokens.length);
        const weights = tokens.map((_, i) => WAD / n + (i === 0 ? WAD % n : 0n));
        await expect(f.pushWeights(tokens, weights)).to.be.revertedWithCustomError(f.basket, c.error).withArgs(...c.args(f));
        expect(await f.vault.targets()).to.deep.equal(before);
        expect(await f.weightOracle.lastRound(f.gate)).to.equal(lastRound);
        expect(await f.basket.changes()).to.deep.equal([2n, 2n]);
      });
    }

    it("accepts the members in any order", async function () {
      const f = await loadFixture(twoMembersFixture);
      await f.pushWeights([f.aave, f.uni], [WAD / 4n, (WAD * 3n) / 4n]);
      expect((await f.vault.targets())[1]).to.deep.equal([f.aave, f.uni]);
    });
  });

  describe("empty membership", function () {
    it("accepts only the reserve asset at 1e18", async function () {
      const f = await loadFixture(sanxFixture);
      await expect(f.pushWeights([f.uni], [WAD])).to.be.revertedWithCustomError(f.basket, "NotReserveAsset").withArgs(f.uni, f.usdc);
      await expect(f.pushWeights([f.usdc, f.uni], [WAD / 2n, WAD / 2n]))
        .to.be.revertedWithCustomError(f.basket, "ConstituentCountMismatch").withArgs(2n, 1n);
      await f.pushWeights([f.usdc], [WAD]);
      expect(await f.vault.targets()).to.deep.equal([2n, [f.usdc], [WAD]]);
    });

    it("refuses, from the weight oracle itself, a reserve weight other than exactly 1e18 (ReserveWeightNotOne): the gate does not rely on its caller's checks", async function () {
      const f = await loadFixture(sanxFixture);
      const oracle = await f.weightOracle.getAddress();
      await impersonateAccount(oracle);
      await setBalance(oracle, WAD);
      const asOracle = f.basket.connect(await ethers.getSigner(oracle));
      for (const [weights, named] of [
        [[], 0n],
        [[WAD / 2n], WAD / 2n],
        [[WAD, 0n], 0n],
      ] as const) {
        await expect(asOracle.setTargets(9n, [f.usdc], [...weights]))
          .to.be.revertedWithCustomError(f.basket, "ReserveWeightNotOne")
          .withArgs(named);
      }
      await expect(asOracle.setTargets(9n, [f.usdc], [WAD])).to.emit(f.vault, "TargetsUpdated").withArgs(2n, [f.usdc], [WAD]);
      await stopImpersonatingAccount(oracle);
    });

    it("goes back to the reserve when the last member is removed", async function () {
      const f = await loadFixture(sanxFixture);
      await actOn(f, f.uni, OPP);
      await f.pushWeights([f.uni], [WAD]);
      await actOn(f, f.uni, DNG);
      expect(await f.basket.expectedTokens()).to.deep.equal([f.usdc]);
      await expect(f.pushWeights([f.uni], [WAD])).to.be.revertedWithCustomError(f.basket, "NotReserveAsset");
      await f.pushWeights([f.usdc], [WAD]);
      expect(await f.vault.targets()).to.deep.equal([3n, [f.usdc], [WAD]]);
    });
  });

  describe("red button", function () {
    it("stops execution and new targets while redemption from the vault still works", async function () {
      const f = await loadFixture(sanxFixture);
      await actOn(f, f.uni, OPP);
      await f.pushWeights([f.uni], [WAD]);
      // Mint on the empty vault: units from the targets (100% UNI), NAV 100 USD / share, UNI 10 USD -> 10 UNI.
      await fundAndApprove([f.market.tokens[0]!], f.alice, await f.vault.getAddress(), 10n ** 24n);
      await f.vault.connect(f.alice).mint(3n * WAD, f.alice.address, [10n ** 24n]);
      expect(await f.vault.balanceOf(f.alice.address)).to.equal(3n * WAD);

      // DANGER for UNI schedules a REMOVE; the guardian presses both red buttons before it is executed.
      const day = await today();
      await f.relaySignal(f.uni, DNG, day);
      await f.controller.connect(f.guardian).pause();
      await f.vault.connect(f.guardian).pause();
      await travelTo(f, (day + 3n) * DAY);

      await expect(f.controller.connect(f.outsider).execute(f.uni)).to.be.revertedWithCustomError(f.controller, "EnforcedPause");
      expect(await f.controller.isMember(f.uni)).to.equal(true);
      expect(await f.controller.pending(f.uni)).to.deep.equal([Kind.Remove, (day + 3n) * DAY, day]);
      await expect(f.pushWeights([f.uni], [WAD])).to.be.revertedWithCustomError(f.basket, "ControllerPaused");
      await expect(f.vault.connect(f.alice).mint(WAD, f.alice.address, [10n ** 24n])).to.be.revertedWithCustomError(f.vault, "MintPaused");

      // Redemption: 2 shares -> 20 UNI.
      const uniToken = f.market.tokens[0]!;
      const before = await uniToken.balanceOf(f.alice.address);
      await expect(f.vault.connect(f.alice).redeem(2n * WAD, f.alice.address, [0n])).to.emit(f.vault, "Transfer").withArgs(f.alice.address, ethers.ZeroAddress, 2n * WAD);
      expect((await uniToken.balanceOf(f.alice.address)) - before).to.equal(20n * WAD);
      expect(await f.vault.balanceOf(f.alice.address)).to.equal(WAD);

      // Governance lifts the button; the REMOVE can then be executed.
      await f.controller.connect(await f.gov.asTimelock()).unpause();
      await expect(f.controller.execute(f.uni)).to.emit(f.basket, "TargetsDue").withArgs(f.uni, false, 2n, 0n);
    });
  });
});
