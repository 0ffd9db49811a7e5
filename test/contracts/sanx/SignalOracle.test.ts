import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { TypedDataEncoder } from "ethers";
import {
  SIGNAL_DOMAIN_NAME,
  SIGNAL_DOMAIN_VERSION,
  SIGNAL_EIP712_TYPES,
  SIGNAL_PRIMARY_TYPE,
  zoneFromCode,
} from "../../../src/sanx/signalReport";
import { quorumDomain } from "../../../chain/quorum";
import { DAY, DNG, Ignore, Kind, MAX_FUTURE_SKEW, MAX_VALIDITY, OPP, WAD, makeSignal, oracleFixture, sign } from "./fixtures";

describe("SignalOracle", function () {
  describe("#hashSignal / EIP-712 types", function () {
    it("matches the typehash, struct hash and digest computed from src/sanx/signalReport", async function () {
      const { oracle, assets, domain } = await loadFixture(oracleFixture);
      expect(domain.name).to.equal(SIGNAL_DOMAIN_NAME);
      expect(domain.version).to.equal(SIGNAL_DOMAIN_VERSION);
      const enc = TypedDataEncoder.from(SIGNAL_EIP712_TYPES);
      expect(enc.primaryType).to.equal(SIGNAL_PRIMARY_TYPE);
      expect(await oracle.SIGNAL_TYPEHASH()).to.equal(ethers.id(enc.encodeType(SIGNAL_PRIMARY_TYPE)));
      const s = await makeSignal(assets[0]!, DNG, { mvrv: 123456789n * WAD, threshold: 3n, expiresAt: 2n ** 64n - 1n });
      expect(await oracle.hashSignal(s)).to.equal(enc.hashStruct(SIGNAL_PRIMARY_TYPE, s));
      expect(await oracle.signalDigest(s)).to.equal(TypedDataEncoder.hash(domain, SIGNAL_EIP712_TYPES, s));
    });

    it("maps zone codes and rejects others", function () {
      expect(zoneFromCode(1)).to.equal("OPPORTUNITY");
      expect(zoneFromCode(2n)).to.equal("DANGER");
      for (const bad of [0, 3, 255]) expect(() => zoneFromCode(bad)).to.throw(/not a signal zone/);
    });
  });

  describe("#constructor / admin", function () {
    it("reverts on a zero controller", async function () {
      const { gov, signers } = await loadFixture(oracleFixture);
      const factory = await ethers.getContractFactory("SignalOracle");
      await expect(
        factory.deploy(gov.address, [signers[0]!.address], 1, ethers.ZeroAddress, MAX_FUTURE_SKEW, MAX_VALIDITY),
      ).to.be.revertedWithCustomError(factory, "ZeroAddress");
    });

    it("refuses an admin that is not a TimelockController with at least a 1-day delay (issue 13)", async function () {
      const { admin, controller, signers } = await loadFixture(oracleFixture);
      const factory = await ethers.getContractFactory("SignalOracle");
      await expect(
        factory.deploy(admin.address, [signers[0]!.address], 1, controller, MAX_FUTURE_SKEW, MAX_VALIDITY),
      ).to.be.revertedWithCustomError(factory, "AdminNotTimelock").withArgs(admin.address);
    });

    it("validates and sets the time bounds, admin only", async function () {
      const { oracle, anyone, gov } = await loadFixture(oracleFixture);
      expect(await oracle.maxFutureSkew()).to.equal(MAX_FUTURE_SKEW);
      expect(await oracle.maxValidity()).to.equal(MAX_VALIDITY);
      const maxSkew = await oracle.MAX_FUTURE_SKEW();
      const maxValidity = await oracle.MAX_VALIDITY();
      for (const [skew, validity] of [[maxSkew + 1n, DAY], [0n, 0n], [0n, maxValidity + 1n]] as const) {
        await expect(gov.exec(oracle, "setTimeBounds", [skew, validity]))
          .to.be.revertedWithCustomError(oracle, "InvalidTimeBounds").withArgs(skew, validity);
      }
      await expect(gov.exec(oracle, "setTimeBounds", [maxSkew, maxValidity])).to.emit(oracle, "TimeBoundsUpdated").withArgs(maxSkew, maxValidity);
      await expect(oracle.connect(anyone).setTimeBounds(0n, DAY)).to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount");
    });

    it("adds and removes universe assets, refusing zero, duplicates and absent removals; admin only", async function () {
      const { oracle, assets, anyone, gov } = await loadFixture(oracleFixture);
      expect(await oracle.isInUniverse(assets[2]!)).to.equal(false);
      await expect(gov.exec(oracle, "updateUniverse", [[assets[2]!], [assets[0]!]]))
        .to.emit(oracle, "UniverseUpdated").withArgs(assets[2]!, true)
        .and.to.emit(oracle, "UniverseUpdated").withArgs(assets[0]!, false);
      expect([...(await oracle.universe())].sort()).to.deep.equal([assets[1]!, assets[2]!].sort());
      await expect(gov.exec(oracle, "updateUniverse", [[assets[1]!], []])).to.be.revertedWithCustomError(oracle, "InvalidUniverseUpdate").withArgs(assets[1]!);
      await expect(gov.exec(oracle, "updateUniverse", [[ethers.ZeroAddress], []])).to.be.revertedWithCustomError(oracle, "InvalidUniverseUpdate");
      await expect(gov.exec(oracle, "updateUniverse", [[], [assets[0]!]])).to.be.revertedWithCustomError(oracle, "InvalidUniverseUpdate").withArgs(assets[0]!);
      await expect(oracle.connect(anyone).updateUniverse([assets[0]!], [])).to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount");
    });
  });

  describe("#submitSignal", function () {
    it("accepts a 3-of-4 signed signal from any relayer, emits every field and forwards it to the controller", async function () {
      const { oracle, controller, signers, relayer, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP);
      const sigs = await sign(signers.slice(1), domain, s);
      await expect(oracle.connect(relayer).submitSignal(s, sigs))
        .to.emit(oracle, "SignalAccepted")
        .withArgs(s.asset, s.day, s.zone, s.mvrv, s.threshold, s.expiresAt, relayer.address)
        .and.to.emit(controller, "ActionScheduled")
        .withArgs(s.asset, Kind.Add, s.day, (s.day + 3n) * DAY);
      expect(await oracle.isRelayed(s.asset, s.day)).to.equal(true);
      expect(await oracle.isRelayed(s.asset, s.day + 1n)).to.equal(false);
      expect(await controller.pending(s.asset)).to.deep.equal([Kind.Add, (s.day + 3n) * DAY, s.day]);
    });

    it("accepts all four signatures too", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP);
      await expect(oracle.submitSignal(s, await sign(signers, domain, s))).to.emit(oracle, "SignalAccepted");
    });

    it("reverts when fewer than the quorum signed", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 2), domain, s)))
        .to.be.revertedWithCustomError(oracle, "QuorumNotMet").withArgs(2, 3);
      await expect(oracle.submitSignal(s, [])).to.be.revertedWithCustomError(oracle, "QuorumNotMet").withArgs(0, 3);
    });

    it("reverts on a signature from outside the signer set", async function () {
      const { oracle, signers, outsider, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP);
      await expect(oracle.submitSignal(s, await sign([...signers.slice(0, 2), outsider], domain, s)))
        .to.be.revertedWithCustomError(oracle, "UnknownSigner").withArgs(outsider.address);
    });

    it("reverts when one signer's signature is repeated or the order is not ascending", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP);
      const sigs = await sign(signers.slice(0, 3), domain, s);
      await expect(oracle.submitSignal(s, [sigs[0]!, sigs[0]!, sigs[1]!])).to.be.revertedWithCustomError(oracle, "SignersNotAscending");
      await expect(oracle.submitSignal(s, [sigs[2]!, sigs[1]!, sigs[0]!])).to.be.revertedWithCustomError(oracle, "SignersNotAscending");
    });

    it("reverts when any signed field is altered after signing", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, DNG);
      const sigs = await sign(signers.slice(0, 3), domain, s);
      const alterations = [
        { asset: assets[1]! },
        { zone: OPP, mvrv: WAD / 2n },
        { day: s.day - 1n },
        { mvrv: s.mvrv + 1n },
        { threshold: s.threshold - 1n },
        { expiresAt: s.expiresAt - 1n },
      ];
      for (const over of alterations) {
        await expect(oracle.submitSignal({ ...s, ...over }, sigs)).to.be.revertedWithCustomError(oracle, "UnknownSigner");
      }
    });

    it("reverts on signatures made for another deployment's domain", async function () {
      const { oracle, controller, gov, signers, assets } = await loadFixture(oracleFixture);
      const twin = await ethers.deployContract("SignalOracle", [
        gov.address, signers.map((x) => x.address), 3, await controller.getAddress(), MAX_FUTURE_SKEW, MAX_VALIDITY,
      ]);
      const s = await makeSignal(assets[0]!, OPP);
      const sigs = await sign(signers.slice(0, 3), await quorumDomain(twin), s);
      await expect(oracle.submitSignal(s, sigs)).to.be.revertedWithCustomError(oracle, "UnknownSigner");
    });

    it("refuses a replay of the same (asset, day), even signed again with another zone or expiry; other days and assets are fresh", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP);
      const sigs = await sign(signers.slice(0, 3), domain, s);
      await oracle.submitSignal(s, sigs);
      await expect(oracle.submitSignal(s, sigs)).to.be.revertedWithCustomError(oracle, "SignalAlreadyRelayed").withArgs(s.asset, s.day);
      const again = await makeSignal(assets[0]!, DNG, { day: s.day, expiresAt: s.expiresAt + 60n });
      await expect(oracle.submitSignal(again, await sign(signers.slice(0, 3), domain, again)))
        .to.be.revertedWithCustomError(oracle, "SignalAlreadyRelayed").withArgs(s.asset, s.day);
      // The key is per asset: the same day of another asset is fresh.
      const b = await makeSignal(assets[1]!, OPP, { day: s.day });
      await expect(oracle.submitSignal(b, await sign(signers.slice(0, 3), domain, b))).to.emit(oracle, "SignalAccepted");
      // Another day of the first asset is fresh too (the day before: the controller records it as out of order).
      const before = await makeSignal(assets[0]!, DNG, { day: s.day - 1n });
      await expect(oracle.submitSignal(before, await sign(signers.slice(0, 3), domain, before))).to.emit(oracle, "SignalAccepted");
    });

    it("relaying a later day first leaves the earlier day usable: it is applied as out of order, not reverted (issue 8 point 5)", async function () {
      const { oracle, controller, signers, domain, assets } = await loadFixture(oracleFixture);
      const today = BigInt(await time.latest()) / DAY;
      const early = await makeSignal(assets[0]!, OPP, { day: today - 2n });
      const late = await makeSignal(assets[0]!, OPP, { day: today });
      const [sigsEarly, sigsLate] = [await sign(signers.slice(0, 3), domain, early), await sign(signers.slice(0, 3), domain, late)];
      await expect(oracle.submitSignal(late, sigsLate)).to.emit(controller, "ActionScheduled");
      await expect(oracle.submitSignal(early, sigsEarly))
        .to.emit(oracle, "SignalAccepted").withArgs(early.asset, early.day, OPP, early.mvrv, early.threshold, early.expiresAt, anyValue)
        .and.to.emit(controller, "SignalIgnored").withArgs(early.asset, OPP, early.day, Ignore.OutOfOrder);
      expect(await oracle.isRelayed(early.asset, early.day)).to.equal(true);
      expect(await controller.lastSignalDay(early.asset)).to.equal(today);
      expect(await controller.pending(early.asset)).to.deep.equal([Kind.Add, (today + 3n) * DAY, today]);
    });

    it("a signal relayed during the red button uses up only its own day: an earlier day is still accepted, a later one applied", async function () {
      const { oracle, controller, guardian, gov, signers, domain, assets } = await loadFixture(oracleFixture);
      const today = BigInt(await time.latest()) / DAY;
      const earlier = await makeSignal(assets[0]!, OPP, { day: today - 2n });
      const sigsEarlier = await sign(signers.slice(0, 3), domain, earlier);
      await controller.connect(guardian).pause();
      const during = await makeSignal(assets[0]!, OPP, { day: today - 1n });
      await expect(oracle.submitSignal(during, await sign(signers.slice(0, 3), domain, during)))
        .to.emit(controller, "SignalIgnored").withArgs(during.asset, OPP, during.day, Ignore.Paused);
      await controller.connect(await gov.asTimelock()).unpause(); // the timelock's own call: this scenario counts days
      // The earlier day's signal, signed before the pause, is still accepted: recorded as out of order.
      await expect(oracle.submitSignal(earlier, sigsEarlier))
        .to.emit(controller, "SignalIgnored").withArgs(earlier.asset, OPP, earlier.day, Ignore.OutOfOrder);
      const next = await makeSignal(assets[0]!, OPP, { day: today });
      await expect(oracle.submitSignal(next, await sign(signers.slice(0, 3), domain, next)))
        .to.emit(controller, "ActionScheduled").withArgs(next.asset, Kind.Add, today, (today + 3n) * DAY);
    });

    it("a signal relayed late (its due day past, still within its validity) cannot execute in the same block; it executes after the notice", async function () {
      const { oracle, controller, signers, domain, assets, anyone } = await loadFixture(oracleFixture);
      const asset = assets[0]!;
      const today = BigInt(await time.latest()) / DAY;
      const late = await makeSignal(asset, OPP, { day: today - 4n }); // due at the start of today - 1
      const sigs = await sign(signers.slice(0, 3), domain, late);
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const relay = await oracle.submitSignal(late, sigs);
        const exec = await controller.connect(anyone).execute(asset, { gasLimit: 500_000 }); // no estimate: sent blind
        await ethers.provider.send("evm_mine", []);
        const relayed = (await relay.wait())!;
        const [, dueAt] = await controller.pending(asset);
        const block = (await ethers.provider.getBlock(relayed.blockNumber))!;
        expect(dueAt).to.equal(BigInt(block.timestamp) + DAY); // relay + minNotice, past the day rule
        await expect(exec.wait()).to.be.rejected; // same block: ActionNotDue
        expect((await ethers.provider.getTransactionReceipt(exec.hash))!.blockNumber).to.equal(relayed.blockNumber);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      expect(await controller.isMember(asset)).to.equal(false);
      const [, dueAt] = await controller.pending(asset);
      await time.setNextBlockTimestamp(dueAt - 1n);
      await expect(controller.connect(anyone).execute(asset)).to.be.revertedWithCustomError(controller, "ActionNotDue").withArgs(asset, dueAt, dueAt - 1n);
      await expect(controller.connect(anyone).execute(asset)).to.emit(controller, "ActionExecuted").withArgs(asset, Kind.Add, late.day, dueAt, anyone.address);
    });

    it("refuses a maximal day (2^32 - 1) as from the future, so no signal can run the key space ahead; later signals stay usable", async function () {
      const { oracle, controller, signers, domain, assets } = await loadFixture(oracleFixture);
      const max = 2n ** 32n - 1n;
      const s = await makeSignal(assets[0]!, OPP, { day: max });
      const now = BigInt(await time.latest());
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s)))
        .to.be.revertedWithCustomError(oracle, "SignalFromFuture").withArgs(max, max * DAY, now + 1n + MAX_FUTURE_SKEW);
      // Even a signal source that skipped the oracle's check cannot: the controller bounds the day as well.
      const [, , source] = await ethers.getSigners();
      await expect(controller.connect(source!).onSignal(assets[0]!, OPP, max)).to.be.revertedWithCustomError(controller, "SignalFromFuture");
      const ok = await makeSignal(assets[0]!, OPP);
      await expect(oracle.submitSignal(ok, await sign(signers.slice(0, 3), domain, ok))).to.emit(controller, "ActionScheduled");
    });

    it("does not use up (asset, day) when the submission fails", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 2), domain, s))).to.be.reverted;
      expect(await oracle.isRelayed(s.asset, s.day)).to.equal(false);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s))).to.emit(oracle, "SignalAccepted");
    });

    it("accepts up to the second of expiry and refuses one second later", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const t = BigInt(await time.latest()) + 100n;
      const a = await makeSignal(assets[0]!, OPP, { expiresAt: t });
      const b = await makeSignal(assets[1]!, OPP, { expiresAt: t });
      const sa = await sign(signers.slice(0, 3), domain, a);
      const sb = await sign(signers.slice(0, 3), domain, b);
      await time.setNextBlockTimestamp(t);
      await expect(oracle.submitSignal(a, sa)).to.emit(oracle, "SignalAccepted");
      await expect(oracle.submitSignal(b, sb)).to.be.revertedWithCustomError(oracle, "SignalExpired").withArgs(t, t + 1n);
    });

    it("refuses an expiry beyond now + maxValidity and accepts it exactly at the bound", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const t = BigInt(await time.latest()) + 100n;
      const far = await makeSignal(assets[0]!, OPP, { expiresAt: t + MAX_VALIDITY + 1n });
      await time.setNextBlockTimestamp(t);
      await expect(oracle.submitSignal(far, await sign(signers.slice(0, 3), domain, far)))
        .to.be.revertedWithCustomError(oracle, "ExpiryTooFar").withArgs(far.expiresAt, t + MAX_VALIDITY);
      const edge = await makeSignal(assets[0]!, OPP, { expiresAt: t + 1n + MAX_VALIDITY });
      const sigs = await sign(signers.slice(0, 3), domain, edge);
      await time.setNextBlockTimestamp(t + 1n);
      await expect(oracle.submitSignal(edge, sigs)).to.emit(oracle, "SignalAccepted");
    });

    it("refuses a day that starts after now + maxFutureSkew and accepts one that starts exactly then", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const day = BigInt(await time.latest()) / DAY + 2n;
      const t = day * DAY - MAX_FUTURE_SKEW; // {s} the first second at which `day` is allowed
      await time.increaseTo(t - 10n);
      const s = await makeSignal(assets[0]!, OPP, { day, expiresAt: t + 3600n });
      const sigs = await sign(signers.slice(0, 3), domain, s);
      await time.setNextBlockTimestamp(t - 1n);
      await expect(oracle.submitSignal(s, sigs))
        .to.be.revertedWithCustomError(oracle, "SignalFromFuture").withArgs(day, day * DAY, t - 1n + MAX_FUTURE_SKEW);
      await time.setNextBlockTimestamp(t);
      await expect(oracle.submitSignal(s, sigs)).to.emit(oracle, "SignalAccepted");
    });

    it("refuses an asset outside the universe, including one removed from it", async function () {
      const { oracle, signers, domain, assets, gov } = await loadFixture(oracleFixture);
      const c = await makeSignal(assets[2]!, OPP);
      await expect(oracle.submitSignal(c, await sign(signers.slice(0, 3), domain, c)))
        .to.be.revertedWithCustomError(oracle, "AssetNotInUniverse").withArgs(assets[2]!);
      await gov.exec(oracle, "updateUniverse", [[], [assets[0]!]]);
      const a = await makeSignal(assets[0]!, OPP);
      await expect(oracle.submitSignal(a, await sign(signers.slice(0, 3), domain, a)))
        .to.be.revertedWithCustomError(oracle, "AssetNotInUniverse").withArgs(assets[0]!);
    });

    it("refuses a zone other than 1 or 2", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      for (const zone of [0n, 3n, 255n]) {
        const s = await makeSignal(assets[0]!, OPP, { zone });
        await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s)))
          .to.be.revertedWithCustomError(oracle, "InvalidZone").withArgs(zone);
      }
    });

    it("refuses a zone that contradicts its numbers (ties included)", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const cases = [
        { zone: OPP, mvrv: 3n * WAD, threshold: 2n * WAD },
        { zone: OPP, mvrv: 2n * WAD, threshold: 2n * WAD },
        { zone: DNG, mvrv: WAD, threshold: 2n * WAD },
        { zone: DNG, mvrv: 2n * WAD, threshold: 2n * WAD },
      ];
      for (const over of cases) {
        const s = await makeSignal(assets[0]!, over.zone, over);
        await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s)))
          .to.be.revertedWithCustomError(oracle, "ZoneMismatch").withArgs(over.zone, over.mvrv, over.threshold);
      }
    });

    it("reverts as a whole ((asset, day) not used up) when the controller refuses the signal", async function () {
      const { oracle, controller, signers, domain, assets, gov } = await loadFixture(oracleFixture);
      await gov.exec(controller, "revokeRole", [await controller.SIGNAL_SOURCE_ROLE(), await oracle.getAddress()]);
      const s = await makeSignal(assets[0]!, OPP);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s)))
        .to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount")
        .withArgs(await oracle.getAddress(), await controller.SIGNAL_SOURCE_ROLE());
      expect(await oracle.isRelayed(s.asset, s.day)).to.equal(false);
    });

    it("end to end: an OPPORTUNITY then a DANGER, relayed and executed after the delay, add then remove the asset", async function () {
      const { oracle, controller, basket, signers, domain, assets, anyone } = await loadFixture(oracleFixture);
      const asset = assets[0]!;
      const opp = await makeSignal(asset, OPP);
      await oracle.submitSignal(opp, await sign(signers.slice(0, 3), domain, opp));
      await time.increaseTo((opp.day + 3n) * DAY);
      await expect(controller.connect(anyone).execute(asset)).to.emit(controller, "ActionExecuted").withArgs(asset, Kind.Add, opp.day, anyValue, anyone.address);
      expect(await controller.members()).to.deep.equal([asset]);

      const dng = await makeSignal(asset, DNG);
      await oracle.submitSignal(dng, await sign(signers.slice(0, 3), domain, dng));
      await time.increaseTo((dng.day + 3n) * DAY);
      await controller.connect(anyone).execute(asset);
      expect(await controller.members()).to.deep.equal([]);
      expect(await basket.callCount()).to.equal(2n);
    });
  });
});
