import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MIN_ADMIN_DELAY, ROLES, deployGovernance } from "../fixtures/contracts";

describe("PriceRegistry", () => {
  async function fixture() {
    const [admin, outsider] = await ethers.getSigners();
    const gov = await deployGovernance(ethers, admin!);
    const registry = await ethers.deployContract("PriceRegistry", [gov.address]);
    const wbtc = await ethers.deployContract("MockERC20", ["Wrapped BTC", "WBTC", 8]);
    const feed = await ethers.deployContract("MockAggregator", [8, 65_000n * 10n ** 8n]);
    // Feeds here are re-stamped after each governance delay, like a live Chainlink feed would be.
    gov.onWarp(async () => void (await feed.updateAnswer(await feed.latestAnswer())));
    return { registry, wbtc, feed, gov, admin: admin!, outsider: outsider! };
  }

  describe("#setFeed", () => {
    it("stores feed, heartbeat and the token's decimals and emits FeedSet", async () => {
      const { registry, wbtc, feed, gov } = await loadFixture(fixture);
      await expect(gov.exec(registry, "setFeed", [wbtc.target, feed.target, 3600])).to.emit(registry, "FeedSet").withArgs(await wbtc.getAddress(), await feed.getAddress(), 3600, 8);
      expect(await registry.feedOf(wbtc)).to.deep.equal([await feed.getAddress(), 3600n, 8n]);
      expect(await registry.hasFeed(wbtc)).to.equal(true);
      expect(await registry.price(wbtc)).to.equal(65_000n * 10n ** 18n);
      expect(await registry.priceAndDecimals(wbtc)).to.deep.equal([65_000n * 10n ** 18n, 8n]);
    });

    it("scales every read by the feed decimals cached at setup (6 and 18 here, 8 above) and refuses more than 18", async () => {
      const { registry, wbtc, gov } = await loadFixture(fixture);
      for (const d of [6n, 18n]) {
        const raw = await ethers.deployContract("RawFeed", [d]);
        await raw.set(1, 123n * 10n ** d, BigInt(await time.latest()) + MIN_ADMIN_DELAY, 1); // fresh when the timelock executes
        await gov.exec(registry, "setFeed", [wbtc.target, raw.target, 3600]);
        // {1e18 USD} = answer * 10^(18 - d): by hand, independent of the registry's cache.
        expect(await registry.price(wbtc)).to.equal(123n * 10n ** 18n);
        expect(await registry.priceAndDecimals(wbtc)).to.deep.equal([123n * 10n ** 18n, 8n]);
      }
      const raw19 = await ethers.deployContract("RawFeed", [19]);
      await raw19.set(1, 1, BigInt(await time.latest()) + MIN_ADMIN_DELAY, 1);
      await expect(gov.exec(registry, "setFeed", [wbtc.target, raw19.target, 3600])).to.be.revertedWithCustomError(registry, "UnsupportedFeedDecimals").withArgs(await raw19.getAddress(), 19);
    });

    it("reverts with InvalidFeed for a zero token, zero feed or zero heartbeat", async () => {
      const { registry, wbtc, feed, gov } = await loadFixture(fixture);
      await expect(gov.exec(registry, "setFeed", [ethers.ZeroAddress, feed.target, 3600])).to.be.revertedWithCustomError(registry, "InvalidFeed");
      await expect(gov.exec(registry, "setFeed", [wbtc.target, ethers.ZeroAddress, 3600])).to.be.revertedWithCustomError(registry, "InvalidFeed");
      await expect(gov.exec(registry, "setFeed", [wbtc.target, feed.target, 0])).to.be.revertedWithCustomError(registry, "InvalidFeed");
    });

    it("reverts with InvalidFeed for a heartbeat that does not fit its 32-bit slot, and accepts 2^32 - 1 s", async () => {
      const { registry, wbtc, feed, gov } = await loadFixture(fixture);
      await expect(gov.exec(registry, "setFeed", [wbtc.target, feed.target, 2n ** 32n]))
        .to.be.revertedWithCustomError(registry, "InvalidFeed")
        .withArgs(wbtc.target, feed.target, 2n ** 32n);
      await gov.exec(registry, "setFeed", [wbtc.target, feed.target, 2n ** 32n - 1n]);
      expect((await registry.feedOf(wbtc.target))[1]).to.equal(2n ** 32n - 1n);
    });

    it("refuses a feed that is stale at setup", async () => {
      const { registry, wbtc, gov } = await loadFixture(fixture);
      const frozen = await ethers.deployContract("MockAggregator", [8, 65_000n * 10n ** 8n]); // never re-stamped
      await expect(gov.exec(registry, "setFeed", [wbtc.target, frozen.target, 3600])).to.be.revertedWithCustomError(registry, "StalePrice");
    });

    it("reverts for anyone but the admin timelock, including the key that proposes to it", async () => {
      const { registry, wbtc, feed, outsider, admin } = await loadFixture(fixture);
      await expect(registry.connect(admin).setFeed(wbtc, feed, 3600)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount").withArgs(admin.address, ROLES.ADMIN);
      await expect(registry.connect(outsider).setFeed(wbtc, feed, 3600)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
      await expect(registry.connect(outsider).removeFeed(wbtc)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    });
  });

  describe("#price", () => {
    it("reverts with FeedNotSet for an unknown token and after removal", async () => {
      const { registry, wbtc, feed, gov } = await loadFixture(fixture);
      await expect(registry.price(wbtc)).to.be.revertedWithCustomError(registry, "FeedNotSet").withArgs(await wbtc.getAddress());
      await gov.exec(registry, "setFeed", [wbtc.target, feed.target, 3600]);
      await expect(gov.exec(registry, "removeFeed", [wbtc.target])).to.emit(registry, "FeedRemoved").withArgs(await wbtc.getAddress());
      await expect(registry.price(wbtc)).to.be.revertedWithCustomError(registry, "FeedNotSet");
      await expect(gov.exec(registry, "removeFeed", [wbtc.target])).to.be.revertedWithCustomError(registry, "FeedNotSet");
    });

    it("reverts with StalePrice after the heartbeat and NonPositivePrice for a zero answer", async () => {
      const { registry, wbtc, feed, gov } = await loadFixture(fixture);
      await gov.exec(registry, "setFeed", [wbtc.target, feed.target, 3600]);
      await time.increase(3601);
      await expect(registry.price(wbtc)).to.be.revertedWithCustomError(registry, "StalePrice");
      await feed.updateAnswer(0);
      await expect(registry.price(wbtc)).to.be.revertedWithCustomError(registry, "NonPositivePrice");
    });
  });
  describe("#constructor", () => {
    it("refuses an admin that is not a TimelockController with at least a 1-day delay (issue 13)", async () => {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("PriceRegistry");
      await expect(factory.deploy(admin!.address)).to.be.revertedWithCustomError(factory, "AdminNotTimelock").withArgs(admin!.address);
      const short = await deployGovernance(ethers, admin!, 3600n);
      await expect(factory.deploy(short.address)).to.be.revertedWithCustomError(factory, "AdminDelayTooShort").withArgs(short.address, 3600n, MIN_ADMIN_DELAY);
    });
  });
});
