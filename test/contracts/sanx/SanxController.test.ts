import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { Cancel, DAY, DNG, Ignore, Kind, OPP, controllerFixture, today } from "./fixtures";

/** Controller fixture plus: asset 0 already a member (ADD executed), so REMOVE paths are reachable. */
async function withMemberFixture() {
  const f = await controllerFixture();
  const day = await today();
  await f.controller.connect(f.source).onSignal(f.assets[0]!, OPP, day);
  await time.increaseTo((day + 3n) * DAY);
  await f.controller.execute(f.assets[0]!);
  return { ...f, addDay: day };
}

describe("SanxController", function () {
  describe("#constructor", function () {
    it("starts empty, unpaused, with the methodology's delay of 3 days and the given roles", async function () {
      const { gov, controller, admin, guardian, assets } = await loadFixture(controllerFixture);
      expect(await controller.delayDays()).to.equal(3n);
      expect(await controller.DEFAULT_DELAY_DAYS()).to.equal(3n);
      expect(await controller.members()).to.deep.equal([]);
      expect(await controller.paused()).to.equal(false);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.None, 0n, 0n]);
      expect(await controller.hasRole(await controller.DEFAULT_ADMIN_ROLE(), gov.address)).to.equal(true);
      expect(await controller.hasRole(await controller.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(false);
      expect(await controller.hasRole(await controller.GUARDIAN_ROLE(), guardian.address)).to.equal(true);
    });

    it("grants no GUARDIAN_ROLE for a zero guardian (to be granted later): nobody can press the red button", async function () {
      const { gov, guardian } = await loadFixture(controllerFixture);
      const c = await ethers.deployContract("SanxController", [gov.address, ethers.ZeroAddress]);
      const role = await c.GUARDIAN_ROLE();
      expect(await c.hasRole(role, ethers.ZeroAddress)).to.equal(false);
      await expect(c.connect(guardian).pause()).to.be.revertedWithCustomError(c, "AccessControlUnauthorizedAccount").withArgs(guardian.address, role);
    });

    it("reverts on a zero admin", async function () {
      const factory = await ethers.getContractFactory("SanxController");
      await expect(factory.deploy(ethers.ZeroAddress, ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    });

    it("refuses an admin that is not a TimelockController with at least a 1-day delay (issue 13)", async function () {
      const { admin, guardian } = await loadFixture(controllerFixture);
      const factory = await ethers.getContractFactory("SanxController");
      await expect(factory.deploy(admin.address, guardian.address)).to.be.revertedWithCustomError(factory, "AdminNotTimelock").withArgs(admin.address);
    });
  });

  describe("#onSignal", function () {
    it("reverts unless called by a signal source", async function () {
      const { controller, anyone, assets } = await loadFixture(controllerFixture);
      await expect(controller.connect(anyone).onSignal(assets[0]!, OPP, 1n))
        .to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount")
        .withArgs(anyone.address, await controller.SIGNAL_SOURCE_ROLE());
    });

    it("reverts on a zone other than 1 or 2", async function () {
      const { controller, source, assets } = await loadFixture(controllerFixture);
      for (const zone of [0n, 3n]) {
        await expect(controller.connect(source).onSignal(assets[0]!, zone, 1n)).to.be.revertedWithCustomError(controller, "InvalidZone").withArgs(zone);
      }
    });

    it("schedules an ADD due at the start of day + 3 when OPPORTUNITY fires for a non-member", async function () {
      const { controller, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, day))
        .to.emit(controller, "ActionScheduled").withArgs(assets[0]!, Kind.Add, day, (day + 3n) * DAY);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.Add, (day + 3n) * DAY, day]);
      expect(await controller.isMember(assets[0]!)).to.equal(false);
    });

    it("ignores DANGER for a non-member and OPPORTUNITY for a member", async function () {
      const { controller, source, assets } = await loadFixture(withMemberFixture);
      const day = await today();
      await expect(controller.connect(source).onSignal(assets[1]!, DNG, day))
        .to.emit(controller, "SignalIgnored").withArgs(assets[1]!, DNG, day, Ignore.NotMember);
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, day))
        .to.emit(controller, "SignalIgnored").withArgs(assets[0]!, OPP, day, Ignore.AlreadyMember);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.None, 0n, 0n]);
      expect(await controller.pending(assets[1]!)).to.deep.equal([Kind.None, 0n, 0n]);
    });

    it("schedules a REMOVE when DANGER fires for a member", async function () {
      const { controller, source, assets } = await loadFixture(withMemberFixture);
      const day = await today();
      await expect(controller.connect(source).onSignal(assets[0]!, DNG, day))
        .to.emit(controller, "ActionScheduled").withArgs(assets[0]!, Kind.Remove, day, (day + 3n) * DAY);
    });

    it("ignores a same-kind signal while an action is pending and keeps the first due time", async function () {
      const { controller, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      await time.increaseTo((day + 1n) * DAY); // day + 2 may be relayed from here (one day of skew)
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, day + 2n))
        .to.emit(controller, "SignalIgnored").withArgs(assets[0]!, OPP, day + 2n, Ignore.SameKindPending)
        .and.not.to.emit(controller, "ActionScheduled");
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.Add, (day + 3n) * DAY, day]);
    });

    it("cancels a pending ADD at once on DANGER and schedules nothing", async function () {
      const { controller, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      await expect(controller.connect(source).onSignal(assets[0]!, DNG, day + 1n))
        .to.emit(controller, "ActionCancelled").withArgs(assets[0]!, Kind.Add, day, Cancel.OppositeSignal)
        .and.not.to.emit(controller, "ActionScheduled");
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.None, 0n, 0n]);
      expect(await controller.isMember(assets[0]!)).to.equal(false);
      await time.increaseTo((day + 10n) * DAY);
      await expect(controller.execute(assets[0]!)).to.be.revertedWithCustomError(controller, "NoPendingAction");
    });

    it("cancels a pending REMOVE at once on OPPORTUNITY; the asset stays a member", async function () {
      const { controller, source, assets } = await loadFixture(withMemberFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, DNG, day);
      await time.increaseTo((day + 1n) * DAY);
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, day + 2n))
        .to.emit(controller, "ActionCancelled").withArgs(assets[0]!, Kind.Remove, day, Cancel.OppositeSignal);
      expect(await controller.isMember(assets[0]!)).to.equal(true);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.None, 0n, 0n]);
    });

    it("refuses a signal dated on or after a pending action's due day until it is executed", async function () {
      const { controller, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      const due = (day + 3n) * DAY;
      await time.increaseTo(due);
      for (const [zone, d] of [[DNG, day + 3n], [OPP, day + 4n]] as const) {
        await expect(controller.connect(source).onSignal(assets[0]!, zone, d))
          .to.be.revertedWithCustomError(controller, "PendingActionDue").withArgs(assets[0]!, due, d);
      }
      // After the ADD executes at the start of day+3, day+3's DANGER applies to the new holding.
      await controller.execute(assets[0]!);
      await expect(controller.connect(source).onSignal(assets[0]!, DNG, day + 3n))
        .to.emit(controller, "ActionScheduled").withArgs(assets[0]!, Kind.Remove, day + 3n, (day + 6n) * DAY);
    });

    it("ignores a signal older than the asset's last applied day (OutOfOrder), changing nothing, and never reverts for it", async function () {
      const { controller, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      expect(await controller.lastSignalDay(assets[0]!)).to.equal(day);
      for (const zone of [OPP, DNG]) {
        await expect(controller.connect(source).onSignal(assets[0]!, zone, day - 1n))
          .to.emit(controller, "SignalIgnored").withArgs(assets[0]!, zone, day - 1n, Ignore.OutOfOrder)
          .and.not.to.emit(controller, "ActionCancelled");
      }
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.Add, (day + 3n) * DAY, day]);
      expect(await controller.lastSignalDay(assets[0]!)).to.equal(day);
      // Per asset: another asset's older day is not out of order.
      await expect(controller.connect(source).onSignal(assets[1]!, OPP, day - 1n)).to.emit(controller, "ActionScheduled");
      // The last day survives execution and cancellation.
      await time.increaseTo((day + 3n) * DAY);
      await controller.execute(assets[0]!);
      expect(await controller.lastSignalDay(assets[0]!)).to.equal(day);
    });

    it("refuses a day starting more than one day from now (SignalFromFuture), so the last day cannot be run ahead", async function () {
      const { controller, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      const t = (day + 2n) * DAY - DAY; // the first second at which day + 2 is allowed
      await time.setNextBlockTimestamp(t - 1n);
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, day + 2n))
        .to.be.revertedWithCustomError(controller, "SignalFromFuture").withArgs(day + 2n, (day + 2n) * DAY, t - 1n + DAY);
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, 2n ** 32n - 1n)).to.be.revertedWithCustomError(controller, "SignalFromFuture");
      await time.setNextBlockTimestamp(t + 1n);
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, day + 2n)).to.emit(controller, "ActionScheduled");
    });

    it("while paused, records a signal dated on or after a due action's day as ignored (Paused) instead of refusing it", async function () {
      const { controller, guardian, gov, source, assets } = await loadFixture(controllerFixture);
      const admin = await gov.asTimelock(); // the timelock's own call, without its delay: this scenario counts days
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      await time.increaseTo((day + 3n) * DAY);
      await controller.connect(guardian).pause();
      await expect(controller.connect(source).onSignal(assets[0]!, DNG, day + 3n))
        .to.emit(controller, "SignalIgnored").withArgs(assets[0]!, DNG, day + 3n, Ignore.Paused);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.Add, (day + 3n) * DAY, day]);
      expect(await controller.lastSignalDay(assets[0]!)).to.equal(day + 3n);
      await controller.connect(admin).unpause();
      await expect(controller.execute(assets[0]!)).to.emit(controller, "ActionExecuted");
    });

    it("never lets one asset's signals touch another asset's pending action", async function () {
      const { gov, controller, source, assets } = await loadFixture(withMemberFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, DNG, day); // REMOVE a0
      await controller.connect(source).onSignal(assets[1]!, OPP, day); // ADD a1
      await controller.connect(source).onSignal(assets[1]!, DNG, day + 1n); // cancels ADD a1 only
      await controller.connect(source).onSignal(assets[2]!, OPP, day + 1n); // ADD a2
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.Remove, (day + 3n) * DAY, day]);
      expect(await controller.pending(assets[1]!)).to.deep.equal([Kind.None, 0n, 0n]);
      expect(await controller.pending(assets[2]!)).to.deep.equal([Kind.Add, (day + 4n) * DAY, day + 1n]);
      await controller.connect(await gov.asTimelock()).cancel(assets[2]!);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.Remove, (day + 3n) * DAY, day]);
    });
  });

  describe("minimum notice (issue 8, review point 5)", function () {
    it("a signal relayed late (its due day already past) executes only minNotice (1 day) after it was relayed", async function () {
      const { controller, source, anyone, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await time.increaseTo((day + 5n) * DAY + 7n * 3600n); // two days after the signal's due day
      const relayAt = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(relayAt);
      await expect(controller.connect(source).onSignal(assets[0]!, OPP, day))
        .to.emit(controller, "ActionScheduled").withArgs(assets[0]!, Kind.Add, day, relayAt + DAY);
      await expect(controller.connect(anyone).execute(assets[0]!))
        .to.be.revertedWithCustomError(controller, "ActionNotDue").withArgs(assets[0]!, relayAt + DAY, relayAt + 1n);
      await time.setNextBlockTimestamp(relayAt + DAY - 1n);
      await expect(controller.connect(anyone).execute(assets[0]!)).to.be.revertedWithCustomError(controller, "ActionNotDue");
      await expect(controller.connect(anyone).execute(assets[0]!)).to.emit(controller, "ActionExecuted").withArgs(assets[0]!, Kind.Add, day, relayAt + DAY, anyone.address);
    });

    it("lets governance set the notice within [1 hour, 7 days] for actions scheduled afterwards; default 1 day", async function () {
      const { controller, gov, source, anyone, assets } = await loadFixture(controllerFixture);
      const timelock = controller.connect(await gov.asTimelock()); // without its delay: this scenario counts seconds
      expect(await controller.minNotice()).to.equal(DAY);
      expect(await controller.DEFAULT_MIN_NOTICE()).to.equal(DAY);
      for (const bad of [3599n, 7n * DAY + 1n]) {
        await expect(timelock.setMinNotice(bad)).to.be.revertedWithCustomError(controller, "InvalidNotice").withArgs(bad, 3600n, 7n * DAY);
      }
      await expect(controller.connect(anyone).setMinNotice(3600n)).to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount");
      await expect(timelock.setMinNotice(7n * DAY)).to.emit(controller, "MinNoticeUpdated").withArgs(DAY, 7n * DAY);
      const day = await today();
      const relayAt = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(relayAt);
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      expect((await controller.pending(assets[0]!))[1]).to.equal(relayAt + 7n * DAY); // past (day + 3) * DAY
    });
  });

  describe("#execute", function () {
    it("reverts before the due time, executes at exactly the due time, by anyone", async function () {
      const { controller, basket, source, anyone, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      const due = (day + 3n) * DAY;
      await time.setNextBlockTimestamp(due - 1n);
      await expect(controller.connect(anyone).execute(assets[0]!))
        .to.be.revertedWithCustomError(controller, "ActionNotDue").withArgs(assets[0]!, due, due - 1n);
      await time.setNextBlockTimestamp(due);
      await expect(controller.connect(anyone).execute(assets[0]!))
        .to.emit(controller, "ActionExecuted").withArgs(assets[0]!, Kind.Add, day, due, anyone.address);
      expect(await controller.members()).to.deep.equal([assets[0]!]);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.None, 0n, 0n]);
      expect(await basket.callCount()).to.equal(1n);
      const call = await basket.callAt(0);
      expect(call.caller).to.equal(await controller.getAddress());
      expect(call.asset).to.equal(assets[0]!);
      expect(call.added).to.equal(true);
      expect(call.memberDuringCall).to.equal(true); // membership recorded before the hook (CEI)
      expect(call.memberCountDuringCall).to.equal(1n);
    });

    it("reverts when nothing is pending, and a second time after executing", async function () {
      const { controller, assets } = await loadFixture(withMemberFixture);
      await expect(controller.execute(assets[1]!)).to.be.revertedWithCustomError(controller, "NoPendingAction").withArgs(assets[1]!);
      await expect(controller.execute(assets[0]!)).to.be.revertedWithCustomError(controller, "NoPendingAction").withArgs(assets[0]!);
    });

    it("removes a member, calls the hook with (asset, false), and empties the set when it was the last", async function () {
      const { controller, basket, source, assets } = await loadFixture(withMemberFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, DNG, day);
      await time.increaseTo((day + 3n) * DAY);
      await expect(controller.execute(assets[0]!)).to.emit(controller, "ActionExecuted").withArgs(assets[0]!, Kind.Remove, day, (day + 3n) * DAY, anyValue);
      expect(await controller.members()).to.deep.equal([]);
      expect(await controller.isMember(assets[0]!)).to.equal(false);
      const call = await basket.callAt(1n);
      expect([call.asset, call.added, call.memberDuringCall, call.memberCountDuringCall]).to.deep.equal([assets[0]!, false, false, 0n]);
    });

    it("keeps the other members when one of several is removed", async function () {
      const { controller, source, assets } = await loadFixture(withMemberFixture);
      let day = await today();
      await controller.connect(source).onSignal(assets[1]!, OPP, day);
      await time.increaseTo((day + 3n) * DAY);
      await controller.execute(assets[1]!);
      expect([...(await controller.members())].sort()).to.deep.equal([assets[0]!, assets[1]!].sort());
      day = await today();
      await controller.connect(source).onSignal(assets[0]!, DNG, day);
      await time.increaseTo((day + 3n) * DAY);
      await controller.execute(assets[0]!);
      expect(await controller.members()).to.deep.equal([assets[1]!]);
    });

    it("changes nothing when the basket reverts; the action stays pending", async function () {
      const { controller, basket, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      await time.increaseTo((day + 3n) * DAY);
      await basket.setShouldRevert(true);
      await expect(controller.execute(assets[0]!)).to.be.revertedWithCustomError(basket, "BasketFailure");
      expect(await controller.isMember(assets[0]!)).to.equal(false);
      expect(await controller.pending(assets[0]!)).to.deep.equal([Kind.Add, (day + 3n) * DAY, day]);
      await basket.setShouldRevert(false);
      await controller.execute(assets[0]!);
      expect(await controller.isMember(assets[0]!)).to.equal(true);
    });

    it("reverts when no basket is set", async function () {
      const { gov, admin, source, assets } = await loadFixture(controllerFixture);
      const bare = await ethers.deployContract("SanxController", [gov.address, admin.address]);
      await bare.connect(await gov.asTimelock()).grantRole(await bare.SIGNAL_SOURCE_ROLE(), source.address);
      const day = await today();
      await bare.connect(source).onSignal(assets[0]!, OPP, day);
      await time.increaseTo((day + 3n) * DAY);
      await expect(bare.execute(assets[0]!)).to.be.revertedWithCustomError(bare, "BasketNotSet");
    });
  });

  describe("#cancel", function () {
    it("lets governance cancel a pending ADD or REMOVE, and no one else", async function () {
      const { gov, controller, source, guardian, anyone, assets } = await loadFixture(withMemberFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, DNG, day);
      await controller.connect(source).onSignal(assets[1]!, OPP, day);
      for (const who of [guardian, anyone, source]) {
        await expect(controller.connect(who).cancel(assets[0]!)).to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount");
      }
      await expect(controller.connect(await gov.asTimelock()).cancel(assets[0]!)).to.emit(controller, "ActionCancelled").withArgs(assets[0]!, Kind.Remove, day, Cancel.Governance);
      await expect(controller.connect(await gov.asTimelock()).cancel(assets[1]!)).to.emit(controller, "ActionCancelled").withArgs(assets[1]!, Kind.Add, day, Cancel.Governance);
      expect(await controller.members()).to.deep.equal([assets[0]!]);
      await expect(controller.connect(await gov.asTimelock()).cancel(assets[1]!)).to.be.revertedWithCustomError(controller, "NoPendingAction").withArgs(assets[1]!);
    });
  });

  describe("#pause / #unpause", function () {
    it("lets only the guardian pause and only governance unpause", async function () {
      const { gov, controller, admin, guardian, anyone } = await loadFixture(controllerFixture);
      await expect(controller.connect(anyone).pause()).to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount");
      await expect(controller.connect(admin).pause()).to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount");
      await expect(controller.connect(guardian).pause()).to.emit(controller, "Paused").withArgs(guardian.address);
      expect(await controller.paused()).to.equal(true);
      await expect(controller.connect(guardian).unpause()).to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount");
      await expect(controller.connect(await gov.asTimelock()).unpause()).to.emit(controller, "Unpaused").withArgs(gov.address);
    });

    it("stops scheduling and execution while paused; unpausing resumes both", async function () {
      const { gov, controller, guardian, admin, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      await controller.connect(guardian).pause();
      await expect(controller.connect(source).onSignal(assets[1]!, OPP, day))
        .to.emit(controller, "SignalIgnored").withArgs(assets[1]!, OPP, day, Ignore.Paused)
        .and.not.to.emit(controller, "ActionScheduled");
      expect(await controller.pending(assets[1]!)).to.deep.equal([Kind.None, 0n, 0n]);
      await time.increaseTo((day + 3n) * DAY);
      await expect(controller.execute(assets[0]!)).to.be.revertedWithCustomError(controller, "EnforcedPause");
      expect(await controller.isMember(assets[0]!)).to.equal(false);

      await controller.connect(await gov.asTimelock()).unpause();
      await expect(controller.execute(assets[0]!)).to.emit(controller, "ActionExecuted");
      expect(await controller.isMember(assets[0]!)).to.equal(true);
      const later = await today();
      await expect(controller.connect(source).onSignal(assets[1]!, OPP, later)).to.emit(controller, "ActionScheduled");
    });

    it("still lets an opposite signal and governance cancel while paused", async function () {
      const { gov, controller, guardian, source, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      await controller.connect(source).onSignal(assets[1]!, OPP, day);
      await controller.connect(guardian).pause();
      await expect(controller.connect(source).onSignal(assets[0]!, DNG, day + 1n))
        .to.emit(controller, "ActionCancelled").withArgs(assets[0]!, Kind.Add, day, Cancel.OppositeSignal);
      await expect(controller.connect(await gov.asTimelock()).cancel(assets[1]!)).to.emit(controller, "ActionCancelled").withArgs(assets[1]!, Kind.Add, day, Cancel.Governance);
    });
  });

  describe("#setDelayDays / #setBasket", function () {
    it("applies a new delay to actions scheduled afterwards only; bounds and role enforced", async function () {
      const { gov, controller, source, anyone, assets } = await loadFixture(controllerFixture);
      const day = await today();
      await controller.connect(source).onSignal(assets[0]!, OPP, day);
      await expect(controller.connect(await gov.asTimelock()).setDelayDays(5)).to.emit(controller, "DelayUpdated").withArgs(3n, 5n);
      await controller.connect(source).onSignal(assets[1]!, OPP, day);
      expect((await controller.pending(assets[0]!))[1]).to.equal((day + 3n) * DAY);
      expect((await controller.pending(assets[1]!))[1]).to.equal((day + 5n) * DAY);
      const max = await controller.MAX_DELAY_DAYS();
      for (const bad of [0n, max + 1n]) {
        await expect(controller.connect(await gov.asTimelock()).setDelayDays(bad)).to.be.revertedWithCustomError(controller, "InvalidDelay").withArgs(bad, max);
      }
      await expect(controller.connect(await gov.asTimelock()).setDelayDays(max)).to.emit(controller, "DelayUpdated");
      await expect(controller.connect(anyone).setDelayDays(4)).to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount");
    });

    it("sets the basket, refusing zero and non-governance callers", async function () {
      const { gov, controller, basket, anyone } = await loadFixture(controllerFixture);
      const next = await ethers.deployContract("SanxBasketMock");
      await expect(controller.connect(await gov.asTimelock()).setBasket(await next.getAddress()))
        .to.emit(controller, "BasketUpdated").withArgs(await basket.getAddress(), await next.getAddress());
      expect(await controller.basket()).to.equal(await next.getAddress());
      await expect(controller.connect(await gov.asTimelock()).setBasket(ethers.ZeroAddress)).to.be.revertedWithCustomError(controller, "ZeroAddress");
      await expect(controller.connect(anyone).setBasket(await next.getAddress())).to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount");
    });
  });
});

