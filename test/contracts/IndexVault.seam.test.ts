import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { WAD, ROLES, ceilDiv, deployGovernance, deployTokensAndFeeds, deployVault, expectCollateralised, fundAndApprove, SAMPLE_SPECS } from "../fixtures/contracts";
import type { IndexVault, MockERC20 } from "../../typechain-types";

const REBALANCER = id("REBALANCER_ROLE");

/**
 * The vault's rebalance hooks, called directly by an EOA holding REBALANCER_ROLE (the Rebalancer's policy
 * checks are tested in test/contracts/rebalance). A "trade" is simulated by minting the bought token into
 * the vault, or made through the test ReentrantAdapter (1:1 in base units) when tokens must leave.
 * Expected amounts are worked by hand from balances and the effective supply S read at the block:
 *   in a window: unit_i = floor(bal_i * 1e18 / S), mint pulls ceil(shares * bal_i / S), redeem pays
 *   floor(shares * bal_i / S); after endRebalance: units floor(bal_i * 1e18 / S), scale 1e18.
 */
describe("IndexVault rebalance hooks (beginRebalance / executeTrades / endRebalance)", () => {
  async function fixture() {
    const [admin, alice, feeRecipient, guardian, outsider] = await ethers.getSigners();
    const gov = await deployGovernance(ethers, admin!);
    const market = await deployTokensAndFeeds(ethers, gov, [...SAMPLE_SPECS, { symbol: "sNEW", decimals: 18, priceUsd: "2" }]);
    const vault = await deployVault(ethers, gov, market.registry, { feeRate: 2n * 10n ** 16n, feeRecipient: feeRecipient!.address });
    await gov.batch([
      [vault, "grantRole", [ROLES.ORACLE, admin!.address]],
      [vault, "grantRole", [ROLES.GUARDIAN, guardian!.address]],
      [vault, "grantRole", [REBALANCER, admin!.address]],
    ]);
    const addresses = await Promise.all(market.tokens.map((t) => t.getAddress()));
    await vault.setTargets(1, addresses.slice(0, 3), [WAD / 2n, (WAD * 3n) / 10n, WAD / 5n]);
    await fundAndApprove(market.tokens, alice!, await vault.getAddress(), 10n ** 40n);
    const [, amounts] = await vault.previewMint(10n * WAD);
    await vault.connect(alice!).mint(10n * WAD, alice!.address, [...amounts]);
    return { vault, market, gov, addresses, admin: admin!, alice: alice!, guardian: guardian!, outsider: outsider! };
  }

  async function balancesAt(vault: IndexVault, tokens: readonly MockERC20[], blockTag: number | "latest" = "latest") {
    const v = await vault.getAddress();
    return Promise.all(tokens.map((t) => t.balanceOf(v, { blockTag })));
  }

  /** Opens the window for sWETH, sUSDC, sNEW (sWBTC leaves) and "buys" 1500 sNEW. */
  async function openAndBuy() {
    const fx = await loadFixture(fixture);
    await time.increase(30 * 24 * 3600);
    await fx.vault.beginRebalance([fx.addresses[0]!, fx.addresses[2]!, fx.addresses[3]!]);
    await fx.market.tokens[3]!.mint(await fx.vault.getAddress(), 1500n * WAD);
    return fx;
  }

  it("beginRebalance writes the union of the held basket and the new tokens, then units follow balances", async () => {
    const { vault, addresses, market } = await loadFixture(fixture);
    expect(await vault.rebalancing()).to.equal(false);
    await expect(vault.beginRebalance([addresses[0]!, addresses[3]!])).to.emit(vault, "BasketUpdated");
    expect(await vault.rebalancing()).to.equal(true);
    // sNEW is in the record but has no balance yet: listed with unit 0 (the window's order and length are fixed).
    let [tokens, units] = await vault.basket();
    expect(tokens).to.deep.equal(addresses);
    expect(units[3]).to.equal(0n);
    await market.tokens[3]!.mint(await vault.getAddress(), 7n * WAD);
    [tokens, units] = await vault.basket();
    expect(tokens).to.deep.equal(addresses);
    const supply = await vault.effectiveSupply();
    const bals = await balancesAt(vault, market.tokens);
    expect(units).to.deep.equal(bals.map((b) => (b * WAD) / supply));
    await expectCollateralised(vault);
  });

  it("mints mid-window at ceil(shares * balance / S) of every held token, including the new one", async () => {
    const { vault, market, alice } = await openAndBuy();
    const shares = 3n * WAD + 12345n;
    const [tokens, preview] = await vault.previewMint(shares);
    expect(tokens.length).to.equal(4);
    const receipt = await (await vault.connect(alice).mint(shares, alice.address, [...preview])).wait();
    const n = receipt!.blockNumber;
    const before = await balancesAt(vault, market.tokens, n - 1);
    const after = await balancesAt(vault, market.tokens, n);
    const supplyAtMint = (await vault.effectiveSupply({ blockTag: n })) - shares; // S after the mint's own accrual
    for (let i = 0; i < 4; i++) {
      expect(after[i]! - before[i]!, `token ${i}`).to.equal(ceilDiv(shares * before[i]!, supplyAtMint));
    }
    await expectCollateralised(vault);
  });

  it("redeems mid-window at floor(shares * balance / S): the redeemer gets the newly bought token pro rata", async () => {
    const { vault, market, alice } = await openAndBuy();
    const shares = 4n * WAD + 999n;
    const aliceBefore = await Promise.all(market.tokens.map((t) => t.balanceOf(alice.address)));
    const receipt = await (await vault.connect(alice).redeem(shares, alice.address, [0, 0, 0, 0])).wait();
    const n = receipt!.blockNumber;
    const before = await balancesAt(vault, market.tokens, n - 1);
    const supplyAtRedeem = (await vault.effectiveSupply({ blockTag: n })) + shares;
    for (let i = 0; i < 4; i++) {
      const got = (await market.tokens[i]!.balanceOf(alice.address)) - aliceBefore[i]!;
      expect(got, `token ${i}`).to.equal((shares * before[i]!) / supplyAtRedeem);
    }
    expect((await market.tokens[3]!.balanceOf(alice.address)) - aliceBefore[3]!).to.be.greaterThan(0n);
    await expectCollateralised(vault);
  });

  it("endRebalance writes floor(balance * 1e18 / S) for exactly the final tokens; every other token leaves", async () => {
    const { vault, market, addresses, admin } = await openAndBuy();
    // Sell all sWBTC but 1 sat through the 1:1 adapter into sUSDC: 1 sat over 10 shares rounds to unit 0.
    const adapter = await ethers.deployContract("ReentrantAdapter");
    await market.tokens[2]!.mint(adapter, 10n ** 30n);
    const wbtc = await market.tokens[1]!.balanceOf(vault);
    await vault.connect(admin).executeTrades([{ adapter, tokenIn: addresses[1]!, tokenOut: addresses[2]!, amountIn: wbtc - 1n, minAmountOut: 0n, routeData: "0x" }]);
    // sWETH is not a final token: it leaves the basket (the Rebalancer passes it when it is worth more than dust).
    const receipt = await (await vault.endRebalance([addresses[3]!, addresses[2]!, addresses[3]!])).wait();
    const n = receipt!.blockNumber;
    expect(await vault.rebalancing()).to.equal(false);
    const [tokens, stored, scale] = await vault.rawBasket({ blockTag: n });
    expect(tokens).to.deep.equal([addresses[3], addresses[2]]); // the duplicate is dropped
    expect(scale).to.equal(WAD);
    const supply = await vault.effectiveSupply({ blockTag: n });
    const bals = await balancesAt(vault, [market.tokens[3]!, market.tokens[2]!], n);
    expect(stored).to.deep.equal(bals.map((b) => (b * WAD) / supply));
    expect(await market.tokens[1]!.balanceOf(vault)).to.equal(1n); // the sWBTC dust stays in the vault
    await expectCollateralised(vault);
    // Mint and redeem follow the final basket.
    const [, amounts] = await vault.previewMint(WAD);
    const [alice] = [(await ethers.getSigners())[1]!];
    await vault.connect(alice).mint(WAD, alice.address, [...amounts]);
    await vault.connect(alice).redeem(5n * WAD, alice.address, [0, 0]);
    await expectCollateralised(vault);
  });

  it("reverts endRebalance with EmptyBasket when no token keeps a non-zero unit, leaving the window open", async () => {
    const { vault, market, addresses, admin } = await loadFixture(fixture);
    await vault.beginRebalance([addresses[0]!]);
    const adapter = await ethers.deployContract("ReentrantAdapter");
    await market.tokens[3]!.mint(adapter, 10n ** 40n);
    for (const i of [0, 1, 2]) {
      const bal = await market.tokens[i]!.balanceOf(vault);
      await vault.connect(admin).executeTrades([{ adapter, tokenIn: addresses[i]!, tokenOut: addresses[3]!, amountIn: bal, minAmountOut: 0n, routeData: "0x" }]);
    }
    // sNEW is outside the record and the final tokens, so nothing redeemable remains in the basket.
    await expect(vault.endRebalance([addresses[0]!])).to.be.revertedWithCustomError(vault, "EmptyBasket");
    expect(await vault.rebalancing()).to.equal(true);
  });

  it("reverts endRebalance with UnitTooLarge above 2^192 base units per share", async () => {
    const { vault, addresses, market } = await loadFixture(fixture);
    await vault.beginRebalance([addresses[3]!]);
    const supply = await vault.effectiveSupply();
    await market.tokens[3]!.mint(await vault.getAddress(), (2n ** 193n * supply) / WAD);
    await expect(vault.endRebalance([addresses[3]!])).to.be.revertedWithCustomError(vault, "UnitTooLarge");
  });

  it("trades only in a window and not while paused; pause stops mint, never redeem or endRebalance", async () => {
    const { vault, market, addresses, admin, alice, guardian, gov } = await loadFixture(fixture);
    const adapter = await ethers.deployContract("ReentrantAdapter");
    await market.tokens[3]!.mint(adapter, 10n ** 30n);
    const trade = { adapter: await adapter.getAddress(), tokenIn: addresses[0]!, tokenOut: addresses[3]!, amountIn: 10n ** 15n, minAmountOut: 0n, routeData: "0x" };
    await expect(vault.executeTrades([trade])).to.be.revertedWithCustomError(vault, "NotRebalancing");
    await expect(vault.endRebalance([])).to.be.revertedWithCustomError(vault, "NotRebalancing");
    await vault.beginRebalance([addresses[3]!]);
    await vault.connect(guardian).pause();
    const before = JSON.stringify(await balancesAt(vault, market.tokens), (_, v) => (typeof v === "bigint" ? v.toString() : v));
    await expect(vault.executeTrades([trade])).to.be.revertedWithCustomError(vault, "RebalancePaused");
    expect(JSON.stringify(await balancesAt(vault, market.tokens), (_, v) => (typeof v === "bigint" ? v.toString() : v))).to.equal(before);
    await expect(vault.connect(alice).mint(WAD, alice.address, [10n ** 30n, 10n ** 30n, 10n ** 30n])).to.be.revertedWithCustomError(vault, "MintPaused");
    await vault.connect(alice).redeem(WAD, alice.address, [0, 0, 0, 0]);
    await expectCollateralised(vault);
    expect(await vault.paused()).to.equal(true);
    await vault.endRebalance([addresses[0]!]);
    expect([await vault.paused(), await vault.rebalancing()]).to.deep.equal([true, false]);
    await gov.exec(vault, "unpause");
    expect([await vault.paused(), await vault.rebalancing()]).to.deep.equal([false, false]);
  });

  it("lets only REBALANCER_ROLE call the hooks", async () => {
    const { vault, outsider, addresses } = await loadFixture(fixture);
    for (const call of [() => vault.connect(outsider).beginRebalance([addresses[0]!]), () => vault.connect(outsider).executeTrades([]), () => vault.connect(outsider).endRebalance([])]) {
      await expect(call()).to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount").withArgs(outsider.address, REBALANCER);
    }
  });
});
