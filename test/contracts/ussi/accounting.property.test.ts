import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MAX_NAV_CHANGE_BPS, USDC, WAD, deployVaultWithNav, makeReport, nextRound, signReport, type Fixture } from "./fixture";

/*
 * USSI accounting under random request timing and random NAV reports (issue 9). The "book" is the
 * venue's USDC; funding is USDC minted to (or, when negative, taken from) the venue, and every report
 * is the honest NAV of that state: holders' USDC in the vault (held less reserved, less pending
 * deposits, less owed to settled unfunded redemptions) plus the venue's, over the supply, down.
 *
 * Checked after every step:
 *  A1 USDC held >= reserved for funded claims + pending deposits; funded <= owed;
 *  A2 the vault's own USSI covers the escrowed redemptions and the unclaimed settled deposits;
 *  A3 a request is claimed at most once (a second claim reverts AlreadyClaimed and pays nothing).
 * Checked at the end of every run:
 *  P1 no active account ends with more USDC (paid out + its position at the last NAV) than it put
 *     in plus its share of the reported NAV moves while it held (its "share of reported funding");
 *  P2 the passive holder, who did nothing, ends with at least its deposit plus its pro-rata share
 *     of the funding actually paid to the book: others' timing never takes from it.
 */

type Step =
  | { kind: "deposit"; user: number; amount: bigint }
  | { kind: "redeem"; user: number; permille: number }
  | { kind: "instant"; user: number; permille: number }
  | { kind: "report"; fundingPpm: number; informed: { user: number; action: "instant" | "redeem" | "deposit" | "none"; permille: number } }
  | { kind: "fulfil"; permille: number }
  | { kind: "claim"; user: number }
  | { kind: "withdraw"; permille: number };

const user = fc.integer({ min: 0, max: 2 });
const permille = fc.integer({ min: 1, max: 1000 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("deposit" as const), user, amount: fc.bigInt({ min: 10n * USDC, max: 50_000n * USDC }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("redeem" as const), user, permille }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("instant" as const), user, permille }) },
  // Funding per report within +-0.25% of NAV: inside the 50 bps bound with room for rounding.
  // Between the funding (the valuation) and the report landing, one account that has seen the
  // signed report acts on it: redeems at once, queues a redemption or a deposit, or does nothing.
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("report" as const),
      fundingPpm: fc.integer({ min: -2_500, max: 2_500 }),
      informed: fc.record({ user, action: fc.constantFrom("instant" as const, "redeem" as const, "deposit" as const, "none" as const), permille }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fulfil" as const), permille }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("claim" as const), user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), permille }) },
);

const SCALE = 10n ** 12n; // {1e18 USD} per USDC base unit
const PASSIVE_IN = 100_000n * USDC;

const ACTIVE_IN = 10_000n * USDC;

/**
 * The passive holder (the fixture's `outsider`) deposited 100,000 USDC at 1.00 and claimed; Alice,
 * Bob and Carol (the active accounts) 10,000 USDC each, so redemptions can start at once.
 */
async function withPassive(): Promise<Fixture> {
  const f = await deployVaultWithNav();
  await f.usdc.mint(f.outsider.address, PASSIVE_IN);
  await f.usdc.connect(f.outsider).approve(await f.vault.getAddress(), PASSIVE_IN);
  await f.vault.connect(f.outsider).requestDeposit(PASSIVE_IN); // request 0
  for (const u of [f.alice, f.bob, f.carol]) await f.vault.connect(u).requestDeposit(ACTIVE_IN); // 1, 2, 3
  const r = await makeReport({ round: await nextRound(f), navPerToken: WAD });
  await f.vault.submitNavReport(r, await signReport(f, r));
  for (const [i, u] of [f.outsider, f.alice, f.bob, f.carol].entries()) await f.vault.connect(u).claim(i);
  return f;
}

function revertName(e: unknown): string {
  const m = /reverted with custom error '(\w+)\(/.exec(String((e as Error).message));
  if (!m) throw e;
  return m[1]!;
}

async function attempt(p: () => Promise<unknown>, allowed: string[]): Promise<boolean> {
  try {
    await p();
    return true;
  } catch (e) {
    const name = revertName(e);
    if (!allowed.includes(name)) throw new Error(`unexpected revert ${name}`);
    return false;
  }
}

interface Model {
  paidIn: bigint[]; // {USDC}
  paidOut: bigint[]; // {USDC}
  econ: bigint[]; // {1e18 USSI} economic position: balance + escrowed + settled-unclaimed deposit shares
  share: bigint[]; // {1e36 USD} sum over reports of econ * (p_new - p_old)
  pending: { id: bigint; user: number; kind: "deposit" | "redeem"; amount: bigint; epoch: bigint }[];
  claimed: Set<bigint>;
  passiveFunding: bigint; // {1e36 USD} sum over reports of funding * passive shares / supply
  reports: number;
}

describe("USSI accounting (property)", function () {
  it("conserves USDC, pays each request once, and lets nobody gain from timing against passive holders", async function () {
    this.timeout(600_000);
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 10, maxLength: 30 }), async (steps) => {
        const f = await loadFixture(withPassive);
        const users: HardhatEthersSigner[] = [f.alice, f.bob, f.carol];
        const vaultAddress = await f.vault.getAddress();
        const m: Model = {
          paidIn: [ACTIVE_IN, ACTIVE_IN, ACTIVE_IN],
          paidOut: [0n, 0n, 0n],
          econ: [ACTIVE_IN * SCALE, ACTIVE_IN * SCALE, ACTIVE_IN * SCALE], // claimed at 1.00
          share: [0n, 0n, 0n],
          pending: [],
          claimed: new Set(),
          passiveFunding: 0n,
          reports: 0,
        };
        const passiveShares = await f.vault.balanceOf(f.outsider.address);
        await f.usdc.connect(f.venue).approve(vaultAddress, 2n ** 255n);

        /** Holders' NAV {1e18 USD}: the vault's USDC that is theirs plus the venue's book. */
        const holdersNav = async () => {
          const held = await f.usdc.balanceOf(vaultAddress);
          const [owed, funded] = await f.vault.redemptionFunding();
          const pendingUsdc = (await f.vault.epochInfo(await f.vault.currentEpoch())).depositUsdc;
          const mine = held - (await f.vault.reservedAssets()) - pendingUsdc - (owed - funded);
          return (mine + (await f.usdc.balanceOf(f.venue.address))) * SCALE;
        };

        for (const s of steps) {
          if (s.kind === "deposit") {
            const u = users[s.user]!;
            const id = await f.vault.requestCount();
            await f.vault.connect(u).requestDeposit(s.amount);
            m.paidIn[s.user]! += s.amount;
            m.pending.push({ id, user: s.user, kind: "deposit", amount: s.amount, epoch: await f.vault.currentEpoch() });
          } else if (s.kind === "redeem" || s.kind === "instant") {
            const u = users[s.user]!;
            const balance = await f.vault.balanceOf(u.address);
            const shares = (balance * BigInt(s.permille)) / 1000n;
            if (shares === 0n) continue;
            if (s.kind === "redeem") {
              const id = await f.vault.requestCount();
              if (await attempt(() => f.vault.connect(u).requestRedeem(shares), ["RequestTooSmall"]))
                m.pending.push({ id, user: s.user, kind: "redeem", amount: shares, epoch: await f.vault.currentEpoch() });
            } else {
              const before = await f.usdc.balanceOf(u.address);
              if (await attempt(() => f.vault.connect(u).redeem(shares, 0), ["InsufficientBuffer", "InstantCapReached", "ZeroAmount"])) {
                m.paidOut[s.user]! += (await f.usdc.balanceOf(u.address)) - before;
                m.econ[s.user]! -= shares;
              }
            }
          } else if (s.kind === "report") {
            const supplyAtFunding = await f.vault.totalSupply();
            const navBefore = await holdersNav();
            const funding = (navBefore * BigInt(s.fundingPpm)) / 1_000_000n / SCALE; // {USDC}
            const venueHeld = await f.usdc.balanceOf(f.venue.address);
            const paid = funding >= 0n ? funding : -(-funding > venueHeld ? venueHeld : -funding);
            if (paid > 0n) await f.usdc.mint(f.venue.address, paid);
            if (paid < 0n) await f.usdc.connect(f.venue).transfer(f.strategy.address, -paid); // a loss leaves the book
            // The passive holder's pro-rata share of the funding, with the supply when it was earned.
            m.passiveFunding += (paid * SCALE * WAD * passiveShares) / supplyAtFunding;
            const nav = await holdersNav();
            const p = (nav * WAD) / supplyAtFunding; // down: the signed report, valued now
            const r = await makeReport({ round: await nextRound(f), navPerToken: p, nav, perpPnl: 0n, fundingAccrued: 0n, spotValue: 0n });
            const sigs = await signReport(f, r);
            // The informed account acts before the report lands.
            const iu = users[s.informed.user]!;
            const ibal = await f.vault.balanceOf(iu.address);
            const ishares = (ibal * BigInt(s.informed.permille)) / 1000n;
            if (s.informed.action === "instant" && ishares > 0n) {
              const before = await f.usdc.balanceOf(iu.address);
              if (await attempt(() => f.vault.connect(iu).redeem(ishares, 0), ["InsufficientBuffer", "InstantCapReached", "ZeroAmount"])) {
                m.paidOut[s.informed.user]! += (await f.usdc.balanceOf(iu.address)) - before;
                m.econ[s.informed.user]! -= ishares;
              }
            } else if (s.informed.action === "redeem" && ishares > 0n) {
              const id = await f.vault.requestCount();
              if (await attempt(() => f.vault.connect(iu).requestRedeem(ishares), ["RequestTooSmall"]))
                m.pending.push({ id, user: s.informed.user, kind: "redeem", amount: ishares, epoch: await f.vault.currentEpoch() });
            } else if (s.informed.action === "deposit") {
              const amount = 1_000n * USDC * BigInt(s.informed.permille);
              await f.usdc.mint(iu.address, amount);
              const id = await f.vault.requestCount();
              await f.vault.connect(iu).requestDeposit(amount);
              m.paidIn[s.informed.user]! += amount;
              m.pending.push({ id, user: s.informed.user, kind: "deposit", amount, epoch: await f.vault.currentEpoch() });
            }
            const pOld = (await f.vault.lastAcceptedReport()).navPerToken;
            const change = p > pOld ? p - pOld : pOld - p;
            if (change * 10_000n > pOld * MAX_NAV_CHANGE_BPS) throw new Error("test bug: report outside the bound");
            for (let i = 0; i < 3; i++) m.share[i]! += m.econ[i]! * (p - pOld);
            const epoch = await f.vault.currentEpoch();
            await time.increase(60);
            await f.vault.submitNavReport(r, sigs);
            m.reports++;
            for (const q of m.pending.filter((x) => x.epoch === epoch)) {
              if (q.kind === "redeem") m.econ[q.user]! -= q.amount;
              else m.econ[q.user]! += (q.amount * SCALE * WAD) / p;
            }
          } else if (s.kind === "fulfil") {
            const [owed, funded] = await f.vault.redemptionFunding();
            const want = ((owed - funded) * BigInt(s.permille)) / 1000n;
            await attempt(() => f.vault.connect(f.venue).fulfil(want), ["NothingToFulfil"]);
          } else if (s.kind === "claim") {
            const u = users[s.user]!;
            for (const q of m.pending.filter((x) => x.user === s.user && !m.claimed.has(x.id))) {
              const ep = await f.vault.epochInfo(q.epoch);
              const [, funded] = await f.vault.redemptionFunding();
              if (ep.navPerToken === 0n || (q.kind === "redeem" && funded < ep.owedEnd)) continue;
              const before = await f.usdc.balanceOf(u.address);
              await f.vault.connect(u).claim(q.id);
              if (q.kind === "redeem") m.paidOut[s.user]! += (await f.usdc.balanceOf(u.address)) - before;
              m.claimed.add(q.id);
              // A3: a second claim fails and pays nothing.
              await expect(f.vault.connect(u).claim(q.id)).to.be.revertedWithCustomError(f.vault, "AlreadyClaimed");
            }
          } else {
            const liquid = await f.vault.liquidAssets();
            const amount = (liquid * BigInt(s.permille)) / 1000n;
            if (amount > 0n)
              await attempt(() => f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, amount), ["WithdrawalAboveBuffer"]);
          }

          // A1, A2
          const held = await f.usdc.balanceOf(vaultAddress);
          const [owed, funded] = await f.vault.redemptionFunding();
          const open = await f.vault.epochInfo(await f.vault.currentEpoch());
          expect(held).to.be.gte((await f.vault.reservedAssets()) + open.depositUsdc, "A1: USDC below reserved + pending");
          expect(funded).to.be.lte(owed, "A1: funded above owed");
          let escrow = 0n;
          for (const q of m.pending) {
            if (m.claimed.has(q.id)) continue;
            const ep = await f.vault.epochInfo(q.epoch);
            if (q.kind === "redeem" && ep.navPerToken === 0n) escrow += q.amount;
            if (q.kind === "deposit" && ep.navPerToken !== 0n) escrow += (q.amount * SCALE * WAD) / ep.navPerToken;
          }
          expect(await f.vault.balanceOf(vaultAddress)).to.be.gte(escrow, "A2: vault USSI below escrow");
        }

        // P1: value = paid out + position at the last NAV <= paid in + share of the reported moves.
        const pLast = (await f.vault.lastAcceptedReport()).navPerToken;
        for (let i = 0; i < 3; i++) {
          const value = (m.paidOut[i]! * SCALE + (m.econ[i]! * pLast) / WAD) * WAD; // {1e36 USD}
          const bound = m.paidIn[i]! * SCALE * WAD + m.share[i]!;
          expect(value).to.be.lte(bound, `P1: account ${i} gained beyond its share`);
        }
        // P2: the passive holder's stake at the last NAV >= its deposit + its share of the funding paid,
        // less one wei-USD per token per report (the signer's floor of navPerToken).
        const passiveValue = passiveShares * pLast; // {1e36 USD}
        const tolerance = BigInt(m.reports + 1) * passiveShares; // {1e36 USD}
        expect(passiveValue + tolerance).to.be.gte(PASSIVE_IN * SCALE * WAD + m.passiveFunding, "P2: the passive holder lost");
      }),
      { numRuns: 30, endOnFailure: true }, // no shrinking: each step is a chain transaction
    );
  });
});
