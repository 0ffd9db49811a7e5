import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { WAD, YEAR, ROLES, ceilDiv, deployGovernance, deployTokensAndFeeds, deployVault, expectCollateralised, fundAndApprove, SAMPLE_SPECS } from "../fixtures/contracts";

const REBALANCER = id("REBALANCER_ROLE");

/**
 * Issue 8, review points 1, 2, 3 and 7: hostile constituents, dust and the protections no test covered.
 * Basket: sWETH (a healthy OpenZeppelin ERC-20) and one hostile token X, half each; alice and bob hold shares.
 */
describe("IndexVault under hostile tokens and dust (issue 8)", () => {
  async function fixture() {
    const [admin, alice, bob, outsider] = await ethers.getSigners();
    const gov = await deployGovernance(ethers, admin!);
    const market = await deployTokensAndFeeds(ethers, gov, [...SAMPLE_SPECS, { symbol: "sNEW", decimals: 18, priceUsd: "2" }]);
    const vault = await deployVault(ethers, gov, market.registry);
    const hostile = await ethers.deployContract("HostileERC20");
    const pausable = await ethers.deployContract("PausableMockERC20");
    const feeds = [await ethers.deployContract("MockAggregator", [8, 10n ** 8n]), await ethers.deployContract("MockAggregator", [8, 10n ** 8n])];
    gov.onWarp(async () => {
      for (const f of feeds) await f.updateAnswer(10n ** 8n); // re-stamped after the timelock's delay
    });
    await gov.batch([
      [vault, "grantRole", [ROLES.ORACLE, admin!.address]],
      [vault, "grantRole", [REBALANCER, admin!.address]],
      [market.registry, "setFeed", [await hostile.getAddress(), await feeds[0]!.getAddress(), 24 * 3600]],
      [market.registry, "setFeed", [await pausable.getAddress(), await feeds[1]!.getAddress(), 24 * 3600]],
    ]);
    const addresses = await Promise.all(market.tokens.map((t) => t.getAddress()));
    for (const who of [alice!, bob!]) {
      await fundAndApprove(market.tokens, who, await vault.getAddress(), 10n ** 40n);
      for (const t of [hostile, pausable]) {
        await t.mint(who.address, 10n ** 30n);
        await t.connect(who).approve(vault, ethers.MaxUint256);
      }
    }
    return { gov, vault, market, addresses, hostile, pausable, admin: admin!, alice: alice!, bob: bob!, outsider: outsider! };
  }

  /** The basket [sWETH, X] with 10 shares for alice and 5 for bob. */
  async function withToken(x: "hostile" | "pausable") {
    const fx = await loadFixture(fixture);
    const token = fx[x];
    await fx.vault.setTargets(1, [fx.addresses[0]!, await token.getAddress()], [WAD / 2n, WAD / 2n]);
    for (const [who, shares] of [[fx.alice, 10n * WAD], [fx.bob, 5n * WAD]] as const) {
      const [, amounts] = await fx.vault.previewMint(shares);
      await fx.vault.connect(who).mint(shares, who.address, [...amounts]);
    }
    return { ...fx, token };
  }

  describe("point 1: no single token freezes an exit", () => {
    const breakers = {
      "an OpenZeppelin ERC20Pausable token that is paused": { x: "pausable" as const, brk: async (f: Awaited<ReturnType<typeof withToken>>) => f.pausable.pause() },
      "a token that blacklists the vault": { x: "hostile" as const, brk: async (f: Awaited<ReturnType<typeof withToken>>) => f.hostile.blacklist(await f.vault.getAddress(), true) },
      "a token that starts reverting": { x: "hostile" as const, brk: async (f: Awaited<ReturnType<typeof withToken>>) => f.hostile.setReverting(true) },
    };
    for (const [what, { x, brk }] of Object.entries(breakers)) {
      it(`redeems while skipping ${what}: the skipped share stays for the others, RedeemSkipped records it`, async () => {
        const f = await withToken(x);
        await brk(f);
        const vaultAddress = await f.vault.getAddress();
        const tokenAddress = await f.token.getAddress();
        await expect(f.vault.connect(f.alice).redeem(4n * WAD, f.alice.address, [0, 0])).to.be.reverted; // the freeze
        const [, preview] = await f.vault.previewRedeem(4n * WAD);
        const wethBefore = await f.market.tokens[0]!.balanceOf(f.alice.address);
        const xHeld = await f.token.balanceOf(vaultAddress);
        await expect(f.vault.connect(f.alice).redeemSkipping(4n * WAD, f.alice.address, [preview[0]!, 0], [tokenAddress]))
          .to.emit(f.vault, "RedeemSkipped")
          .withArgs(f.alice.address, f.alice.address, 4n * WAD, [tokenAddress], [preview[1]!]);
        expect((await f.market.tokens[0]!.balanceOf(f.alice.address)) - wethBefore).to.equal(preview[0]);
        expect(await f.token.balanceOf(vaultAddress)).to.equal(xHeld); // forgone, kept for the remaining holders
        expect(await f.vault.balanceOf(f.alice.address)).to.equal(6n * WAD);
        await expectCollateralised(f.vault);
        // Bob (and every other holder) exits the same way.
        await f.vault.connect(f.bob).redeemSkipping(5n * WAD, f.bob.address, [0, 0], [tokenAddress]);
        await expectCollateralised(f.vault);
      });

      it(`lets the admin retire ${what}: minting resumes without it and its balance stays in the vault`, async () => {
        const f = await withToken(x);
        const vaultAddress = await f.vault.getAddress();
        const tokenAddress = await f.token.getAddress();
        await expect(f.gov.exec(f.vault, "retireConstituent", [tokenAddress])).to.be.revertedWithCustomError(f.vault, "ConstituentTransfersWork").withArgs(tokenAddress);
        await brk(f);
        await expect(f.vault.connect(f.outsider).retireConstituent(tokenAddress)).to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount");
        const [, before] = await f.vault.rawBasket();
        const xHeld = await f.token.balanceOf(vaultAddress);
        await expect(f.gov.exec(f.vault, "retireConstituent", [tokenAddress])).to.emit(f.vault, "ConstituentRetired").withArgs(tokenAddress);
        const [tokens, stored] = await f.vault.rawBasket();
        expect(tokens).to.deep.equal([f.addresses[0]]);
        expect(stored).to.deep.equal([before[0]]);
        const [, amounts] = await f.vault.previewMint(WAD);
        await f.vault.connect(f.bob).mint(WAD, f.bob.address, [...amounts]);
        await f.vault.connect(f.alice).redeem(10n * WAD, f.alice.address, [0]);
        expect(await f.token.balanceOf(vaultAddress)).to.equal(xHeld);
        await expectCollateralised(f.vault);
        await expect(f.gov.exec(f.vault, "retireConstituent", [tokenAddress])).to.be.revertedWithCustomError(f.vault, "NotAConstituent").withArgs(tokenAddress);
        await expect(f.gov.exec(f.vault, "retireConstituent", [f.addresses[0]!])).to.be.revertedWithCustomError(f.vault, "EmptyBasket");
      });
    }
  });

  describe("point 2: redeem checks what left the vault", () => {
    it("reverts with CollateralShortfall when a constituent starts charging the sender, unless the holder skips it", async () => {
      const f = await withToken("hostile");
      await f.hostile.setSenderFeeBps(100); // 1% on top, taken from the vault
      const tokenAddress = await f.hostile.getAddress();
      const [, preview] = await f.vault.previewRedeem(4n * WAD);
      const fee = (preview[1]! * 100n + 9999n) / 10000n;
      // What the 11 shares left after the redeem need of X (METHODOLOGY section 7): ceil(S' * unit / 1e18),
      // and what the vault would hold of it if the transfer went through: less.
      const [, stored, scale] = await f.vault.rawBasket();
      const rest = (await f.vault.effectiveSupply()) - 4n * WAD;
      const required = ceilDiv(rest * stored[1]! * scale, WAD * WAD);
      const after = (await f.hostile.balanceOf(f.vault)) - preview[1]! - fee;
      expect(after).to.be.lessThan(required);
      await expect(f.vault.connect(f.alice).redeem(4n * WAD, f.alice.address, [0, 0]))
        .to.be.revertedWithCustomError(f.vault, "CollateralShortfall")
        .withArgs(tokenAddress, after, required);
      await expectCollateralised(f.vault);
      await f.vault.connect(f.alice).redeemSkipping(4n * WAD, f.alice.address, [0, 0], [tokenAddress]);
      await expectCollateralised(f.vault);
      // The admin may retire it: a 1-unit transfer to itself moves the vault's balance.
      await f.gov.exec(f.vault, "retireConstituent", [tokenAddress]);
      await expectCollateralised(f.vault);
    });

    it("reverts with CollateralShortfall inside a rebalance window too, where units follow balances", async () => {
      const f = await withToken("hostile");
      await f.vault.beginRebalance([f.addresses[0]!, await f.hostile.getAddress()]);
      await f.hostile.setSenderFeeBps(100);
      const tokenAddress = await f.hostile.getAddress();
      const supply = await f.vault.effectiveSupply(); // no fee: 15 shares
      const bal = await f.hostile.balanceOf(f.vault);
      const amount = (4n * WAD * bal) / supply; // floor(shares * balance / S)
      const fee = (amount * 100n + 9999n) / 10000n;
      const required = ceilDiv((supply - 4n * WAD) * bal, supply); // ceil(S' * balance / S)
      const after = bal - amount - fee;
      expect(after).to.be.lessThan(required);
      await expect(f.vault.connect(f.alice).redeem(4n * WAD, f.alice.address, [0, 0]))
        .to.be.revertedWithCustomError(f.vault, "CollateralShortfall")
        .withArgs(tokenAddress, after, required);
      await f.hostile.setSenderFeeBps(0);
      await f.vault.connect(f.alice).redeem(4n * WAD, f.alice.address, [0, amount]); // a clean token pays exactly
      expect(await f.hostile.balanceOf(f.vault)).to.equal(bal - amount);
    });

    it("checks the backing of the remaining shares, not the delta: a sender fee the vault's surplus covers goes through", async () => {
      const f = await withToken("hostile");
      await f.hostile.setSenderFeeBps(100);
      const [, preview] = await f.vault.previewRedeem(4n * WAD);
      const fee = (preview[1]! * 100n + 9999n) / 10000n;
      await f.hostile.mint(f.vault, fee); // a donation: surplus the remaining shares do not need
      const before = await f.hostile.balanceOf(f.vault);
      await f.vault.connect(f.alice).redeem(4n * WAD, f.alice.address, [...preview]);
      expect(await f.hostile.balanceOf(f.vault)).to.equal(before - preview[1]! - fee);
      await expectCollateralised(f.vault); // the fee came out of the surplus: every remaining share is backed
    });
  });

  describe("point 3: dust never blocks", () => {
    async function window() {
      const fx = await loadFixture(fixture);
      await fx.vault.setTargets(1, fx.addresses.slice(0, 3), [WAD / 2n, (WAD * 3n) / 10n, WAD / 5n]);
      const [, amounts] = await fx.vault.previewMint(10n * WAD);
      await fx.vault.connect(fx.alice).mint(10n * WAD, fx.alice.address, [...amounts]);
      return fx;
    }

    it("a donated speck of a leaving token cannot keep it in the basket: endRebalance keeps exactly the final tokens", async () => {
      const f = await window();
      await f.vault.beginRebalance([f.addresses[0]!, f.addresses[2]!]);
      // The keeper sold sWBTC down to 0 through a 1:1 adapter; an attacker donates 1,000 sats just before close.
      const adapter = await ethers.deployContract("ReentrantAdapter");
      await f.market.tokens[2]!.mint(adapter, 10n ** 30n);
      const wbtc = await f.market.tokens[1]!.balanceOf(f.vault);
      await f.vault.executeTrades([{ adapter, tokenIn: f.addresses[1]!, tokenOut: f.addresses[2]!, amountIn: wbtc, minAmountOut: 0n, routeData: "0x" }]);
      await f.market.tokens[1]!.mint(f.vault, 1000n);
      await f.vault.endRebalance([f.addresses[0]!, f.addresses[2]!]);
      const [tokens] = await f.vault.basket();
      expect(tokens).to.deep.equal([f.addresses[0], f.addresses[2]]);
      // A redeem far below one share works (it used to revert with ZeroAmount on the unit-1 sWBTC).
      await f.vault.connect(f.alice).redeem(10n ** 6n, f.alice.address, [0, 0]);
      await expectCollateralised(f.vault);
    });

    it("a donation of a not-yet-held target inside a window cannot break bounds sized a block earlier", async () => {
      const f = await window();
      await f.vault.beginRebalance([f.addresses[0]!, f.addresses[3]!]);
      const [, outs] = await f.vault.previewRedeem(WAD);
      const [, ins] = await f.vault.previewMint(WAD);
      expect(outs.length).to.equal(4); // the window's whole record, sNEW at 0
      // Donations of sNEW: a speck (below one base unit per 1e18 shares), then a real amount.
      await f.market.tokens[3]!.mint(f.vault, 5n);
      await f.vault.connect(f.alice).mint(WAD, f.alice.address, [...ins]);
      await f.vault.connect(f.alice).redeem(WAD, f.alice.address, [...outs]);
      await f.market.tokens[3]!.mint(f.vault, 7n * WAD);
      await f.vault.connect(f.alice).redeem(WAD, f.alice.address, [...outs]);
      await expectCollateralised(f.vault);
    });
  });

  describe("point 7: protections the suite did not cover", () => {
    it("executeTrades reverts with TradeInputMismatch when the adapter spends less than amountIn", async () => {
      const f = await loadFixture(fixture);
      await f.vault.setTargets(1, f.addresses.slice(0, 2), [WAD / 2n, WAD / 2n]);
      const [, amounts] = await f.vault.previewMint(10n * WAD);
      await f.vault.connect(f.alice).mint(10n * WAD, f.alice.address, [...amounts]);
      await f.vault.beginRebalance([f.addresses[0]!, f.addresses[3]!]);
      const adapter = await ethers.deployContract("ShortSpendAdapter");
      await f.market.tokens[3]!.mint(adapter, 10n ** 30n);
      const amountIn = 10n ** 15n;
      await expect(f.vault.executeTrades([{ adapter, tokenIn: f.addresses[0]!, tokenOut: f.addresses[3]!, amountIn, minAmountOut: 0n, routeData: "0x" }]))
        .to.be.revertedWithCustomError(f.vault, "TradeInputMismatch")
        .withArgs(f.addresses[0], amountIn / 2n, amountIn);
    });

    it("takes at most half the units in one fee accrual (the 50% cap), however long the vault sat idle", async () => {
      const [admin] = await ethers.getSigners();
      const gov = await deployGovernance(ethers, admin!);
      const market = await deployTokensAndFeeds(ethers, gov, SAMPLE_SPECS);
      const vault = await deployVault(ethers, gov, market.registry, { maxFeeRate: WAD / 2n, feeRate: WAD / 2n });
      await gov.exec(vault, "grantRole", [ROLES.ORACLE, admin!.address]);
      const addresses = await Promise.all(market.tokens.map((t) => t.getAddress()));
      await vault.setTargets(1, addresses.slice(0, 2), [WAD / 2n, WAD / 2n]);
      await fundAndApprove(market.tokens, admin!, await vault.getAddress(), 10n ** 40n);
      const [, amounts] = await vault.previewMint(10n * WAD);
      await vault.mint(10n * WAD, admin!.address, [...amounts]);
      await time.increase(3n * YEAR); // f = 50%/year * 3 years = 150% uncapped
      await vault.accrueFees();
      const [, , , pending, , scale] = await vault.feeState();
      expect(scale).to.equal(WAD / 2n); // exactly half
      expect(pending).to.equal(10n * WAD); // S * f / (1 - f) = S
      await expectCollateralised(vault);
    });
  });
});
