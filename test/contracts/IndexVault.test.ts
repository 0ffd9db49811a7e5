import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  WAD,
  YEAR,
  ROLES,
  FEED_DECIMALS,
  ceilDiv,
  coreFixture,
  MIN_ADMIN_DELAY,
  deployGovernance,
  deployVault,
  expectCollateralised,
  makeReport,
  signReport,
  fixed,
  refreshFeeds,
} from "../fixtures/contracts";

const NAV0 = 100n * WAD;
const FEE_2PCT = 2n * 10n ** 16n;

/** Price in {1e18 USD} per whole token from the fixture's 8-decimal feed value. */
const price18 = (usd: string) => fixed(usd, FEED_DECIMALS) * 10n ** 10n;

async function baseFixture() {
  return coreFixture(ethers);
}
async function feeFixture() {
  return coreFixture(ethers, FEE_2PCT);
}
/** The core with 10 shares minted by alice (steady state). */
async function mintedFixture() {
  const f = await coreFixture(ethers);
  const [, amounts] = await f.vault.previewMint(10n * WAD);
  await f.vault.connect(f.alice).mint(10n * WAD, f.alice.address, [...amounts]);
  return f;
}
async function mintedFeeFixture() {
  const f = await coreFixture(ethers, FEE_2PCT);
  const [, amounts] = await f.vault.previewMint(10n * WAD);
  await f.vault.connect(f.alice).mint(10n * WAD, f.alice.address, [...amounts]);
  return f;
}

describe("IndexVault", () => {
  describe("#constructor", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["a zero initial NAV", { initialNavPerShare: 0n }, "InvalidConfig"],
      ["an initial NAV above 1e36", { initialNavPerShare: 10n ** 36n + 1n }, "InvalidConfig"],
      ["a fee cap above 50%/year", { maxFeeRate: WAD / 2n + 1n }, "InvalidConfig"],
      ["a fee rate above the cap", { maxFeeRate: WAD / 10n, feeRate: WAD / 10n + 1n }, "FeeRateAboveMax"],
      ["a zero fee recipient", { feeRecipient: ethers.ZeroAddress }, "ZeroFeeRecipient"],
    ];
    for (const [what, opts, error] of cases) {
      it(`reverts with ${error} for ${what}`, async () => {
        const { gov, market } = await loadFixture(baseFixture);
        const factory = await ethers.getContractFactory("IndexVault");
        await expect(deployVault(ethers, gov, market.registry, opts)).to.be.revertedWithCustomError(factory, error);
      });
    }

    // Review point 1 (issue 13): the vault accepted a plain key as its admin, which could then drain it at once.
    it("reverts with AdminNotTimelock for an admin that is not a TimelockController, AdminDelayTooShort under 1 day", async () => {
      const { admin, market } = await loadFixture(baseFixture);
      const factory = await ethers.getContractFactory("IndexVault");
      const cfg = (a: string) => ({ name: "X", symbol: "X", admin: a, priceRegistry: market.registry.target, initialNavPerShare: NAV0, maxFeeRate: WAD / 10n, feeRate: 0n, feeRecipient: admin.address });
      await expect(factory.deploy(cfg(admin.address))).to.be.revertedWithCustomError(factory, "AdminNotTimelock").withArgs(admin.address);
      const short = await deployGovernance(ethers, admin, MIN_ADMIN_DELAY - 1n);
      await expect(factory.deploy(cfg(short.address))).to.be.revertedWithCustomError(factory, "AdminDelayTooShort").withArgs(short.address, MIN_ADMIN_DELAY - 1n, MIN_ADMIN_DELAY);
    });

    it("reverts with InvalidConfig naming a zero admin or a zero price registry", async () => {
      const { admin, gov, market } = await loadFixture(baseFixture);
      const factory = await ethers.getContractFactory("IndexVault");
      const cfg = { name: "X", symbol: "X", admin: gov.address, priceRegistry: market.registry.target, initialNavPerShare: NAV0, maxFeeRate: WAD / 10n, feeRate: 0n, feeRecipient: admin.address };
      await expect(factory.deploy({ ...cfg, admin: ethers.ZeroAddress })).to.be.revertedWithCustomError(factory, "InvalidConfig").withArgs("admin");
      await expect(factory.deploy({ ...cfg, priceRegistry: ethers.ZeroAddress })).to.be.revertedWithCustomError(factory, "InvalidConfig").withArgs("priceRegistry");
    });

    it("stores its configuration and grants only DEFAULT_ADMIN to the admin", async () => {
      const { vault, admin, gov, market, feeRecipient } = await loadFixture(baseFixture);
      expect(await vault.initialNavPerShare()).to.equal(NAV0);
      expect(await vault.priceRegistry()).to.equal(await market.registry.getAddress());
      const [rate, maxRate, recipient] = await vault.feeState();
      expect([rate, maxRate, recipient]).to.deep.equal([0n, WAD / 10n, feeRecipient.address]);
      expect(await vault.hasRole(ROLES.ADMIN, gov.address)).to.equal(true);
      expect(await vault.hasRole(ROLES.ADMIN, admin.address)).to.equal(false);
      expect(await vault.hasRole(ROLES.GUARDIAN, admin.address)).to.equal(false);
      expect(await vault.hasRole(ROLES.ORACLE, admin.address)).to.equal(false);
      expect(await vault.decimals()).to.equal(18n);
    });
  });

  describe("before the first mint (no basket yet)", () => {
    it("nav is 0, claimFees pays nothing, redeem reverts ERC20InsufficientBalance and retireConstituent NotAConstituent", async () => {
      const { vault, alice, gov, tokenAddresses } = await loadFixture(baseFixture);
      expect(await vault.totalSupply()).to.equal(0n);
      expect(await vault.nav()).to.equal(0n);
      expect(await vault.claimFees.staticCall()).to.equal(0n);
      await expect(vault.claimFees()).not.to.emit(vault, "FeesClaimed");
      await expect(vault.connect(alice).redeem(WAD, alice.address, []))
        .to.be.revertedWithCustomError(vault, "ERC20InsufficientBalance")
        .withArgs(alice.address, 0n, WAD);
      await expect(gov.exec(vault, "retireConstituent", [tokenAddresses[0]!]))
        .to.be.revertedWithCustomError(vault, "NotAConstituent")
        .withArgs(tokenAddresses[0]);
    });
  });

  describe("#setTargets", () => {
    it("stores the targets with their round and emits TargetsUpdated", async () => {
      const { vault, tokenAddresses, weights } = await loadFixture(baseFixture);
      const [round, tokens, w] = await vault.targets();
      expect(round).to.equal(1n);
      expect(tokens).to.deep.equal(tokenAddresses);
      expect(w).to.deep.equal(weights);
    });

    it("reverts for a caller without ORACLE_ROLE", async () => {
      const { vault, outsider, tokenAddresses, weights } = await loadFixture(baseFixture);
      await expect(vault.connect(outsider).setTargets(2, tokenAddresses, weights))
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ROLES.ORACLE);
    });

    it("reverts with TargetRoundNotNext for any round but the current one plus one (issue 13: rounds cannot be exhausted)", async () => {
      const { gov, vault, admin, tokenAddresses, weights } = await loadFixture(baseFixture);
      await gov.exec(vault, "grantRole", [ROLES.ORACLE, admin.address]);
      await expect(vault.setTargets(1, tokenAddresses, weights)).to.be.revertedWithCustomError(vault, "TargetRoundNotNext").withArgs(1, 2);
      await expect(vault.setTargets(3, tokenAddresses, weights)).to.be.revertedWithCustomError(vault, "TargetRoundNotNext").withArgs(3, 2);
      await expect(vault.setTargets(2n ** 64n - 1n, tokenAddresses, weights)).to.be.revertedWithCustomError(vault, "TargetRoundNotNext");
      await expect(vault.setTargets(2, tokenAddresses, weights)).to.emit(vault, "TargetsUpdated").withArgs(2, tokenAddresses, weights);
    });

    it("reverts with SelfAsConstituent when the vault lists its own share token", async () => {
      const { gov, vault, admin, market } = await loadFixture(baseFixture);
      await gov.exec(vault, "grantRole", [ROLES.ORACLE, admin.address]);
      const feed = await ethers.deployContract("MockAggregator", [8, 10n ** 8n]);
      gov.onWarp(async () => void (await feed.updateAnswer(10n ** 8n)));
      await gov.exec(market.registry, "setFeed", [vault.target, feed.target, 3600]);
      await expect(vault.setTargets(2, [await vault.getAddress()], [WAD])).to.be.revertedWithCustomError(vault, "SelfAsConstituent");
    });

    it("reverts with the WeightsLib errors for an invalid basket (checked in the vault too)", async () => {
      const { gov, vault, admin, tokenAddresses } = await loadFixture(baseFixture);
      await gov.exec(vault, "grantRole", [ROLES.ORACLE, admin.address]);
      const [a, b] = tokenAddresses;
      await expect(vault.setTargets(2, [a!, b!], [WAD / 2n, WAD / 2n - 1n])).to.be.revertedWithCustomError(vault, "WeightsSumNotOne").withArgs(WAD - 1n);
      await expect(vault.setTargets(2, [a!, a!], [WAD / 2n, WAD / 2n])).to.be.revertedWithCustomError(vault, "DuplicateConstituent").withArgs(a!);
      await expect(vault.setTargets(2, [], [])).to.be.revertedWithCustomError(vault, "EmptyBasket");
    });
  });

  describe("#mint (empty vault)", () => {
    it("derives units q_i = floor(w_i * NAV0 * 10^dec / (1e18 * p_i)) from targets and feed prices (METHODOLOGY 3)", async () => {
      const { vault, market, alice, weights } = await loadFixture(baseFixture);
      const [tokens, amounts] = await vault.previewMint(WAD);
      const expected = market.specs.map((s, i) => (weights[i]! * NAV0 * 10n ** BigInt(s.decimals)) / (WAD * price18(s.priceUsd)));
      // Worked by hand: 0.5 * 100 / 3000 ETH = 0.0166...66 (rounded down), 0.3 * 100 / 60000 BTC = 50,000 sats, 20 USDC.
      expect(expected).to.deep.equal([16666666666666666n, 50_000n, 20_000_000n]);
      expect(amounts).to.deep.equal(expected);
      await expect(vault.connect(alice).mint(WAD, alice.address, [...amounts])).to.emit(vault, "BasketUpdated").withArgs(tokens, expected);
      const [, units] = await vault.basket();
      expect(units).to.deep.equal(expected);
      await expectCollateralised(vault);
    });

    it("starts at (at most, and within rounding of) the initial NAV per share", async () => {
      const { vault, alice } = await loadFixture(baseFixture);
      expect(await vault.navPerShare()).to.equal(NAV0);
      const [, amounts] = await vault.previewMint(WAD);
      await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
      const nps = await vault.navPerShare();
      expect(nps).to.be.lte(NAV0);
      expect(NAV0 - nps).to.be.lte(10n ** 4n); // only the ETH unit's round-down (< 1 wei of ETH * 3000)
    });

    it("reverts with ZeroUnit when a weight is too small to give one base unit (METHODOLOGY 7)", async () => {
      const { gov, vault, admin, alice, tokenAddresses } = await loadFixture(baseFixture);
      await gov.exec(vault, "grantRole", [ROLES.ORACLE, admin.address]);
      // 1 wei of weight of an 8-decimal token at $60,000: 1 * 100e18 * 1e8 / (1e18 * 60000e18) = 0 sats.
      await vault.connect(admin).setTargets(2, tokenAddresses, [WAD / 2n, 1n, WAD / 2n - 1n]);
      await expect(vault.previewMint(WAD)).to.be.revertedWithCustomError(vault, "ZeroUnit").withArgs(tokenAddresses[1]!);
      await expect(vault.connect(alice).mint(WAD, alice.address, [WAD, WAD, WAD])).to.be.revertedWithCustomError(vault, "ZeroUnit");
    });

    it("pulls exactly the previewed amounts from the caller and mints to the receiver", async () => {
      const { vault, market, alice, bob } = await loadFixture(baseFixture);
      const [, amounts] = await vault.previewMint(3n * WAD);
      const before = await Promise.all(market.tokens.map((t) => t.balanceOf(alice.address)));
      await vault.connect(alice).mint(3n * WAD, bob.address, [...amounts]);
      for (let i = 0; i < market.tokens.length; i++) {
        expect(await market.tokens[i]!.balanceOf(alice.address)).to.equal(before[i]! - amounts[i]!);
        expect(await market.tokens[i]!.balanceOf(await vault.getAddress())).to.equal(amounts[i]!);
      }
      expect(await vault.balanceOf(bob.address)).to.equal(3n * WAD);
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
    });

    it("reverts with NoTargets before any report", async () => {
      const { gov, admin, market, alice } = await loadFixture(baseFixture);
      const fresh = await deployVault(ethers, gov, market.registry);
      await expect(fresh.previewMint(WAD)).to.be.revertedWithCustomError(fresh, "NoTargets");
      await expect(fresh.connect(alice).mint(WAD, alice.address, [1, 1, 1])).to.be.revertedWithCustomError(fresh, "NoTargets");
    });

    it("reverts with StalePrice when a feed is stale", async () => {
      const { vault, market, alice } = await loadFixture(baseFixture);
      await time.increase(25 * 3600);
      await expect(vault.connect(alice).mint(WAD, alice.address, [10n ** 30n, 10n ** 30n, 10n ** 30n])).to.be.revertedWithCustomError(
        market.registry,
        "StalePrice",
      );
    });

    it("follows the latest targets again once the vault is empty", async () => {
      const { gov, vault, admin, alice, tokenAddresses } = await loadFixture(mintedFixture);
      await gov.exec(vault, "grantRole", [ROLES.ORACLE, admin.address]);
      await vault.setTargets(2, [tokenAddresses[2]!, tokenAddresses[0]!], [WAD / 4n, (WAD * 3n) / 4n]);
      // Not empty: the held basket is unchanged by new targets (rebalancing is issue 3's).
      expect((await vault.basket())[0]).to.deep.equal(tokenAddresses);
      await vault.connect(alice).redeem(10n * WAD, alice.address, [0, 0, 0]);
      const [tokens, amounts] = await vault.previewMint(WAD);
      expect(tokens).to.deep.equal([tokenAddresses[2], tokenAddresses[0]]);
      // 25 USDC and 75/3000 ETH per share.
      expect(amounts).to.deep.equal([25_000_000n, 25_000_000_000_000_000n]);
      await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
      expect((await vault.basket())[0]).to.deep.equal(tokens);
      await expectCollateralised(vault);
    });
  });

  describe("#mint", () => {
    it("pulls ceil(shares * unit / 1e18) of each constituent", async () => {
      const { vault, market, bob } = await loadFixture(mintedFixture);
      const [, units] = await vault.basket();
      const shares = 123_456_789n; // a dust-sized mint: every amount rounds up
      const vaultAddress = await vault.getAddress();
      const before = await Promise.all(market.tokens.map((t) => t.balanceOf(vaultAddress)));
      const expected = units.map((u) => ceilDiv(shares * u, WAD));
      expect(expected.every((a) => a >= 1n)).to.equal(true);
      await vault.connect(bob).mint(shares, bob.address, expected);
      for (let i = 0; i < 3; i++) expect((await market.tokens[i]!.balanceOf(vaultAddress)) - before[i]!).to.equal(expected[i]!);
      await expectCollateralised(vault);
    });

    it("reverts with AmountInAboveMax when an amount exceeds the caller's maximum", async () => {
      const { vault, bob, tokenAddresses } = await loadFixture(mintedFixture);
      const [, amounts] = await vault.previewMint(WAD);
      const max = [...amounts];
      max[1] = amounts[1]! - 1n;
      await expect(vault.connect(bob).mint(WAD, bob.address, max))
        .to.be.revertedWithCustomError(vault, "AmountInAboveMax")
        .withArgs(tokenAddresses[1], amounts[1], amounts[1]! - 1n);
    });

    it("reverts with AmountsLengthMismatch when maxAmountsIn is not one per constituent", async () => {
      const { vault, bob } = await loadFixture(mintedFixture);
      await expect(vault.connect(bob).mint(WAD, bob.address, [1n, 1n])).to.be.revertedWithCustomError(vault, "AmountsLengthMismatch").withArgs(2, 3);
    });

    it("reverts with ZeroShares for zero shares and ZeroReceiver for the zero address", async () => {
      const { vault, bob } = await loadFixture(mintedFixture);
      await expect(vault.connect(bob).mint(0, bob.address, [1n, 1n, 1n])).to.be.revertedWithCustomError(vault, "ZeroShares");
      await expect(vault.connect(bob).mint(WAD, ethers.ZeroAddress, [1n, 1n, 1n])).to.be.revertedWithCustomError(vault, "ZeroReceiver");
    });

    it("reverts with the token's error when the caller has not approved", async () => {
      const { vault, outsider, market } = await loadFixture(mintedFixture);
      await expect(vault.connect(outsider).mint(WAD, outsider.address, [10n ** 30n, 10n ** 30n, 10n ** 30n])).to.be.revertedWithCustomError(
        market.tokens[0]!,
        "ERC20InsufficientAllowance",
      );
    });

    it("reverts with MintPaused while paused, and works again after the admin unpauses", async () => {
      const { gov, vault, guardian, admin, bob } = await loadFixture(mintedFixture);
      await expect(vault.connect(guardian).pause()).to.emit(vault, "Paused").withArgs(guardian.address);
      expect(await vault.paused()).to.equal(true);
      const [, amounts] = await vault.previewMint(WAD);
      await expect(vault.connect(bob).mint(WAD, bob.address, [...amounts])).to.be.revertedWithCustomError(vault, "MintPaused");
      await expect(gov.exec(vault, "unpause")).to.emit(vault, "Unpaused").withArgs(gov.address);
      await vault.connect(bob).mint(WAD, bob.address, [...amounts]);
      await expectCollateralised(vault);
    });
  });

  describe("#redeem", () => {
    it("pays floor(shares * unit / 1e18) of each constituent to the receiver and burns the caller's shares", async () => {
      const { vault, market, alice, bob } = await loadFixture(mintedFixture);
      const [, units] = await vault.basket();
      const shares = 3n * WAD + 987_654_321n;
      const expected = units.map((u) => (shares * u) / WAD);
      const before = await Promise.all(market.tokens.map((t) => t.balanceOf(bob.address)));
      await vault.connect(alice).redeem(shares, bob.address, expected);
      for (let i = 0; i < 3; i++) expect((await market.tokens[i]!.balanceOf(bob.address)) - before[i]!).to.equal(expected[i]!);
      expect(await vault.balanceOf(alice.address)).to.equal(10n * WAD - shares);
      await expectCollateralised(vault);
    });

    it("pays nothing of a constituent whose amount rounds to zero instead of reverting (dust never blocks)", async () => {
      const { vault, alice, market } = await loadFixture(mintedFixture);
      // 50,000 sats per 1e18 shares: 1e12 shares are worth 0.05 sat, which rounds to zero.
      const shares = 10n ** 12n;
      const [, preview] = await vault.previewRedeem(shares);
      expect(preview[1]).to.equal(0n);
      expect(preview[0]).to.be.gt(0n);
      const before = await Promise.all(market.tokens.map((t) => t.balanceOf(alice.address)));
      await vault.connect(alice).redeem(shares, alice.address, [0, 0, 0]);
      const after = await Promise.all(market.tokens.map((t) => t.balanceOf(alice.address)));
      expect(after.map((a, i) => a - before[i]!)).to.deep.equal([...preview]);
      expect(await vault.balanceOf(alice.address)).to.equal(10n * WAD - shares);
      await expectCollateralised(vault);
    });

    it("reverts with AmountOutBelowMin when an amount is below the caller's minimum", async () => {
      const { vault, alice, tokenAddresses } = await loadFixture(mintedFixture);
      const [, amounts] = await vault.previewRedeem(WAD);
      const min = [...amounts];
      min[2] = amounts[2]! + 1n;
      await expect(vault.connect(alice).redeem(WAD, alice.address, min))
        .to.be.revertedWithCustomError(vault, "AmountOutBelowMin")
        .withArgs(tokenAddresses[2], amounts[2], amounts[2]! + 1n);
    });

    it("reverts with ERC20InsufficientBalance for more shares than the caller holds", async () => {
      const { vault, bob } = await loadFixture(mintedFixture);
      await expect(vault.connect(bob).redeem(WAD, bob.address, [0, 0, 0])).to.be.revertedWithCustomError(vault, "ERC20InsufficientBalance");
    });

    it("reverts with AmountsLengthMismatch, ZeroShares and ZeroReceiver", async () => {
      const { vault, alice } = await loadFixture(mintedFixture);
      await expect(vault.connect(alice).redeem(WAD, alice.address, [0])).to.be.revertedWithCustomError(vault, "AmountsLengthMismatch").withArgs(1, 3);
      await expect(vault.connect(alice).redeem(0, alice.address, [0, 0, 0])).to.be.revertedWithCustomError(vault, "ZeroShares");
      await expect(vault.connect(alice).redeem(WAD, ethers.ZeroAddress, [0, 0, 0])).to.be.revertedWithCustomError(vault, "ZeroReceiver");
    });

    it("works while paused and with stale feeds (redemption needs no price and is never paused)", async () => {
      const { vault, guardian, alice } = await loadFixture(mintedFixture);
      await vault.connect(guardian).pause();
      await time.increase(30 * 24 * 3600);
      await expect(vault.navPerShare()).to.be.reverted;
      await vault.connect(alice).redeem(10n * WAD, alice.address, [0, 0, 0]);
      expect(await vault.totalSupply()).to.equal(0n);
    });

    it("keeps every field of the packed hot slot when a redeem accrues fees while paused", async () => {
      const { vault, guardian, alice } = await loadFixture(mintedFeeFixture);
      const [tokens0, stored0] = await vault.rawBasket();
      await vault.connect(guardian).pause();
      await time.increase(YEAR / 3n);
      await vault.connect(alice).redeem(WAD, alice.address, [0, 0, 0]);
      expect(await vault.paused()).to.equal(true);
      const [tokens, stored, scale] = await vault.rawBasket({ blockTag: "latest" });
      expect([tokens, stored]).to.deep.equal([tokens0, stored0]);
      const [rate, , , pending, last] = await vault.feeState({ blockTag: "latest" });
      expect(rate).to.equal(FEE_2PCT);
      expect(last).to.equal(BigInt(await time.latest()));
      expect(pending).to.be.gt(0n);
      expect(scale).to.be.lt(WAD);
      await expectCollateralised(vault);
    });

    it("redeems the whole supply leaving the rounding dust in the vault", async () => {
      const { vault, alice, bob, market } = await loadFixture(mintedFixture);
      const [, amounts] = await vault.previewMint(7n);
      await vault.connect(bob).mint(7n, bob.address, [...amounts]);
      await vault.connect(alice).redeem(10n * WAD, alice.address, [0, 0, 0]);
      await expectCollateralised(vault);
      // 7 wei of shares cannot be redeemed: every amount rounds to zero.
      await expect(vault.connect(bob).redeem(7n, bob.address, [0, 0, 0])).to.be.revertedWithCustomError(vault, "ZeroAmounts").withArgs(7n);
      expect(await market.tokens[0]!.balanceOf(await vault.getAddress())).to.be.gte(1n);
    });
  });

  describe("fee-on-transfer and reentrant tokens", () => {
    async function exoticFixture() {
      const f = await coreFixture(ethers);
      const fot = await ethers.deployContract("FeeOnTransferERC20", [0]);
      const reent = await ethers.deployContract("ReentrantERC20");
      for (const t of [fot, reent]) {
        const feed = await ethers.deployContract("MockAggregator", [8, 10n ** 8n]);
        f.gov.onWarp(async () => void (await feed.updateAnswer(10n ** 8n)));
        await f.gov.exec(f.market.registry, "setFeed", [t.target, feed.target, 24 * 3600]);
        await t.mint(f.alice.address, 10n ** 30n);
        await t.connect(f.alice).approve(f.vault, ethers.MaxUint256);
      }
      await f.gov.exec(f.vault, "grantRole", [ROLES.ORACLE, f.admin.address]);
      return { ...f, fot, reent };
    }

    it("rejects a token that delivers less than asked with TransferShortfall", async () => {
      const { vault, fot, alice, tokenAddresses } = await loadFixture(exoticFixture);
      await vault.setTargets(2, [tokenAddresses[0]!, await fot.getAddress()], [WAD / 2n, WAD / 2n]);
      await fot.setFeeBps(10); // 0.1%
      const [, amounts] = await vault.previewMint(WAD);
      // 50 USD of a 1 USD token = 50e18 units; 0.1% (rounded up) is burned on the way.
      const fee = (amounts[1]! * 10n + 9999n) / 10000n;
      await expect(vault.connect(alice).mint(WAD, alice.address, [...amounts]))
        .to.be.revertedWithCustomError(vault, "TransferShortfall")
        .withArgs(await fot.getAddress(), amounts[1], amounts[1]! - fee);
    });

    it("still redeems a fee-on-transfer token (the receiver bears the token's fee)", async () => {
      const { vault, fot, alice, tokenAddresses } = await loadFixture(exoticFixture);
      await vault.setTargets(2, [tokenAddresses[0]!, await fot.getAddress()], [WAD / 2n, WAD / 2n]);
      const [, amounts] = await vault.previewMint(WAD);
      await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
      await fot.setFeeBps(10);
      await vault.connect(alice).redeem(WAD, alice.address, [0, 0]);
      await expectCollateralised(vault);
    });

    // basket, rawBasket, effectiveSupply and feeState: issue 8 point 6 (they answered mid-call before).
    for (const view of ["navPerShare", "nav", "previewRedeem", "previewMint", "basket", "rawBasket", "effectiveSupply", "feeState"] as const) {
      it(`refuses ${view}() from a constituent's transfer hook mid-redeem (read-only reentrancy)`, async () => {
        const { vault, reent, alice, tokenAddresses } = await loadFixture(exoticFixture);
        await vault.setTargets(2, [await reent.getAddress(), tokenAddresses[0]!], [WAD / 2n, WAD / 2n]);
        const [, amounts] = await vault.previewMint(10n * WAD);
        await vault.connect(alice).mint(10n * WAD, alice.address, [...amounts]);
        const before = await vault.navPerShare();
        // Mid-redeem the shares are burned before the tokens leave: a hook pricing shares then would
        // see balances over a smaller supply (an inflated NAV per share) and mislead its caller.
        const data = view === "previewRedeem" || view === "previewMint" ? vault.interface.encodeFunctionData(view as "previewRedeem", [WAD]) : vault.interface.encodeFunctionData(view as "nav");
        await reent.arm(await vault.getAddress(), data);
        await vault.connect(alice).redeem(9n * WAD, alice.address, [0, 0]);
        expect(await reent.lastCallOk()).to.equal(false);
        expect(await reent.lastRevertData()).to.equal(vault.interface.getError("ReentrancyGuardReentrantCall")!.selector);
        // Outside a call the view answers as before (one share's worth is unchanged by a pro-rata redeem).
        expect(await vault.navPerShare()).to.be.closeTo(before, 10n);
      });
    }

    it("accepts a token whose transfer/transferFrom return nothing (USDT-style) for mint and redeem", async () => {
      const { gov, vault, alice, market, tokenAddresses } = await loadFixture(exoticFixture);
      const usdt = await ethers.deployContract("NonStandardERC20");
      const usdtFeed = await ethers.deployContract("MockAggregator", [8, 10n ** 8n]);
      gov.onWarp(async () => void (await usdtFeed.updateAnswer(10n ** 8n)));
      await gov.exec(market.registry, "setFeed", [usdt.target, usdtFeed.target, 24 * 3600]);
      await usdt.mint(alice.address, 10n ** 12n);
      await usdt.connect(alice).approve(vault, ethers.MaxUint256);
      await vault.setTargets(2, [tokenAddresses[0]!, await usdt.getAddress()], [WAD / 2n, WAD / 2n]);
      const [, amounts] = await vault.previewMint(WAD);
      expect(amounts[1]).to.equal(50_000_000n); // 50 USD of a 6-decimal 1 USD token
      await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
      expect(await usdt.balanceOf(await vault.getAddress())).to.equal(50_000_000n);
      await vault.connect(alice).redeem(WAD / 2n, alice.address, [0, 0]);
      expect(await usdt.balanceOf(await vault.getAddress())).to.equal(25_000_000n);
      await expectCollateralised(vault);
    });

    it("reverts with SafeERC20FailedOperation when a token returns false", async () => {
      const { gov, vault, alice, market, tokenAddresses } = await loadFixture(exoticFixture);
      const bad = await ethers.deployContract("NonStandardERC20");
      const badFeed = await ethers.deployContract("MockAggregator", [8, 10n ** 8n]);
      gov.onWarp(async () => void (await badFeed.updateAnswer(10n ** 8n)));
      await gov.exec(market.registry, "setFeed", [bad.target, badFeed.target, 24 * 3600]);
      await bad.mint(alice.address, 10n ** 12n);
      await bad.connect(alice).approve(vault, ethers.MaxUint256);
      await vault.setTargets(2, [tokenAddresses[0]!, await bad.getAddress()], [WAD / 2n, WAD / 2n]);
      const [, amounts] = await vault.previewMint(WAD);
      await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
      await bad.setReturnFalse(true);
      await expect(vault.connect(alice).mint(WAD, alice.address, [...amounts]))
        .to.be.revertedWithCustomError(vault, "SafeERC20FailedOperation")
        .withArgs(await bad.getAddress());
      await expect(vault.connect(alice).redeem(WAD, alice.address, [0, 0]))
        .to.be.revertedWithCustomError(vault, "SafeERC20FailedOperation")
        .withArgs(await bad.getAddress());
    });

    it("blocks a token that re-enters mint or redeem during transfer (ReentrancyGuardReentrantCall)", async () => {
      const { vault, reent, alice, tokenAddresses } = await loadFixture(exoticFixture);
      await vault.setTargets(2, [tokenAddresses[0]!, await reent.getAddress()], [WAD / 2n, WAD / 2n]);
      const [, amounts] = await vault.previewMint(WAD);
      await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
      // The token, called by the vault, calls back into the vault: mint, then redeem.
      const selector = vault.interface.getError("ReentrancyGuardReentrantCall")!.selector;
      for (const data of [
        vault.interface.encodeFunctionData("mint", [1n, alice.address, [10n ** 30n, 10n ** 30n]]),
        vault.interface.encodeFunctionData("redeem", [1n, alice.address, [0, 0]]),
      ]) {
        await reent.arm(vault, data);
        await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
        expect(await reent.armed()).to.equal(false);
        expect(await reent.lastCallOk()).to.equal(false);
        expect(await reent.lastRevertData()).to.equal(selector);
      }
      await reent.arm(vault, vault.interface.encodeFunctionData("redeem", [1n, alice.address, [0, 0]]));
      await vault.connect(alice).redeem(WAD, alice.address, [0, 0]);
      expect(await reent.lastCallOk()).to.equal(false);
      expect(await reent.lastRevertData()).to.equal(selector);
      await expectCollateralised(vault);
    });
  });

  describe("management fee", () => {
    it("accrues f = rate * t / year by scaling units down and owing S * f / (1 - f) shares", async () => {
      const { vault } = await loadFixture(mintedFeeFixture);
      const [, stored0] = await vault.rawBasket();
      const [, , , , last0] = await vault.feeState({ blockTag: "latest" });
      await time.setNextBlockTimestamp(last0 + YEAR);
      await vault.accrueFees();
      const perSecond = FEE_2PCT / YEAR;
      const f = perSecond * YEAR; // {WAD}: 2% less < 3.2e-11
      const [, , , pending, last, scale] = await vault.feeState({ blockTag: "latest" });
      expect(last).to.equal(last0 + YEAR);
      expect(scale).to.equal((WAD * (WAD - f)) / WAD);
      expect(pending).to.equal((10n * WAD * f) / (WAD - f));
      // About 0.2041 shares on 10 (2% of the basket for the recipient).
      expect(pending).to.be.closeTo((10n * WAD * 2n) / 98n, 10n ** 9n);
      const [, stored] = await vault.rawBasket();
      expect(stored).to.deep.equal(stored0); // stored units untouched: one slot written, not N
      await expectCollateralised(vault);
    });

    it("lowers NAV per share by the fee fraction", async () => {
      const { vault, market } = await loadFixture(mintedFeeFixture);
      const nps0 = await vault.navPerShare({ blockTag: "latest" });
      const [, , , , last0] = await vault.feeState({ blockTag: "latest" });
      await time.increaseTo(last0 + YEAR / 2n);
      await refreshFeeds(market);
      const nps = await vault.navPerShare({ blockTag: "latest" });
      // half a year at 2%: -1%, within the per-second rounding
      expect(nps).to.be.closeTo((nps0 * 99n) / 100n, nps0 / 10n ** 6n);
    });

    it("claimFees mints the pending shares to the recipient", async () => {
      const { vault, feeRecipient } = await loadFixture(mintedFeeFixture);
      await time.increase(YEAR / 4n);
      await vault.claimFees();
      const minted = await vault.balanceOf(feeRecipient.address);
      expect(minted).to.be.gt(0n);
      const [, , , pending] = await vault.feeState({ blockTag: "latest" });
      expect(pending).to.equal(0n);
      expect(await vault.effectiveSupply({ blockTag: "latest" })).to.equal(await vault.totalSupply());
      await expectCollateralised(vault);
      // The recipient can redeem its fee shares in kind.
      await vault.connect(feeRecipient).redeem(minted, feeRecipient.address, [0, 0, 0]);
      await expectCollateralised(vault);
    });

    it("accrues at the old rate before a rate change, then applies the new one", async () => {
      const { vault, gov } = await loadFixture(mintedFeeFixture);
      const [, , , , last0] = await vault.feeState({ blockTag: "latest" });
      await time.increase(YEAR / 2n);
      const tx = await gov.exec(vault, "setFeeRate", [0]);
      await expect(tx).to.emit(vault, "FeeRateUpdated").withArgs(0);
      const at = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      const [rate, , , pending, , scale] = await vault.feeState({ blockTag: "latest" });
      expect(rate).to.equal(0n);
      const f = (FEE_2PCT / YEAR) * (at - last0);
      expect(scale).to.equal(WAD - f);
      expect(pending).to.equal((10n * WAD * f) / (WAD - f));
      await time.increase(YEAR);
      const [, , , pendingLater, , scaleLater] = await vault.feeState();
      expect([pendingLater, scaleLater]).to.deep.equal([pending, scale]); // rate 0: nothing more accrues
    });

    it("does not charge the time the vault was empty", async () => {
      const { vault, alice, market } = await loadFixture(feeFixture);
      await time.increase(YEAR);
      await refreshFeeds(market);
      const [, amounts] = await vault.previewMint(WAD);
      await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
      const [, , , pending, , scale] = await vault.feeState({ blockTag: "latest" });
      expect(pending).to.equal(0n);
      expect(scale).to.equal(WAD);
    });

    it("setFeeRecipient pays pending fees to the old recipient first", async () => {
      const { vault, gov, feeRecipient, bob } = await loadFixture(mintedFeeFixture);
      await time.increase(YEAR / 12n);
      await expect(gov.exec(vault, "setFeeRecipient", [bob.address])).to.emit(vault, "FeeRecipientUpdated").withArgs(bob.address);
      expect(await vault.balanceOf(feeRecipient.address)).to.be.gt(0n);
      const [, , recipient, pending] = await vault.feeState({ blockTag: "latest" });
      expect(recipient).to.equal(bob.address);
      expect(pending).to.equal(0n);
    });

    it("reverts with FeeRateAboveMax above the deployment cap and ZeroFeeRecipient for zero", async () => {
      const { vault, gov } = await loadFixture(mintedFeeFixture);
      await expect(gov.exec(vault, "setFeeRate", [WAD / 10n + 1n])).to.be.revertedWithCustomError(vault, "FeeRateAboveMax").withArgs(WAD / 10n + 1n, WAD / 10n);
      await expect(gov.exec(vault, "setFeeRecipient", [ethers.ZeroAddress])).to.be.revertedWithCustomError(vault, "ZeroFeeRecipient");
    });

    it("mints pending fee shares at once when they would outgrow their 88-bit slot", async () => {
      const { vault, alice, feeRecipient } = await loadFixture(feeFixture);
      // 1e10 whole shares at 2%/year owe ~2e8 whole shares a year; 2^88 wei is ~3.1e8 whole shares.
      const shares = 10n ** 28n;
      const [, amounts] = await vault.previewMint(shares);
      await vault.connect(alice).mint(shares, alice.address, [...amounts]);
      await time.increase(2n * YEAR);
      await expect(vault.accrueFees()).to.emit(vault, "FeesClaimed");
      const minted = await vault.balanceOf(feeRecipient.address);
      expect(minted).to.be.gt(2n ** 88n);
      const [, , , pending] = await vault.feeState({ blockTag: "latest" });
      expect(pending).to.equal(0n);
      await expectCollateralised(vault);
    });

    it("keeps the collateral invariant across fees, mints and redeems", async () => {
      const { vault, alice, bob } = await loadFixture(mintedFeeFixture);
      for (let k = 0; k < 4; k++) {
        await time.increase(YEAR / 7n);
        const [, inAmounts] = await vault.previewMint(WAD + BigInt(k));
        await vault.connect(bob).mint(WAD + BigInt(k), bob.address, [...inAmounts]);
        await expectCollateralised(vault);
        await time.increase(3600);
        await vault.connect(alice).redeem(WAD / 3n, alice.address, [0, 0, 0]);
        await expectCollateralised(vault);
      }
    });
  });

  describe("roles", () => {
    it("lets only the guardian pause and only the admin unpause", async () => {
      const { vault, guardian, admin, gov, outsider } = await loadFixture(baseFixture);
      await expect(vault.connect(outsider).pause()).to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount").withArgs(outsider.address, ROLES.GUARDIAN);
      await expect(vault.connect(admin).pause()).to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount").withArgs(admin.address, ROLES.GUARDIAN);
      await vault.connect(guardian).pause();
      await expect(vault.connect(guardian).pause()).to.be.revertedWithCustomError(vault, "PauseStateUnchanged").withArgs(true);
      await expect(vault.connect(guardian).unpause()).to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount").withArgs(guardian.address, ROLES.ADMIN);
      await expect(vault.connect(admin).unpause()).to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount").withArgs(admin.address, ROLES.ADMIN);
      await gov.exec(vault, "unpause");
      await expect(gov.exec(vault, "unpause")).to.be.revertedWithCustomError(vault, "PauseStateUnchanged").withArgs(false);
    });

    it("restricts fee settings to the admin", async () => {
      const { vault, guardian, keeper, admin } = await loadFixture(baseFixture);
      for (const who of [guardian, keeper, admin]) {
        await expect(vault.connect(who).setFeeRate(1)).to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount").withArgs(who.address, ROLES.ADMIN);
        await expect(vault.connect(who).setFeeRecipient(who.address)).to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount");
      }
    });
  });

  describe("#nav / #navPerShare", () => {
    it("values the held balances and the units at feed prices", async () => {
      const { vault, alice, market } = await loadFixture(mintedFixture);
      const [, units] = await vault.basket();
      const prices = market.specs.map((s) => price18(s.priceUsd));
      const dec = market.specs.map((s) => 10n ** BigInt(s.decimals));
      const expectedNps = units.reduce((acc, u, i) => acc + (u * prices[i]!) / dec[i]!, 0n);
      expect(await vault.navPerShare()).to.equal(expectedNps);
      const vaultAddress = await vault.getAddress();
      let expectedNav = 0n;
      for (let i = 0; i < 3; i++) expectedNav += ((await market.tokens[i]!.balanceOf(vaultAddress)) * prices[i]!) / dec[i]!;
      expect(await vault.nav()).to.equal(expectedNav);
      // 10 shares at ~100 USD
      expect(expectedNav).to.be.closeTo(1000n * WAD, 10n ** 6n);
      // A price move shows up in both.
      await market.feeds[1]!.updateAnswer(fixed("30000", 8));
      expect(await vault.navPerShare()).to.equal(expectedNps - (units[1]! * (prices[1]! / 2n)) / dec[1]!);
      void alice;
    });

    it("reverts on a stale feed", async () => {
      const { vault, market } = await loadFixture(mintedFixture);
      await time.increase(24 * 3600 + 1);
      await expect(vault.navPerShare()).to.be.revertedWithCustomError(market.registry, "StalePrice");
      await expect(vault.nav()).to.be.revertedWithCustomError(market.registry, "StalePrice");
    });
  });

  describe("#permit", () => {
    it("accepts an EIP-2612 permit signed by the holder", async () => {
      const { vault, alice, bob } = await loadFixture(mintedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const domain = { name: await vault.name(), version: "1", chainId: (await ethers.provider.getNetwork()).chainId, verifyingContract: await vault.getAddress() };
      const types = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const sig = ethers.Signature.from(
        await alice.signTypedData(domain, types, { owner: alice.address, spender: bob.address, value: WAD, nonce: 0n, deadline }),
      );
      await vault.connect(bob).permit(alice.address, bob.address, WAD, deadline, sig.v, sig.r, sig.s);
      expect(await vault.allowance(alice.address, bob.address)).to.equal(WAD);
      await vault.connect(bob).transferFrom(alice.address, bob.address, WAD);
      expect(await vault.balanceOf(bob.address)).to.equal(WAD);
    });
  });

  describe("weight oracle integration", () => {
    it("a relayed report replaces the targets the vault seeds from", async () => {
      const { vault, oracle, signers, outsider, tokenAddresses } = await loadFixture(baseFixture);
      const report = await makeReport(ethers, vault, 2n, [tokenAddresses[1]!], [WAD]);
      await oracle.connect(outsider).submit(report, await signReport(oracle, [signers[1]!, signers[2]!], report));
      const [round, tokens] = await vault.targets();
      expect(round).to.equal(2n);
      expect(tokens).to.deep.equal([tokenAddresses[1]]);
      const [, amounts] = await vault.previewMint(WAD);
      // unit = floor(100e18 * 1e8 / 60000e18) = 166,666 sats per share; mint pulls ceil(1e18 * unit / 1e18) = the unit itself.
      expect(amounts).to.deep.equal([(NAV0 * 10n ** 8n) / price18("60000")]);
    });
  });
});
