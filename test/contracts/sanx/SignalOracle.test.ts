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
import { quorumDomain } from "../../../tasks/lib/quorum";
import { DAY, DNG, Kind, MAX_FUTURE_SKEW, MAX_VALIDITY, OPP, WAD, makeSignal, oracleFixture, sign } from "./fixtures";

describe("SignalOracle", function () {
  describe("#hashSignal / EIP-712 types", function () {
    it("matches the typehash, struct hash and digest computed from src/sanx/signalReport", async function () {
      const { oracle, assets, domain } = await loadFixture(oracleFixture);
      expect(domain.name).to.equal(SIGNAL_DOMAIN_NAME);
      expect(domain.version).to.equal(SIGNAL_DOMAIN_VERSION);
      const enc = TypedDataEncoder.from(SIGNAL_EIP712_TYPES);
      expect(enc.primaryType).to.equal(SIGNAL_PRIMARY_TYPE);
      expect(await oracle.SIGNAL_TYPEHASH()).to.equal(ethers.id(enc.encodeType(SIGNAL_PRIMARY_TYPE)));
      const s = await makeSignal(assets[0]!, DNG, 7n, { mvrv: 123456789n * WAD, threshold: 3n, expiresAt: 2n ** 64n - 1n });
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
      const s = await makeSignal(assets[0]!, OPP, 1n);
      const sigs = await sign(signers.slice(1), domain, s);
      await expect(oracle.connect(relayer).submitSignal(s, sigs))
        .to.emit(oracle, "SignalAccepted")
        .withArgs(s.asset, s.round, s.zone, s.day, s.mvrv, s.threshold, s.expiresAt, relayer.address)
        .and.to.emit(controller, "ActionScheduled")
        .withArgs(s.asset, Kind.Add, s.day, (s.day + 3n) * DAY);
      expect(await oracle.lastSignal(s.asset)).to.deep.equal([s.round, s.day]);
      expect(await controller.pending(s.asset)).to.deep.equal([Kind.Add, (s.day + 3n) * DAY, s.day]);
    });

    it("accepts all four signatures too", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP, 1n);
      await expect(oracle.submitSignal(s, await sign(signers, domain, s))).to.emit(oracle, "SignalAccepted");
    });

    it("reverts when fewer than the quorum signed", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP, 1n);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 2), domain, s)))
        .to.be.revertedWithCustomError(oracle, "QuorumNotMet").withArgs(2, 3);
      await expect(oracle.submitSignal(s, [])).to.be.revertedWithCustomError(oracle, "QuorumNotMet").withArgs(0, 3);
    });

    it("reverts on a signature from outside the signer set", async function () {
      const { oracle, signers, outsider, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP, 1n);
      await expect(oracle.submitSignal(s, await sign([...signers.slice(0, 2), outsider], domain, s)))
        .to.be.revertedWithCustomError(oracle, "UnknownSigner").withArgs(outsider.address);
    });

    it("reverts when one signer's signature is repeated or the order is not ascending", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP, 1n);
      const sigs = await sign(signers.slice(0, 3), domain, s);
      await expect(oracle.submitSignal(s, [sigs[0]!, sigs[0]!, sigs[1]!])).to.be.revertedWithCustomError(oracle, "SignersNotAscending");
      await expect(oracle.submitSignal(s, [sigs[2]!, sigs[1]!, sigs[0]!])).to.be.revertedWithCustomError(oracle, "SignersNotAscending");
    });

    it("reverts when any signed field is altered after signing", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, DNG, 5n);
      const sigs = await sign(signers.slice(0, 3), domain, s);
      const alterations = [
        { asset: assets[1]! },
        { zone: OPP, mvrv: WAD / 2n },
        { day: s.day - 1n },
        { round: 6n },
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
      const s = await makeSignal(assets[0]!, OPP, 1n);
      const sigs = await sign(signers.slice(0, 3), await quorumDomain(twin), s);
      await expect(oracle.submitSignal(s, sigs)).to.be.revertedWithCustomError(oracle, "UnknownSigner");
    });

    it("refuses a replay of the same round and any lower round, per asset", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s5 = await makeSignal(assets[0]!, OPP, 5n);
      const sigs5 = await sign(signers.slice(0, 3), domain, s5);
      await oracle.submitSignal(s5, sigs5);
      await expect(oracle.submitSignal(s5, sigs5)).to.be.revertedWithCustomError(oracle, "StaleRound").withArgs(s5.asset, 5n, 5n);
      const s4 = await makeSignal(assets[0]!, DNG, 4n);
      await expect(oracle.submitSignal(s4, await sign(signers.slice(0, 3), domain, s4)))
        .to.be.revertedWithCustomError(oracle, "StaleRound").withArgs(s4.asset, 4n, 5n);
      // Rounds are per asset: round 1 of another asset is fresh.
      const b1 = await makeSignal(assets[1]!, OPP, 1n);
      await expect(oracle.submitSignal(b1, await sign(signers.slice(0, 3), domain, b1))).to.emit(oracle, "SignalAccepted");
      // A higher round of the first asset still passes.
      const s6 = await makeSignal(assets[0]!, DNG, 6n);
      await expect(oracle.submitSignal(s6, await sign(signers.slice(0, 3), domain, s6))).to.emit(oracle, "SignalAccepted");
    });

    it("refuses a signal dated before the asset's last accepted day, accepts the same day", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const first = await makeSignal(assets[0]!, OPP, 1n);
      await oracle.submitSignal(first, await sign(signers.slice(0, 3), domain, first));
      const older = await makeSignal(assets[0]!, DNG, 2n, { day: first.day - 1n });
      await expect(oracle.submitSignal(older, await sign(signers.slice(0, 3), domain, older)))
        .to.be.revertedWithCustomError(oracle, "DayRegressed").withArgs(older.asset, older.day, first.day);
      const sameDay = await makeSignal(assets[0]!, DNG, 2n, { day: first.day });
      await expect(oracle.submitSignal(sameDay, await sign(signers.slice(0, 3), domain, sameDay))).to.emit(oracle, "SignalAccepted");
    });

    it("does not consume a round when the submission fails", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const s = await makeSignal(assets[0]!, OPP, 1n);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 2), domain, s))).to.be.reverted;
      expect(await oracle.lastSignal(s.asset)).to.deep.equal([0n, 0n]);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s))).to.emit(oracle, "SignalAccepted");
    });

    it("accepts up to the second of expiry and refuses one second later", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const t = BigInt(await time.latest()) + 100n;
      const a = await makeSignal(assets[0]!, OPP, 1n, { expiresAt: t });
      const b = await makeSignal(assets[1]!, OPP, 1n, { expiresAt: t });
      const sa = await sign(signers.slice(0, 3), domain, a);
      const sb = await sign(signers.slice(0, 3), domain, b);
      await time.setNextBlockTimestamp(t);
      await expect(oracle.submitSignal(a, sa)).to.emit(oracle, "SignalAccepted");
      await expect(oracle.submitSignal(b, sb)).to.be.revertedWithCustomError(oracle, "SignalExpired").withArgs(t, t + 1n);
    });

    it("refuses an expiry beyond now + maxValidity and accepts it exactly at the bound", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const t = BigInt(await time.latest()) + 100n;
      const far = await makeSignal(assets[0]!, OPP, 1n, { expiresAt: t + MAX_VALIDITY + 1n });
      await time.setNextBlockTimestamp(t);
      await expect(oracle.submitSignal(far, await sign(signers.slice(0, 3), domain, far)))
        .to.be.revertedWithCustomError(oracle, "ExpiryTooFar").withArgs(far.expiresAt, t + MAX_VALIDITY);
      const edge = await makeSignal(assets[0]!, OPP, 1n, { expiresAt: t + 1n + MAX_VALIDITY });
      const sigs = await sign(signers.slice(0, 3), domain, edge);
      await time.setNextBlockTimestamp(t + 1n);
      await expect(oracle.submitSignal(edge, sigs)).to.emit(oracle, "SignalAccepted");
    });

    it("refuses a day that starts after now + maxFutureSkew and accepts one that starts exactly then", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      const day = BigInt(await time.latest()) / DAY + 2n;
      const t = day * DAY - MAX_FUTURE_SKEW; // {s} the first second at which `day` is allowed
      await time.increaseTo(t - 10n);
      const s = await makeSignal(assets[0]!, OPP, 1n, { day, expiresAt: t + 3600n });
      const sigs = await sign(signers.slice(0, 3), domain, s);
      await time.setNextBlockTimestamp(t - 1n);
      await expect(oracle.submitSignal(s, sigs))
        .to.be.revertedWithCustomError(oracle, "SignalFromFuture").withArgs(day, day * DAY, t - 1n + MAX_FUTURE_SKEW);
      await time.setNextBlockTimestamp(t);
      await expect(oracle.submitSignal(s, sigs)).to.emit(oracle, "SignalAccepted");
    });

    it("refuses an asset outside the universe, including one removed from it", async function () {
      const { oracle, signers, domain, assets, gov } = await loadFixture(oracleFixture);
      const c = await makeSignal(assets[2]!, OPP, 1n);
      await expect(oracle.submitSignal(c, await sign(signers.slice(0, 3), domain, c)))
        .to.be.revertedWithCustomError(oracle, "AssetNotInUniverse").withArgs(assets[2]!);
      await gov.exec(oracle, "updateUniverse", [[], [assets[0]!]]);
      const a = await makeSignal(assets[0]!, OPP, 1n);
      await expect(oracle.submitSignal(a, await sign(signers.slice(0, 3), domain, a)))
        .to.be.revertedWithCustomError(oracle, "AssetNotInUniverse").withArgs(assets[0]!);
    });

    it("refuses a zone other than 1 or 2", async function () {
      const { oracle, signers, domain, assets } = await loadFixture(oracleFixture);
      for (const zone of [0n, 3n, 255n]) {
        const s = await makeSignal(assets[0]!, OPP, 1n, { zone });
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
        const s = await makeSignal(assets[0]!, over.zone, 1n, over);
        await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s)))
          .to.be.revertedWithCustomError(oracle, "ZoneMismatch").withArgs(over.zone, over.mvrv, over.threshold);
      }
    });

    it("reverts as a whole (round not consumed) when the controller refuses the signal", async function () {
      const { oracle, controller, signers, domain, assets, gov } = await loadFixture(oracleFixture);
      await gov.exec(controller, "revokeRole", [await controller.SIGNAL_SOURCE_ROLE(), await oracle.getAddress()]);
      const s = await makeSignal(assets[0]!, OPP, 1n);
      await expect(oracle.submitSignal(s, await sign(signers.slice(0, 3), domain, s)))
        .to.be.revertedWithCustomError(controller, "AccessControlUnauthorizedAccount")
        .withArgs(await oracle.getAddress(), await controller.SIGNAL_SOURCE_ROLE());
      expect(await oracle.lastSignal(s.asset)).to.deep.equal([0n, 0n]);
    });

    it("end to end: an OPPORTUNITY then a DANGER, relayed and executed after the delay, add then remove the asset", async function () {
      const { oracle, controller, basket, signers, domain, assets, anyone } = await loadFixture(oracleFixture);
      const asset = assets[0]!;
      const opp = await makeSignal(asset, OPP, 1n);
      await oracle.submitSignal(opp, await sign(signers.slice(0, 3), domain, opp));
      await time.increaseTo((opp.day + 3n) * DAY);
      await expect(controller.connect(anyone).execute(asset)).to.emit(controller, "ActionExecuted").withArgs(asset, Kind.Add, opp.day, anyValue, anyone.address);
      expect(await controller.members()).to.deep.equal([asset]);

      const dng = await makeSignal(asset, DNG, 2n);
      await oracle.submitSignal(dng, await sign(signers.slice(0, 3), domain, dng));
      await time.increaseTo((dng.day + 3n) * DAY);
      await controller.connect(anyone).execute(asset);
      expect(await controller.members()).to.deep.equal([]);
      expect(await basket.callCount()).to.equal(2n);
    });
  });
});
