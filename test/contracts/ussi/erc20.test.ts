import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { USDC, WAD, deployVaultWithHolders, requestDeposit, requestRedeem, type Fixture } from "./fixture";

/**
 * The behaviours of OpenZeppelin's ERC20 and ERC20Permit test suites (`@openzeppelin/contracts`
 * 5.x: ERC20.behavior.js, ERC20.test.js, ERC20Permit.test.js) that matter to a holder, ported and
 * run against USSI in the states a holder reaches by ordinary use.
 */
async function withQueuedRequests(): Promise<Fixture> {
  const f = await deployVaultWithHolders();
  await requestRedeem(f, f.alice, 100n * WAD);
  await requestDeposit(f, f.alice, 50n * USDC);
  return f;
}

const states: [string, () => Promise<Fixture>][] = [
  ["after a settled deposit and claim", deployVaultWithHolders],
  ["with queued requests (a pending redemption and a pending deposit of the holder)", withQueuedRequests],
];

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** Signs a permit with the domain a wallet builds from EIP-5267 `eip712Domain()`. */
async function signPermit(
  f: Fixture,
  signer: HardhatEthersSigner,
  p: { owner: string; spender: string; value: bigint; nonce: bigint; deadline: bigint },
) {
  const [, name, version, chainId, verifyingContract] = await f.vault.eip712Domain();
  const sig = await signer.signTypedData({ name, version, chainId, verifyingContract }, PERMIT_TYPES, p);
  return ethers.Signature.from(sig);
}

for (const [state, setup] of states) {
  describe(`USSI as an ERC-20 ${state}`, function () {
    let f: Fixture;
    let balance: bigint;
    beforeEach(async function () {
      f = await loadFixture(setup);
      balance = await f.vault.balanceOf(f.alice.address);
      expect(balance).to.be.greaterThan(0n);
    });

    it("has name, symbol, 18 decimals, and a total supply equal to the sum of balances (vault escrow included)", async function () {
      expect(await f.vault.name()).to.equal("USSI Hedged MAG7");
      expect(await f.vault.symbol()).to.equal("USSI");
      expect(await f.vault.decimals()).to.equal(18n);
      let sum = 0n;
      for (const a of [f.alice, f.bob, f.carol, f.outsider]) sum += await f.vault.balanceOf(a.address);
      sum += await f.vault.balanceOf(await f.vault.getAddress());
      expect(await f.vault.totalSupply()).to.equal(sum);
    });

    describe("transfer", function () {
      it("moves the whole balance and emits Transfer", async function () {
        await expect(f.vault.connect(f.alice).transfer(f.outsider.address, balance))
          .to.emit(f.vault, "Transfer")
          .withArgs(f.alice.address, f.outsider.address, balance);
        expect(await f.vault.balanceOf(f.alice.address)).to.equal(0n);
        expect(await f.vault.balanceOf(f.outsider.address)).to.equal(balance);
      });
      it("reverts ERC20InsufficientBalance above the balance", async function () {
        await expect(f.vault.connect(f.alice).transfer(f.outsider.address, balance + 1n))
          .to.be.revertedWithCustomError(f.vault, "ERC20InsufficientBalance")
          .withArgs(f.alice.address, balance, balance + 1n);
      });
      it("transfers zero", async function () {
        await expect(f.vault.connect(f.alice).transfer(f.outsider.address, 0n)).to.emit(f.vault, "Transfer").withArgs(f.alice.address, f.outsider.address, 0n);
      });
      it("reverts ERC20InvalidReceiver to the zero address", async function () {
        await expect(f.vault.connect(f.alice).transfer(ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(f.vault, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
      });
    });

    describe("approve and allowance", function () {
      it("sets, replaces and emits Approval", async function () {
        await expect(f.vault.connect(f.alice).approve(f.carol.address, 5n)).to.emit(f.vault, "Approval").withArgs(f.alice.address, f.carol.address, 5n);
        await f.vault.connect(f.alice).approve(f.carol.address, 3n);
        expect(await f.vault.allowance(f.alice.address, f.carol.address)).to.equal(3n);
      });
      it("reverts ERC20InvalidSpender for the zero address", async function () {
        await expect(f.vault.connect(f.alice).approve(ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(f.vault, "ERC20InvalidSpender")
          .withArgs(ethers.ZeroAddress);
      });
    });

    describe("transferFrom", function () {
      it("spends the allowance, moves the tokens, emits Transfer", async function () {
        await f.vault.connect(f.alice).approve(f.carol.address, balance);
        await expect(f.vault.connect(f.carol).transferFrom(f.alice.address, f.outsider.address, balance))
          .to.emit(f.vault, "Transfer")
          .withArgs(f.alice.address, f.outsider.address, balance);
        expect(await f.vault.allowance(f.alice.address, f.carol.address)).to.equal(0n);
        expect(await f.vault.balanceOf(f.outsider.address)).to.equal(balance);
      });
      it("reverts ERC20InsufficientAllowance above the allowance", async function () {
        await f.vault.connect(f.alice).approve(f.carol.address, balance - 1n);
        await expect(f.vault.connect(f.carol).transferFrom(f.alice.address, f.outsider.address, balance))
          .to.be.revertedWithCustomError(f.vault, "ERC20InsufficientAllowance")
          .withArgs(f.carol.address, balance - 1n, balance);
      });
      it("reverts ERC20InsufficientBalance above the balance with enough allowance", async function () {
        await f.vault.connect(f.alice).approve(f.carol.address, balance + 1n);
        await expect(f.vault.connect(f.carol).transferFrom(f.alice.address, f.outsider.address, balance + 1n))
          .to.be.revertedWithCustomError(f.vault, "ERC20InsufficientBalance")
          .withArgs(f.alice.address, balance, balance + 1n);
      });
      it("does not decrease an infinite allowance", async function () {
        await f.vault.connect(f.alice).approve(f.carol.address, ethers.MaxUint256);
        await f.vault.connect(f.carol).transferFrom(f.alice.address, f.outsider.address, 1n);
        expect(await f.vault.allowance(f.alice.address, f.carol.address)).to.equal(ethers.MaxUint256);
      });
      it("reverts ERC20InvalidReceiver to the zero address", async function () {
        await f.vault.connect(f.alice).approve(f.carol.address, balance);
        await expect(f.vault.connect(f.carol).transferFrom(f.alice.address, ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(f.vault, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
      });
    });

    describe("permit (EIP-2612)", function () {
      it("eip712Domain() describes the permit domain: the token's name, version 1, this chain and token", async function () {
        const [fields, name, version, chainId, verifyingContract] = await f.vault.eip712Domain();
        expect([fields, name, version]).to.deep.equal(["0x0f", "USSI Hedged MAG7", "1"]);
        expect(chainId).to.equal((await ethers.provider.getNetwork()).chainId);
        expect(verifyingContract).to.equal(await f.vault.getAddress());
        const domain = ethers.TypedDataEncoder.hashDomain({ name, version, chainId, verifyingContract });
        expect(await f.vault.DOMAIN_SEPARATOR()).to.equal(domain);
        // The NAV reports keep their own domain, published separately.
        const [, navName] = await f.vault.navReportDomain();
        expect(navName).to.equal("USSI Vault");
      });
      it("accepts a valid permit, sets the allowance and increments the nonce", async function () {
        const deadline = BigInt(await time.latest()) + 3600n;
        const p = { owner: f.alice.address, spender: f.carol.address, value: balance, nonce: 0n, deadline };
        const sig = await signPermit(f, f.alice, p);
        await expect(f.vault.connect(f.outsider).permit(p.owner, p.spender, p.value, deadline, sig.v, sig.r, sig.s))
          .to.emit(f.vault, "Approval")
          .withArgs(f.alice.address, f.carol.address, balance);
        expect(await f.vault.nonces(f.alice.address)).to.equal(1n);
        await expect(f.vault.connect(f.carol).transferFrom(f.alice.address, f.carol.address, balance)).to.changeTokenBalance(f.vault, f.carol, balance);
      });
      it("rejects a replayed permit", async function () {
        const deadline = BigInt(await time.latest()) + 3600n;
        const p = { owner: f.alice.address, spender: f.carol.address, value: 1n, nonce: 0n, deadline };
        const sig = await signPermit(f, f.alice, p);
        await f.vault.permit(p.owner, p.spender, p.value, deadline, sig.v, sig.r, sig.s);
        await expect(f.vault.permit(p.owner, p.spender, p.value, deadline, sig.v, sig.r, sig.s)).to.be.revertedWithCustomError(
          f.vault,
          "ERC2612InvalidSigner",
        );
      });
      it("rejects a permit signed by someone else than the owner", async function () {
        const deadline = BigInt(await time.latest()) + 3600n;
        const p = { owner: f.alice.address, spender: f.carol.address, value: 1n, nonce: 0n, deadline };
        const sig = await signPermit(f, f.bob, p);
        await expect(f.vault.permit(p.owner, p.spender, p.value, deadline, sig.v, sig.r, sig.s))
          .to.be.revertedWithCustomError(f.vault, "ERC2612InvalidSigner")
          .withArgs(f.bob.address, f.alice.address);
      });
      it("rejects an expired permit", async function () {
        const deadline = BigInt(await time.latest()) - 1n;
        const p = { owner: f.alice.address, spender: f.carol.address, value: 1n, nonce: 0n, deadline };
        const sig = await signPermit(f, f.alice, p);
        await expect(f.vault.permit(p.owner, p.spender, p.value, deadline, sig.v, sig.r, sig.s))
          .to.be.revertedWithCustomError(f.vault, "ERC2612ExpiredSignature")
          .withArgs(deadline);
      });
    });
  });
}
