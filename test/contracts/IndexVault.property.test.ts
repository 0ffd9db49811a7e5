import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { WAD, ceilDiv, coreFixture, expectCollateralised, refreshFeeds } from "../fixtures/contracts";

/**
 * Property: over any sequence of mints, redeems, time steps, fee claims and fee-rate changes,
 *  - every mint pulls exactly ceil(shares * stored * scale / 1e36) and every redeem pays exactly
 *    floor(...) of each constituent (a reference computed in TypeScript from the post-state scale),
 *  - an amount that rounds to zero is paid as nothing; only a redeem whose amounts ALL round to zero
 *    reverts (ZeroAmounts),
 *  - the collateral invariant holds after every operation.
 */
type Op =
  | { kind: "mint"; who: 0 | 1; shares: bigint }
  | { kind: "redeem"; who: 0 | 1; permille: number }
  | { kind: "wait"; seconds: number }
  | { kind: "claim" }
  | { kind: "rate"; rate: bigint };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("mint" as const), who: fc.constantFrom(0 as const, 1 as const), shares: fc.bigInt({ min: 1n, max: 50n * WAD }) }),
  fc.record({ kind: fc.constant("mint" as const), who: fc.constantFrom(0 as const, 1 as const), shares: fc.bigInt({ min: 1n, max: 10n ** 9n }) }),
  fc.record({ kind: fc.constant("redeem" as const), who: fc.constantFrom(0 as const, 1 as const), permille: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 120 * 24 * 3600 }) }),
  fc.record({ kind: fc.constant("claim" as const) }),
  fc.record({ kind: fc.constant("rate" as const), rate: fc.bigInt({ min: 0n, max: WAD / 10n }) }),
);

async function fixture() {
  const f = await coreFixture(ethers, 2n * 10n ** 16n);
  const [, amounts] = await f.vault.previewMint(10n * WAD);
  await f.vault.connect(f.alice).mint(10n * WAD, f.alice.address, [...amounts]);
  return f;
}

describe("IndexVault (property)", () => {
  it("keeps exact rounding and the collateral invariant over random operation sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        const f = await loadFixture(fixture);
        const users = [f.alice, f.bob];
        const vaultAddress = await f.vault.getAddress();
        const balances = async (who: string) => Promise.all(f.market.tokens.map((t) => t.balanceOf(who)));
        for (const op of ops) {
          if (op.kind === "mint") {
            const user = users[op.who]!;
            if ((await f.vault.effectiveSupply({ blockTag: "latest" })) === 0n) await refreshFeeds(f.market);
            const [, max] = await f.vault.previewMint(op.shares);
            const before = await balances(vaultAddress);
            await f.vault.connect(user).mint(op.shares, user.address, [...max]);
            const [, stored, scale] = await f.vault.rawBasket({ blockTag: "latest" });
            const after = await balances(vaultAddress);
            for (let i = 0; i < stored.length; i++) {
              expect(after[i]! - before[i]!).to.equal(ceilDiv(op.shares * stored[i]! * scale, WAD * WAD));
            }
          } else if (op.kind === "redeem") {
            const user = users[op.who]!;
            const held = await f.vault.balanceOf(user.address);
            const shares = (held * BigInt(op.permille)) / 1000n;
            if (shares === 0n) continue;
            const before = await balances(user.address);
            const tx = f.vault.connect(user).redeem(shares, user.address, [0, 0, 0]);
            try {
              await (await tx).wait();
            } catch (e) {
              // Only an all-dust redeem may fail: every constituent's floor is zero at the scale of the failed
              // redeem's block (the latest block: a reverted transaction is still mined).
              const [, storedNow, scaleNow] = await f.vault.rawBasket({ blockTag: "latest" });
              const floors = storedNow.map((u) => (shares * u * scaleNow) / (WAD * WAD));
              expect(floors.every((x) => x === 0n), `redeem of ${shares} failed: ${(e as Error).message}`).to.equal(true);
              await expect(tx).to.be.revertedWithCustomError(f.vault, "ZeroAmounts");
              continue;
            }
            const [, storedAfter, scaleAfter] = await f.vault.rawBasket({ blockTag: "latest" });
            const after = await balances(user.address);
            for (let i = 0; i < storedAfter.length; i++) {
              expect(after[i]! - before[i]!).to.equal((shares * storedAfter[i]! * scaleAfter) / (WAD * WAD));
            }
          } else if (op.kind === "wait") {
            await time.increase(op.seconds);
          } else if (op.kind === "claim") {
            await f.vault.claimFees();
          } else {
            await f.gov.exec(f.vault, "setFeeRate", [op.rate]);
          }
          await expectCollateralised(f.vault);
          const [, , , pending] = await f.vault.feeState({ blockTag: "latest" });
          expect(await f.vault.effectiveSupply({ blockTag: "latest" })).to.equal((await f.vault.totalSupply()) + pending);
        }
      }),
      { numRuns: 30 },
    );
  });
});
