import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { UssiVault__factory } from "../../../typechain-types";
import { USDC, WAD, deployVaultWithNav, makeReport, signReport, type Fixture } from "./fixture";

/*
 * Invariants, in prose (checked after every step of random operation sequences):
 * I1 the vault's USDC balance covers the USDC reserved for fulfilled, unclaimed requests;
 * I2 the reserve equals the sum of the fulfilled, unclaimed requests' assets;
 * I3 the vault's own USSI balance equals the shares of the requests still queued (escrow);
 * I4 requests are fulfilled as a prefix of the queue (FIFO) and each is paid at most once;
 * I5 a step reverts only with an error the protocol names for that situation;
 * I6 no account holds fewer USSI than its locked index-minted shares (they leave only through the queue).
 */

type Step =
  | { kind: "mint"; user: number; amount: bigint }
  | { kind: "mintIndex"; user: number; amount: bigint }
  | { kind: "redeem"; user: number; permille: number }
  | { kind: "request"; user: number; permille: number }
  | { kind: "fulfil"; count: number }
  | { kind: "claim"; user: number; id: number; asOwner: boolean }
  | { kind: "report"; bps: number; delta: boolean }
  | { kind: "withdraw"; permille: number }
  | { kind: "withdrawIndex"; permille: number }
  | { kind: "pause" };

const user = fc.integer({ min: 0, max: 2 });
const permille = fc.integer({ min: 1, max: 1000 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("mint" as const), user, amount: fc.bigInt({ min: 1n, max: 100_000n * USDC }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("mintIndex" as const), user, amount: fc.bigInt({ min: 1n, max: 1_000n * WAD }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("redeem" as const), user, permille }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("request" as const), user, permille }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fulfil" as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("claim" as const), user, id: fc.integer({ min: 0, max: 6 }), asOwner: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("report" as const), bps: fc.integer({ min: -499, max: 499 }), delta: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), permille }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdrawIndex" as const), permille }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const) }) },
);

/** The flow fixture where Alice, Bob and Carol already hold USSI (10,000 USDC each at 1.00). */
async function funded(): Promise<Fixture> {
  const f = await deployVaultWithNav();
  for (const u of [f.alice, f.bob, f.carol]) await f.vault.connect(u).mint(10_000n * USDC, 0);
  return f;
}

// Decoded from the revert data, not from Hardhat's message: under `hardhat coverage` the instrumented
// bytecode is not matched to an artifact and the message reads "unrecognized custom error".
const vaultErrors = UssiVault__factory.createInterface();

function revertName(e: unknown): string {
  const data = (e as { data?: unknown }).data;
  const parsed = typeof data === "string" ? vaultErrors.parseError(data) : null;
  if (parsed) return parsed.name;
  const m = /reverted with custom error '(\w+)\(/.exec(String((e as Error).message));
  if (!m) throw e;
  return m[1]!;
}

async function attempt(p: Promise<unknown>, allowed: string[]): Promise<boolean> {
  try {
    await (await p as { wait?: () => Promise<unknown> }).wait?.();
    return true;
  } catch (e) {
    expect(allowed, `unexpected revert ${String((e as Error).message)}`).to.include(revertName(e));
    return false;
  }
}

async function checkInvariants(f: Fixture, claimed: Set<number>) {
  const vault = await f.vault.getAddress();
  const [head, length] = await f.vault.queue();
  let reserve = 0n;
  let escrow = 0n;
  for (let id = 0n; id < length; id++) {
    const r = await f.vault.redeemRequest(id);
    if (id < head) {
      if (!r.claimed) reserve += r.assets;
      expect(r.claimed).to.equal(claimed.has(Number(id)));
    } else {
      expect(r.assets).to.equal(0n);
      expect(r.claimed).to.equal(false);
      escrow += r.shares;
    }
  }
  expect(await f.vault.reservedAssets()).to.equal(reserve); // I2
  expect(await f.usdc.balanceOf(vault)).to.be.greaterThanOrEqual(reserve); // I1
  expect(await f.vault.balanceOf(vault)).to.equal(escrow); // I3
  for (const u of [f.alice, f.bob, f.carol]) {
    const [locked] = await f.vault.indexLock(u.address);
    expect(await f.vault.balanceOf(u.address)).to.be.greaterThanOrEqual(locked); // I6
  }
}

describe("UssiVault invariants (property)", function () {
  it("hold after every step of random mint / redeem / queue / report / withdraw / pause sequences", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 15, maxLength: 40, size: "max" }), async (steps) => {
        const f = await loadFixture(funded);
        const users = [f.alice, f.bob, f.carol];
        const claimed = new Set<number>();
        let round = 3n;
        let nav = WAD;
        for (const s of steps) {
          const v = f.vault;
          switch (s.kind) {
            case "mint":
              await attempt(v.connect(users[s.user]!).mint(s.amount, 0), ["EnforcedPause", "DeltaLimitActive", "ZeroAmount"]);
              break;
            case "mintIndex":
              await attempt(v.connect(users[s.user]!).mintWithIndex(s.amount, 0), ["EnforcedPause", "DeltaLimitActive", "ZeroAmount"]);
              break;
            case "redeem": {
              const shares = ((await v.balanceOf(users[s.user]!.address)) * BigInt(s.permille)) / 1000n;
              await attempt(v.connect(users[s.user]!).redeem(shares, 0), ["InsufficientBuffer", "ZeroAmount", "IndexSharesLockedUntil"]);
              break;
            }
            case "request": {
              const shares = ((await v.balanceOf(users[s.user]!.address)) * BigInt(s.permille)) / 1000n;
              await attempt(v.connect(users[s.user]!).requestRedeem(shares), ["ZeroAmount"]);
              break;
            }
            case "fulfil": {
              // Mostly a valid count (at most what is queued); an empty queue exercises the refusal.
              const [head, length] = await v.queue();
              const count = length > head ? Math.min(s.count, Number(length - head)) : s.count;
              await attempt(v.connect(f.strategy).fulfil(count, 10n ** 30n), ["InvalidFulfilCount"]);
              break;
            }
            case "claim": {
              // Mostly an existing id (id = 6 past the end stays unknown); mostly its owner as caller.
              const length = Number((await v.queue())[1]);
              const id = length > 0 && s.id < 6 ? s.id % length : s.id;
              const owner = s.asOwner && id < length ? (await v.redeemRequest(id)).owner : undefined;
              const caller = users.find((u) => u.address === owner) ?? users[s.user]!;
              const ok = await attempt(v.connect(caller).claim(id), [
                "UnknownRequest",
                "NotRequestOwner",
                "RequestNotFulfilled",
                "AlreadyClaimed",
              ]);
              if (ok) {
                expect(claimed.has(id), `request ${id} paid twice`).to.equal(false); // I4
                claimed.add(id);
              }
              break;
            }
            case "report": {
              await time.increase(60);
              const next = (nav * BigInt(10_000 + s.bps)) / 10_000n;
              const report = await makeReport({ round, navPerToken: next, netDeltaBps: s.delta ? 201n : 10n });
              const accepted = await v.submitNavReport.staticCall(report, await signReport(f, report));
              await v.submitNavReport(report, await signReport(f, report));
              if (accepted) nav = next;
              round++;
              break;
            }
            case "withdraw": {
              const liquid = await v.liquidAssets();
              const target = await v.bufferTarget();
              const amount = liquid > target ? ((liquid - target) * BigInt(s.permille)) / 1000n : 1n;
              await attempt(v.connect(f.strategy).withdrawToVenue(f.venue.address, amount), [
                "EnforcedPause",
                "ZeroAmount",
                "WithdrawalAboveBuffer",
              ]);
              break;
            }
            case "withdrawIndex": {
              const held = await f.index.balanceOf(await v.getAddress());
              await attempt(v.connect(f.strategy).withdrawIndexToVenue(f.venue.address, (held * BigInt(s.permille)) / 1000n), [
                "EnforcedPause",
                "ZeroAmount",
              ]);
              break;
            }
            case "pause":
              await (await ((await v.paused()) ? v.connect(f.risk).unpause() : v.connect(f.risk).pause())).wait();
              break;
          }
          await checkInvariants(f, claimed);
        }
      }),
      { numRuns: 25 },
    );
  });
});
