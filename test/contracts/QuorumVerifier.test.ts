import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Signature, type Signer } from "ethers";
import { signQuorum, quorumDomain } from "../../chain/quorum";
import type { QuorumVerifierHarness } from "../../typechain-types";

const PING = { Ping: [{ name: "value", type: "uint256" }] };
/** secp256k1 group order: s and n - s are both valid ECDSA solutions. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function sign(harness: QuorumVerifierHarness, signers: Signer[], value: bigint) {
  return signQuorum(signers, await quorumDomain(harness), PING, { value });
}

/** Signatures in the order given (not sorted), for tests of the ordering rule. */
async function signInOrder(harness: QuorumVerifierHarness, signers: Signer[], value: bigint) {
  const domain = await quorumDomain(harness);
  return Promise.all(signers.map((s) => s.signTypedData(domain, PING, { value })));
}

function byAddress(signers: Signer[] & { address?: string }[]) {
  return [...signers].sort((a, b) => (BigInt((a as unknown as { address: string }).address) < BigInt((b as unknown as { address: string }).address) ? -1 : 1));
}

describe("QuorumVerifier", () => {
  async function fixture() {
    const [admin, s1, s2, s3, s4, outsider] = await ethers.getSigners();
    const harness = await ethers.deployContract("QuorumVerifierHarness", [admin!.address, [s1!.address, s2!.address, s3!.address], 2]);
    return { harness, admin: admin!, signers: [s1!, s2!, s3!], s4: s4!, outsider: outsider! };
  }

  describe("#constructor", () => {
    it("reverts when the quorum is zero or above the signer count", async () => {
      const [admin, s1, s2] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("QuorumVerifierHarness");
      await expect(factory.deploy(admin!.address, [s1!.address, s2!.address], 0))
        .to.be.revertedWithCustomError(factory, "InvalidQuorum")
        .withArgs(0, 2);
      await expect(factory.deploy(admin!.address, [s1!.address, s2!.address], 3))
        .to.be.revertedWithCustomError(factory, "InvalidQuorum")
        .withArgs(3, 2);
    });

    it("reverts when a signer is listed twice or is the zero address", async () => {
      const [admin, s1] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("QuorumVerifierHarness");
      await expect(factory.deploy(admin!.address, [s1!.address, s1!.address], 1))
        .to.be.revertedWithCustomError(factory, "InvalidSignerUpdate")
        .withArgs(s1!.address);
      await expect(factory.deploy(admin!.address, [ethers.ZeroAddress], 1))
        .to.be.revertedWithCustomError(factory, "InvalidSignerUpdate")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("#_verifyQuorum", () => {
    it("accepts exactly the quorum of distinct known signers", async () => {
      const { harness, signers } = await loadFixture(fixture);
      expect(await harness.verify(7n, await sign(harness, [signers[0]!, signers[2]!], 7n))).to.equal(true);
    });

    it("accepts more valid signatures than the quorum", async () => {
      const { harness, signers } = await loadFixture(fixture);
      expect(await harness.verify(7n, await sign(harness, signers, 7n))).to.equal(true);
    });

    it("reverts with QuorumNotMet when fewer signatures than the quorum are given", async () => {
      const { harness, signers } = await loadFixture(fixture);
      await expect(harness.verify(7n, await sign(harness, [signers[1]!], 7n)))
        .to.be.revertedWithCustomError(harness, "QuorumNotMet")
        .withArgs(1, 2);
      await expect(harness.verify(7n, [])).to.be.revertedWithCustomError(harness, "QuorumNotMet").withArgs(0, 2);
    });

    it("reverts with UnknownSigner when a signature comes from outside the set", async () => {
      const { harness, signers, outsider } = await loadFixture(fixture);
      const sigs = await sign(harness, [signers[0]!, outsider], 7n);
      await expect(harness.verify(7n, sigs)).to.be.revertedWithCustomError(harness, "UnknownSigner").withArgs(outsider.address);
    });

    it("reverts with UnknownSigner when the signed value differs from the checked one", async () => {
      const { harness, signers } = await loadFixture(fixture);
      const sigs = await sign(harness, [signers[0]!, signers[1]!], 7n);
      await expect(harness.verify(8n, sigs)).to.be.revertedWithCustomError(harness, "UnknownSigner");
    });

    it("reverts with SignersNotAscending when one signer signs twice", async () => {
      const { harness, signers } = await loadFixture(fixture);
      const [sig] = await signInOrder(harness, [signers[0]!], 7n);
      await expect(harness.verify(7n, [sig!, sig!]))
        .to.be.revertedWithCustomError(harness, "SignersNotAscending")
        .withArgs(signers[0]!.address, signers[0]!.address);
    });

    it("reverts with SignersNotAscending when signatures are not in ascending signer order", async () => {
      const { harness, signers } = await loadFixture(fixture);
      const sorted = byAddress([signers[0]!, signers[1]!] as never);
      const sigs = await signInOrder(harness, [...sorted].reverse() as never, 7n);
      await expect(harness.verify(7n, sigs)).to.be.revertedWithCustomError(harness, "SignersNotAscending");
    });

    it("reverts on a malleable (high-s) twin of a valid signature", async () => {
      const { harness, signers } = await loadFixture(fixture);
      const sigs = await sign(harness, [signers[0]!, signers[1]!], 7n);
      const sig = Signature.from(sigs[0]!);
      const highS = "0x" + (SECP256K1_N - BigInt(sig.s)).toString(16).padStart(64, "0");
      const twin = ethers.concat([sig.r, highS, sig.v === 27 ? "0x1c" : "0x1b"]);
      await expect(harness.verify(7n, [twin, sigs[1]!]))
        .to.be.revertedWithCustomError(harness, "ECDSAInvalidSignatureS")
        .withArgs(highS);
    });

    it("reverts on a signature of the wrong length", async () => {
      const { harness, signers } = await loadFixture(fixture);
      const sigs = await sign(harness, [signers[0]!, signers[1]!], 7n);
      await expect(harness.verify(7n, [sigs[0]!.slice(0, 130), sigs[1]!]))
        .to.be.revertedWithCustomError(harness, "ECDSAInvalidSignatureLength")
        .withArgs(64);
    });

    it("reverts with UnknownSigner for signatures made for another deployment (EIP-712 domain)", async () => {
      const { harness, admin, signers } = await loadFixture(fixture);
      const other = await ethers.deployContract("QuorumVerifierHarness", [admin.address, signers.map((s) => s.address), 2]);
      const sigs = await sign(other, [signers[0]!, signers[1]!], 7n);
      expect(await other.verify(7n, sigs)).to.equal(true);
      await expect(harness.verify(7n, sigs)).to.be.revertedWithCustomError(harness, "UnknownSigner");
    });
  });

  describe("#updateSigners", () => {
    it("adds and removes signers, sets the quorum and emits events", async () => {
      const { harness, signers, s4 } = await loadFixture(fixture);
      await expect(harness.updateSigners([s4.address], [signers[0]!.address], 3))
        .to.emit(harness, "SignerUpdated")
        .withArgs(signers[0]!.address, false)
        .and.to.emit(harness, "SignerUpdated")
        .withArgs(s4.address, true)
        .and.to.emit(harness, "QuorumUpdated")
        .withArgs(3);
      expect(await harness.isSigner(signers[0]!.address)).to.equal(false);
      expect(await harness.isSigner(s4.address)).to.equal(true);
      expect(await harness.signerCount()).to.equal(3n);
      expect(await harness.quorum()).to.equal(3n);
    });

    it("rejects a removed signer's signature and requires the new quorum", async () => {
      const { harness, signers, s4 } = await loadFixture(fixture);
      await harness.updateSigners([s4.address], [signers[0]!.address], 3);
      await expect(harness.verify(1n, await sign(harness, [signers[0]!, signers[1]!, s4], 1n)))
        .to.be.revertedWithCustomError(harness, "UnknownSigner")
        .withArgs(signers[0]!.address);
      await expect(harness.verify(1n, await sign(harness, [signers[1]!, s4], 1n)))
        .to.be.revertedWithCustomError(harness, "QuorumNotMet")
        .withArgs(2, 3);
      expect(await harness.verify(1n, await sign(harness, [signers[1]!, signers[2]!, s4], 1n))).to.equal(true);
    });

    it("reverts with InvalidQuorum when the quorum is zero or exceeds the resulting set", async () => {
      const { harness, signers } = await loadFixture(fixture);
      await expect(harness.updateSigners([], [], 0)).to.be.revertedWithCustomError(harness, "InvalidQuorum").withArgs(0, 3);
      await expect(harness.updateSigners([], [signers[0]!.address], 3))
        .to.be.revertedWithCustomError(harness, "InvalidQuorum")
        .withArgs(3, 2);
    });

    it("reverts with InvalidSignerUpdate for the zero address, a duplicate add or an absent removal", async () => {
      const { harness, signers, outsider } = await loadFixture(fixture);
      await expect(harness.updateSigners([ethers.ZeroAddress], [], 2)).to.be.revertedWithCustomError(harness, "InvalidSignerUpdate");
      await expect(harness.updateSigners([signers[0]!.address], [], 2))
        .to.be.revertedWithCustomError(harness, "InvalidSignerUpdate")
        .withArgs(signers[0]!.address);
      await expect(harness.updateSigners([], [outsider.address], 2))
        .to.be.revertedWithCustomError(harness, "InvalidSignerUpdate")
        .withArgs(outsider.address);
    });

    it("reverts for anyone but the admin", async () => {
      const { harness, outsider } = await loadFixture(fixture);
      await expect(harness.connect(outsider).updateSigners([outsider.address], [], 2))
        .to.be.revertedWithCustomError(harness, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.ZeroHash);
    });
  });
});
