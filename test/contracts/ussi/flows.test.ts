import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MAX_NAV_AGE, USDC, WAD, deployVault, deployVaultWithNav, pushReport, type Fixture } from "./fixture";

const NAV_105 = (WAD * 105n) / 100n; // 1.05 USD per USSI
const NAV_102 = (WAD * 102n) / 100n; // 1.02 USD per USSI

/** NAV 1.05 accepted as round 3. */
async function atNav105(): Promise<Fixture> {
  const f = await deployVaultWithNav();
  await pushReport(f, { round: 3n, navPerToken: NAV_105 });
  return f;
}

/**
 * Alice, Bob and Carol each mint with 1,000 USDC at NAV 1.00; the strategy moves everything above
 * the 5% buffer (150 USDC) to the venue; then they queue 500, 300 and 1/3 USSI, in that order.
 */
async function queued() {
  const f = await deployVaultWithNav();
  for (const u of [f.alice, f.bob, f.carol]) await f.vault.connect(u).mint(1_000n * USDC, 0);
  await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_850n * USDC);
  await f.vault.connect(f.alice).requestRedeem(500n * WAD);
  await f.vault.connect(f.bob).requestRedeem(300n * WAD);
  await f.vault.connect(f.carol).requestRedeem(333_333_333_333_333_333n);
  return f;
}

describe("UssiVault flows", function () {
  describe("#mint (USDC)", function () {
    it("mints floor(value / navPerToken): 1 USDC at 1.05 gives 0.952380952380952380 USSI", async function () {
      const f = await loadFixture(atNav105);
      // 1 / 1.05 = 0.952380952380952380|952..., rounded down against the minter.
      const expected = 952_380_952_380_952_380n;
      expect(await f.vault.previewMint(USDC)).to.equal(expected);
      const vaultAddress = await f.vault.getAddress();
      const tx = f.vault.connect(f.alice).mint(USDC, expected);
      await expect(tx)
        .to.emit(f.vault, "Minted")
        .withArgs(f.alice.address, await f.usdc.getAddress(), USDC, WAD, expected, NAV_105);
      await expect(tx).to.changeTokenBalances(f.usdc, [f.alice, vaultAddress], [-USDC, USDC]);
      expect(await f.vault.balanceOf(f.alice.address)).to.equal(expected);
      expect(await f.vault.liquidAssets()).to.equal(USDC);
    });

    it("reverts SharesBelowMinimum when the NAV moved against the minter's quote", async function () {
      const f = await loadFixture(atNav105);
      await expect(f.vault.connect(f.alice).mint(USDC, 952_380_952_380_952_381n))
        .to.be.revertedWithCustomError(f.vault, "SharesBelowMinimum")
        .withArgs(952_380_952_380_952_380n, 952_380_952_380_952_381n);
    });

    it("reverts ZeroAmount for a zero deposit", async function () {
      const f = await loadFixture(atNav105);
      await expect(f.vault.connect(f.alice).mint(0, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
    });

    it("reverts NavStale before the first report", async function () {
      const f = await loadFixture(deployVault);
      const now = BigInt(await time.latest()) + 5n;
      await time.setNextBlockTimestamp(now);
      await expect(f.vault.connect(f.alice).mint(USDC, 0))
        .to.be.revertedWithCustomError(f.vault, "NavStale")
        .withArgs(0n, MAX_NAV_AGE, now);
    });

    it("mints while the NAV is exactly maxNavAge old and reverts NavStale one second later", async function () {
      const f = await loadFixture(atNav105);
      const ts = (await f.vault.lastAcceptedReport()).timestamp;
      await time.setNextBlockTimestamp(ts + MAX_NAV_AGE);
      await expect(f.vault.connect(f.alice).mint(USDC, 0)).to.emit(f.vault, "Minted");
      await expect(f.vault.connect(f.alice).mint(USDC, 0))
        .to.be.revertedWithCustomError(f.vault, "NavStale")
        .withArgs(ts, MAX_NAV_AGE, ts + MAX_NAV_AGE + 1n);
      await expect(f.vault.connect(f.alice).mintWithIndex(WAD, 0)).to.be.revertedWithCustomError(f.vault, "NavStale");
      expect(await f.vault.isNavFresh()).to.equal(false);
    });

    it("reverts EnforcedPause while paused", async function () {
      const f = await loadFixture(atNav105);
      await f.vault.connect(f.risk).pause();
      await expect(f.vault.connect(f.alice).mint(USDC, 0)).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
      await expect(f.vault.connect(f.alice).mintWithIndex(WAD, 0)).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
      await f.vault.connect(f.risk).unpause();
      await expect(f.vault.connect(f.alice).mint(USDC, 0)).to.emit(f.vault, "Minted");
    });
  });

  describe("#mintShares (exact shares, USDC in)", function () {
    const cases: { shares: bigint; usdcIn: bigint; why: string }[] = [
      { shares: WAD, usdcIn: 1_050_000n, why: "1 USSI at 1.05 costs exactly 1.05 USDC" },
      { shares: 952_380_952_380_952_380n, usdcIn: 1_000_000n, why: "0.999999999999999999 USD rounds up to 1.000000 USDC" },
      { shares: 952_380_952_380_952_381n, usdcIn: 1_000_001n, why: "1.00000000000000000005 USD rounds up to 1.000001 USDC" },
      { shares: 1n, usdcIn: 1n, why: "1 wei of USSI still costs one USDC unit" },
    ];
    for (const c of cases) {
      it(`pulls ceil(shares * navPerToken): ${c.why}`, async function () {
        const f = await loadFixture(atNav105);
        expect(await f.vault.previewMintShares(c.shares)).to.equal(c.usdcIn);
        const tx = f.vault.connect(f.alice).mintShares(c.shares, c.usdcIn);
        await expect(tx)
          .to.emit(f.vault, "Minted")
          .withArgs(f.alice.address, await f.usdc.getAddress(), c.usdcIn, c.usdcIn * 10n ** 12n, c.shares, NAV_105);
        await expect(tx).to.changeTokenBalance(f.usdc, f.alice, -c.usdcIn);
        expect(await f.vault.balanceOf(f.alice.address)).to.equal(c.shares);
      });
    }

    it("reverts AssetsAboveMaximum, ZeroAmount, and like mint when paused or stale", async function () {
      const f = await loadFixture(atNav105);
      await expect(f.vault.connect(f.alice).mintShares(WAD, 1_049_999n))
        .to.be.revertedWithCustomError(f.vault, "AssetsAboveMaximum")
        .withArgs(1_050_000n, 1_049_999n);
      await expect(f.vault.connect(f.alice).mintShares(0, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await f.vault.connect(f.risk).pause();
      await expect(f.vault.connect(f.alice).mintShares(WAD, USDC * 2n)).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
      await f.vault.connect(f.risk).unpause();
      await time.increase(MAX_NAV_AGE + 1n);
      await expect(f.vault.connect(f.alice).mintShares(WAD, USDC * 2n)).to.be.revertedWithCustomError(f.vault, "NavStale");
    });
  });

  describe("#mintWithIndex (MAG7.ssi)", function () {
    it("values index shares at navPerShare less the 1% haircut: 1 MAG7.ssi at 2 USD, NAV 1.05, gives 1.885714285714285714 USSI", async function () {
      const f = await loadFixture(atNav105);
      // 2 * (1 - 0.01) / 1.05 = 1.98 / 1.05 = 1.885714285714285714|285..., rounded down.
      const expected = 1_885_714_285_714_285_714n;
      expect(await f.vault.previewMintWithIndex(WAD)).to.equal(expected);
      const vaultAddress = await f.vault.getAddress();
      const tx = f.vault.connect(f.alice).mintWithIndex(WAD, expected);
      await expect(tx)
        .to.emit(f.vault, "Minted")
        .withArgs(f.alice.address, await f.index.getAddress(), WAD, (198n * WAD) / 100n, expected, NAV_105);
      await expect(tx).to.changeTokenBalances(f.index, [f.alice, vaultAddress], [-WAD, WAD]);
      expect(await f.vault.liquidAssets()).to.equal(0n); // index shares are not USDC buffer
    });

    it("rounds once: 300 wei of an index share worth 0.35 USD, 1% haircut, NAV 1.05, gives 99 wei, not 98", async function () {
      const f = await loadFixture(atNav105);
      await f.index.setNavPerShare((WAD * 35n) / 100n);
      // 300 * 0.35 * 0.99 / 1.05 = 99 exactly; rounding the USD value first (floor(103.95) = 103 wei,
      // then 103 / 1.05 = 98.09) would give 98. The event's value credited is floor(103.95) = 103.
      await expect(f.vault.connect(f.alice).mintWithIndex(300n, 0))
        .to.emit(f.vault, "Minted")
        .withArgs(f.alice.address, await f.index.getAddress(), 300n, 103n, 99n, NAV_105);
    });

    it("reverts ZeroAmount when the shares round to zero, ZeroIndexValue when the index is worth zero", async function () {
      const f = await loadFixture(atNav105);
      await f.index.setNavPerShare(WAD);
      await expect(f.vault.connect(f.alice).mintWithIndex(1n, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await f.index.setNavPerShare(0n);
      await expect(f.vault.connect(f.alice).mintWithIndex(WAD, 0)).to.be.revertedWithCustomError(f.vault, "ZeroIndexValue");
    });
  });

  describe("#redeem (instant)", function () {
    it("pays floor(shares * navPerToken) in USDC: minting 1 USDC then redeeming returns 0.999999 USDC", async function () {
      const f = await loadFixture(atNav105);
      await f.vault.connect(f.alice).mint(USDC, 0);
      const shares = 952_380_952_380_952_380n;
      // 0.952380952380952380 * 1.05 = 0.999999999999999999 USD -> 999,999 USDC units, down.
      expect(await f.vault.previewRedeem(shares)).to.equal(999_999n);
      const tx = f.vault.connect(f.alice).redeem(shares, 999_999n);
      await expect(tx)
        .to.emit(f.vault, "Redeemed")
        .withArgs(f.alice.address, shares, 999_999n, NAV_105);
      await expect(tx).to.changeTokenBalance(f.usdc, f.alice, 999_999n);
      expect(await f.vault.totalSupply()).to.equal(0n);
    });

    it("reverts InsufficientBuffer when the buffer cannot pay, and pays what it can", async function () {
      const f = await loadFixture(deployVaultWithNav);
      await f.vault.connect(f.alice).mint(1_000n * USDC, 0);
      // Buffer target: 1,000 USD * 5% = 50 USDC.
      expect(await f.vault.bufferTarget()).to.equal(50n * USDC);
      await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 950n * USDC);
      await expect(f.vault.connect(f.alice).redeem(50n * WAD + 1_000_000_000_000n, 0))
        .to.be.revertedWithCustomError(f.vault, "InsufficientBuffer")
        .withArgs(50n * USDC + 1n, 50n * USDC);
      await expect(f.vault.connect(f.alice).redeem(50n * WAD, 0)).to.changeTokenBalance(f.usdc, f.alice, 50n * USDC);
    });

    it("works while paused, and reverts NavStale when the NAV is stale", async function () {
      const f = await loadFixture(deployVaultWithNav);
      await f.vault.connect(f.alice).mint(100n * USDC, 0);
      await f.vault.connect(f.risk).pause();
      await expect(f.vault.connect(f.alice).redeem(10n * WAD, 0)).to.changeTokenBalance(f.usdc, f.alice, 10n * USDC);
      await time.increase(MAX_NAV_AGE + 1n);
      await expect(f.vault.connect(f.alice).redeem(10n * WAD, 0)).to.be.revertedWithCustomError(f.vault, "NavStale");
    });

    it("reverts AssetsBelowMinimum and ZeroAmount", async function () {
      const f = await loadFixture(deployVaultWithNav);
      await f.vault.connect(f.alice).mint(100n * USDC, 0);
      await expect(f.vault.connect(f.alice).redeem(WAD, USDC + 1n))
        .to.be.revertedWithCustomError(f.vault, "AssetsBelowMinimum")
        .withArgs(USDC, USDC + 1n);
      // 1e12 - 1 wei of USSI at 1.00 is worth less than one USDC unit.
      await expect(f.vault.connect(f.alice).redeem(999_999_999_999n, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
    });
  });

  describe("queued redemption", function () {
    it("escrows the shares at request: they leave the owner but stay in the supply", async function () {
      const f = await loadFixture(queued);
      const vaultAddress = await f.vault.getAddress();
      expect(await f.vault.balanceOf(f.alice.address)).to.equal(500n * WAD);
      expect(await f.vault.balanceOf(vaultAddress)).to.equal(800n * WAD + 333_333_333_333_333_333n);
      expect(await f.vault.totalSupply()).to.equal(3_000n * WAD);
      expect(await f.vault.queue()).to.deep.equal([0n, 3n]);
      const r = await f.vault.redeemRequest(1);
      expect([r.owner, r.claimed, r.shares, r.assets]).to.deep.equal([f.bob.address, false, 300n * WAD, 0n]);
    });

    it("fulfils in FIFO order at the NAV at fulfilment, rounded down, stated in the events", async function () {
      const f = await loadFixture(queued);
      await pushReport(f, { round: 3n, navPerToken: NAV_102 });
      const vaultAddress = await f.vault.getAddress();
      // 500 * 1.02 = 510 USDC and 300 * 1.02 = 306 USDC.
      const tx = f.vault.connect(f.strategy).fulfil(2, 816n * USDC);
      await expect(tx)
        .to.emit(f.vault, "RedeemFulfilled")
        .withArgs(0n, f.alice.address, 500n * WAD, 510n * USDC, NAV_102)
        .and.to.emit(f.vault, "RedeemFulfilled")
        .withArgs(1n, f.bob.address, 300n * WAD, 306n * USDC, NAV_102);
      await expect(tx).to.changeTokenBalances(f.usdc, [f.strategy.address, vaultAddress], [-816n * USDC, 816n * USDC]);
      expect(await f.vault.queue()).to.deep.equal([2n, 3n]);
      expect(await f.vault.totalSupply()).to.equal(2_200n * WAD);
      expect(await f.vault.reservedAssets()).to.equal(816n * USDC);
      expect(await f.vault.liquidAssets()).to.equal(150n * USDC); // reserved USDC is not buffer
      await expect(f.vault.connect(f.carol).claim(2)).to.be.revertedWithCustomError(f.vault, "RequestNotFulfilled").withArgs(2n);
      await expect(f.vault.connect(f.strategy).fulfil(2, 1_000n * USDC))
        .to.be.revertedWithCustomError(f.vault, "InvalidFulfilCount")
        .withArgs(2n, 1n);
      // 0.333333333333333333 * 1.02 = 0.33999999999999999966 USD -> 339,999 units, down.
      await expect(f.vault.connect(f.strategy).fulfil(1, 339_999n))
        .to.emit(f.vault, "RedeemFulfilled")
        .withArgs(2n, f.carol.address, 333_333_333_333_333_333n, 339_999n, NAV_102);
      await expect(f.vault.connect(f.strategy).fulfil(1, 0))
        .to.be.revertedWithCustomError(f.vault, "InvalidFulfilCount")
        .withArgs(1n, 0n);
    });

    it("pays each fulfilled request once, to its owner only", async function () {
      const f = await loadFixture(queued);
      await f.vault.connect(f.strategy).fulfil(3, 1_000n * USDC);
      await expect(f.vault.connect(f.alice).claim(1))
        .to.be.revertedWithCustomError(f.vault, "NotRequestOwner")
        .withArgs(1n, f.alice.address, f.bob.address);
      const tx = f.vault.connect(f.alice).claim(0);
      await expect(tx)
        .to.emit(f.vault, "Claimed")
        .withArgs(0n, f.alice.address, 500n * USDC);
      await expect(tx).to.changeTokenBalance(f.usdc, f.alice, 500n * USDC);
      await expect(f.vault.connect(f.alice).claim(0)).to.be.revertedWithCustomError(f.vault, "AlreadyClaimed").withArgs(0n);
      await expect(f.vault.connect(f.alice).claim(3)).to.be.revertedWithCustomError(f.vault, "UnknownRequest").withArgs(3n);
      expect((await f.vault.redeemRequest(0)).claimed).to.equal(true);
      expect(await f.vault.reservedAssets()).to.equal(300n * USDC + 333_333n);
    });

    it("fulfils and pays claims while paused; claims need no fresh NAV", async function () {
      const f = await loadFixture(queued);
      await f.vault.connect(f.strategy).fulfil(1, 500n * USDC);
      await f.vault.connect(f.risk).pause();
      await expect(f.vault.connect(f.alice).claim(0)).to.changeTokenBalance(f.usdc, f.alice, 500n * USDC);
      await expect(f.vault.connect(f.strategy).fulfil(1, 300n * USDC)).to.emit(f.vault, "RedeemFulfilled");
      await expect(f.vault.connect(f.bob).requestRedeem(WAD)).to.emit(f.vault, "RedeemRequested").withArgs(3n, f.bob.address, WAD);
      await time.increase(MAX_NAV_AGE + 1n);
      await expect(f.vault.connect(f.bob).claim(1)).to.changeTokenBalance(f.usdc, f.bob, 300n * USDC);
      await expect(f.vault.connect(f.strategy).fulfil(1, USDC)).to.be.revertedWithCustomError(f.vault, "NavStale");
    });

    it("reverts AssetsAboveMaximum when the NAV rose past the strategy's limit", async function () {
      const f = await loadFixture(queued);
      await pushReport(f, { round: 3n, navPerToken: NAV_102 });
      await expect(f.vault.connect(f.strategy).fulfil(1, 500n * USDC))
        .to.be.revertedWithCustomError(f.vault, "AssetsAboveMaximum")
        .withArgs(510n * USDC, 500n * USDC);
    });

    it("reverts ZeroAmount for a zero request", async function () {
      const f = await loadFixture(queued);
      await expect(f.vault.connect(f.alice).requestRedeem(0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
    });
  });

  describe("#withdrawToVenue", function () {
    it("sends only USDC above the buffer target, only to a whitelisted venue, not while paused or stale", async function () {
      const f = await loadFixture(deployVaultWithNav);
      await f.vault.connect(f.alice).mint(3_000n * USDC, 0);
      expect(await f.vault.bufferTarget()).to.equal(150n * USDC);
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.outsider.address, USDC))
        .to.be.revertedWithCustomError(f.vault, "VenueNotAllowed")
        .withArgs(f.outsider.address);
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_850n * USDC + 1n))
        .to.be.revertedWithCustomError(f.vault, "WithdrawalAboveBuffer")
        .withArgs(2_850n * USDC + 1n, 2_850n * USDC);
      await f.vault.connect(f.risk).pause();
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, USDC)).to.be.revertedWithCustomError(
        f.vault,
        "EnforcedPause",
      );
      await f.vault.connect(f.risk).unpause();
      const tx = f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_850n * USDC);
      await expect(tx)
        .to.emit(f.vault, "WithdrawnToVenue")
        .withArgs(f.venue.address, 2_850n * USDC, 150n * USDC);
      await expect(tx).to.changeTokenBalance(f.usdc, f.venue, 2_850n * USDC);
      await time.increase(MAX_NAV_AGE + 1n);
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 1n)).to.be.revertedWithCustomError(
        f.vault,
        "NavStale",
      );
    });

    it("rounds the buffer target up: 1 wei of supply at 1.00 needs 1 USDC unit", async function () {
      const f = await loadFixture(deployVaultWithNav);
      // Mint 1 USDC unit -> 1e12 wei USSI; target = ceil(1e12 * 5% / 1e12) = ceil(0.05) = 1 unit.
      await f.vault.connect(f.alice).mint(1n, 0);
      expect(await f.vault.bufferTarget()).to.equal(1n);
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 1n))
        .to.be.revertedWithCustomError(f.vault, "WithdrawalAboveBuffer")
        .withArgs(1n, 0n);
    });
  });
});
