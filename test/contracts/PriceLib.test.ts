import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

const HEARTBEAT = 3600n;

describe("PriceLib", () => {
  async function fixture() {
    const harness = await ethers.deployContract("PriceLibHarness");
    const feed8 = await ethers.deployContract("MockAggregator", [8, 3000n * 10n ** 8n]);
    const feed18 = await ethers.deployContract("MockAggregator", [18, 12345n * 10n ** 14n]);
    const raw = await ethers.deployContract("RawFeed", [8]);
    return { harness, feed8, feed18, raw };
  }

  describe("#read", () => {
    it("normalises an 8-decimal answer to 1e18", async () => {
      const { harness, feed8 } = await loadFixture(fixture);
      expect(await harness.read(feed8, HEARTBEAT)).to.equal(3000n * 10n ** 18n);
    });

    it("returns an 18-decimal answer unchanged", async () => {
      const { harness, feed18 } = await loadFixture(fixture);
      expect(await harness.read(feed18, HEARTBEAT)).to.equal(12345n * 10n ** 14n);
    });

    it("scales a 0-decimal answer by 1e18", async () => {
      const { harness } = await loadFixture(fixture);
      const feed0 = await ethers.deployContract("MockAggregator", [0, 7n]);
      expect(await harness.read(feed0, HEARTBEAT)).to.equal(7n * 10n ** 18n);
    });

    it("reverts with UnsupportedFeedDecimals above 18 decimals", async () => {
      const { harness } = await loadFixture(fixture);
      const raw19 = await ethers.deployContract("RawFeed", [19]);
      await raw19.set(1, 5, await time.latest(), 1);
      await expect(harness.read(raw19, HEARTBEAT)).to.be.revertedWithCustomError(harness, "UnsupportedFeedDecimals").withArgs(await raw19.getAddress(), 19);
    });

    it("accepts an answer exactly one heartbeat old and reverts one second later (StalePrice)", async () => {
      const { harness, feed8 } = await loadFixture(fixture);
      const [, , , updatedAt] = await feed8.latestRoundData();
      await time.setNextBlockTimestamp(updatedAt + HEARTBEAT);
      await ethers.provider.send("evm_mine", []);
      // Calls at the latest block: its timestamp is exactly updatedAt + heartbeat.
      expect(await harness.read(feed8, HEARTBEAT, { blockTag: "latest" })).to.equal(3000n * 10n ** 18n);
      await ethers.provider.send("evm_mine", []);
      await expect(harness.read(feed8, HEARTBEAT, { blockTag: "latest" }))
        .to.be.revertedWithCustomError(harness, "StalePrice")
        .withArgs(await feed8.getAddress(), updatedAt, HEARTBEAT);
    });

    it("reverts with StalePrice when updatedAt is in the future", async () => {
      const { harness, feed8 } = await loadFixture(fixture);
      const future = BigInt(await time.latest()) + 1000n;
      await feed8.updateRoundData(2, 3000n * 10n ** 8n, future, future);
      await expect(harness.read(feed8, HEARTBEAT)).to.be.revertedWithCustomError(harness, "StalePrice").withArgs(await feed8.getAddress(), future, HEARTBEAT);
    });

    for (const answer of [0n, -1n, -(10n ** 8n)]) {
      it(`reverts with NonPositivePrice for an answer of ${answer}`, async () => {
        const { harness, feed8 } = await loadFixture(fixture);
        await feed8.updateAnswer(answer);
        await expect(harness.read(feed8, HEARTBEAT)).to.be.revertedWithCustomError(harness, "NonPositivePrice").withArgs(await feed8.getAddress(), answer);
      });
    }

    it("reverts with IncompleteRound when answeredInRound < roundId", async () => {
      const { harness, raw } = await loadFixture(fixture);
      await raw.set(5, 3000n * 10n ** 8n, await time.latest(), 4);
      await expect(harness.read(raw, HEARTBEAT)).to.be.revertedWithCustomError(harness, "IncompleteRound").withArgs(await raw.getAddress(), 5, 4);
    });

    it("reverts with IncompleteRound when updatedAt is zero (round never set)", async () => {
      const { harness, raw } = await loadFixture(fixture);
      await raw.set(5, 3000n * 10n ** 8n, 0, 5);
      await expect(harness.read(raw, HEARTBEAT)).to.be.revertedWithCustomError(harness, "IncompleteRound").withArgs(await raw.getAddress(), 5, 5);
    });

    it("accepts a complete round from a raw feed", async () => {
      const { harness, raw } = await loadFixture(fixture);
      await raw.set(5, 123456789n, await time.latest(), 5);
      expect(await harness.read(raw, HEARTBEAT)).to.equal(123456789n * 10n ** 10n);
    });
  });
});
