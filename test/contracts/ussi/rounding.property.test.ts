import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { LIMITS, USDC, WAD, deployVaultWithNav, pushReport, type Fixture } from "./fixture";

const USD_PER_USDC_UNIT = 10n ** 12n; // {1e18 USD} per USDC base unit

/** The flow fixture with a 100% per-report bound (so one report reaches any NAV in (0, 2]) and a large USDC buffer from Bob. */
async function wide(): Promise<Fixture> {
  const f = await deployVaultWithNav();
  await f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNavChangeBps: 10_000n });
  await f.vault.connect(f.bob).mint(5_000_000n * USDC, 0);
  return f;
}

// Reference (exact rational arithmetic, floored once): METHODOLOGY 7, every amount leaving is rounded down.
const sharesForUsdc = (usdcIn: bigint, nav: bigint) => (usdcIn * USD_PER_USDC_UNIT * WAD) / nav;
const usdcForShares = (shares: bigint, nav: bigint) => (shares * nav) / (WAD * USD_PER_USDC_UNIT);

const navArb = fc.bigInt({ min: 10n ** 12n, max: 2n * WAD }); // {1e18 USD} per USSI: 0.000001 .. 2 USD
const runs = { numRuns: 40 };

describe("UssiVault rounding (property)", function () {
  it("a USDC mint then an instant redeem never returns more USDC than went in", async function () {
    await fc.assert(
      fc.asyncProperty(navArb, fc.bigInt({ min: 1n, max: 1_000_000n * USDC }), async (nav, usdcIn) => {
        const f = await loadFixture(wide);
        await pushReport(f, { round: 3n, navPerToken: nav });
        const shares = sharesForUsdc(usdcIn, nav);
        if (shares === 0n) {
          await expect(f.vault.connect(f.alice).mint(usdcIn, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
          return;
        }
        const before = await f.vault.balanceOf(f.alice.address);
        await f.vault.connect(f.alice).mint(usdcIn, shares);
        expect((await f.vault.balanceOf(f.alice.address)) - before).to.equal(shares);
        const out = usdcForShares(shares, nav);
        expect(out).to.be.lessThanOrEqual(usdcIn);
        if (out === 0n) {
          await expect(f.vault.connect(f.alice).redeem(shares, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
          return;
        }
        const usdcBefore = await f.usdc.balanceOf(f.alice.address);
        await f.vault.connect(f.alice).redeem(shares, 0);
        const received = (await f.usdc.balanceOf(f.alice.address)) - usdcBefore;
        expect(received).to.equal(out);
        expect(received).to.be.lessThanOrEqual(usdcIn);
      }),
      runs,
    );
  });

  it("an exact-shares mint costs at least what those shares redeem for, and at least buys them back", async function () {
    await fc.assert(
      fc.asyncProperty(navArb, fc.bigInt({ min: 1n, max: 1_000_000n * WAD }), async (nav, shares) => {
        const f = await loadFixture(wide);
        await pushReport(f, { round: 3n, navPerToken: nav });
        const cost = (shares * nav + WAD * USD_PER_USDC_UNIT - 1n) / (WAD * USD_PER_USDC_UNIT); // ceil
        expect(await f.vault.previewMintShares(shares)).to.equal(cost);
        expect(await f.vault.previewMint(cost)).to.be.greaterThanOrEqual(shares);
        const usdcBefore = await f.usdc.balanceOf(f.alice.address);
        await f.vault.connect(f.alice).mintShares(shares, cost);
        expect(usdcBefore - (await f.usdc.balanceOf(f.alice.address))).to.equal(cost);
        const out = usdcForShares(shares, nav);
        expect(out).to.be.lessThanOrEqual(cost);
        if (out > 0n) {
          await f.vault.connect(f.alice).redeem(shares, 0);
          expect((await f.usdc.balanceOf(f.alice.address)) - usdcBefore + cost).to.equal(out);
        }
      }),
      runs,
    );
  });

  it("a MAG7.ssi mint then a queued redemption never returns more USD than the index shares were worth after the haircut", async function () {
    await fc.assert(
      fc.asyncProperty(
        navArb,
        fc.bigInt({ min: 1n, max: 1_000n * WAD }), // {1e18 USD} per index share
        fc.bigInt({ min: 1n, max: 1_000n * WAD }), // {1e18 index shares}
        fc.bigInt({ min: 0n, max: 1_000n }), // {bps} haircut, up to the cap
        async (nav, navPerShare, indexIn, haircut) => {
          const f = await loadFixture(wide);
          await f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNavChangeBps: 10_000n, indexHaircutBps: haircut });
          await pushReport(f, { round: 3n, navPerToken: nav });
          await f.index.setNavPerShare(navPerShare);
          const shares = (indexIn * navPerShare * (10_000n - haircut)) / (nav * 10_000n); // floor, once
          if (shares === 0n) {
            await expect(f.vault.connect(f.alice).mintWithIndex(indexIn, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
            return;
          }
          await f.vault.connect(f.alice).mintWithIndex(indexIn, shares);
          const id = (await f.vault.queue())[1];
          await f.vault.connect(f.alice).requestRedeem(shares);
          await f.vault.connect(f.strategy).fulfil(1, 10n ** 30n);
          const usdcBefore = await f.usdc.balanceOf(f.alice.address);
          await f.vault.connect(f.alice).claim(id);
          const received = (await f.usdc.balanceOf(f.alice.address)) - usdcBefore;
          expect(received).to.equal(usdcForShares(shares, nav));
          // received * 1e12 {1e18 USD} <= indexIn * navPerShare * (1e4 - h) / (1e18 * 1e4) {1e18 USD}, cross-multiplied.
          expect(received * USD_PER_USDC_UNIT * WAD * 10_000n).to.be.lessThanOrEqual(indexIn * navPerShare * (10_000n - haircut));
          await expect(f.vault.connect(f.alice).claim(id)).to.be.revertedWithCustomError(f.vault, "AlreadyClaimed");
        },
      ),
      runs,
    );
  });

  it("splitting a deposit into many mints never yields more shares than one mint", async function () {
    await fc.assert(
      fc.asyncProperty(navArb, fc.array(fc.bigInt({ min: 1n, max: 10_000n * USDC }), { minLength: 2, maxLength: 5 }), async (nav, parts) => {
        const f = await loadFixture(wide);
        await pushReport(f, { round: 3n, navPerToken: nav });
        let got = 0n;
        for (const p of parts) {
          if (sharesForUsdc(p, nav) === 0n) continue;
          const before = await f.vault.balanceOf(f.alice.address);
          await f.vault.connect(f.alice).mint(p, 0);
          got += (await f.vault.balanceOf(f.alice.address)) - before;
        }
        const total = parts.filter((p) => sharesForUsdc(p, nav) > 0n).reduce((a, b) => a + b, 0n);
        expect(got).to.be.lessThanOrEqual(sharesForUsdc(total, nav));
      }),
      { numRuns: 20 },
    );
  });
});
