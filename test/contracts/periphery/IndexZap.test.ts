import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { amountForUsd, encodePath, sqrtPriceX96, FEE_TOKEN_HUB, uniswapContracts } from "../../../chain/market";
import { WAD } from "../../fixtures/contracts";
import { IERC20__factory } from "../../../typechain-types";
import { checkAgainstNav } from "../../../src/zap";
import { NATIVE } from "../../../chain/zap";
import { deadlineIn, expectZapEmpty, signPermit, zapFixture, type ZapFx } from "./fixture";

const SHARES = 10n * WAD; // $1,000 at NAV0 $100

async function mintParams(fx: ZapFx, payToken: string, opts: { shares?: bigint; bound?: bigint; native?: boolean; slippage?: number } = {}) {
  const shares = opts.shares ?? SHARES;
  const q = await fx.quote("mint", shares, payToken, opts.slippage ?? 50, opts.native ?? false);
  return {
    q,
    p: {
      vault: fx.vaultAddress, shares, receiver: fx.alice.address, tokenIn: opts.native ? NATIVE : payToken,
      maxAmountIn: opts.bound ?? q.bound, deadline: await deadlineIn(), routes: [...q.routes],
    },
  };
}

async function redeemParams(fx: ZapFx, payToken: string, opts: { shares?: bigint; bound?: bigint; native?: boolean } = {}) {
  const shares = opts.shares ?? SHARES;
  const q = await fx.quote("redeem", shares, payToken, 50, opts.native ?? false);
  return {
    q,
    p: {
      vault: fx.vaultAddress, shares, receiver: fx.alice.address, tokenOut: opts.native ? NATIVE : payToken,
      minAmountOut: opts.bound ?? q.bound, deadline: await deadlineIn(), routes: [...q.routes],
    },
  };
}

/**
 * Every leg of an ETH zap crosses the one WETH9/USDC pool, which QuoterV2 quotes leg by leg from the same
 * state: the sum of the legs is then slightly optimistic (each leg moves the shared pool for the next), by
 * far less than the 50 bps bound at these sizes. Mint pays at least the quote, redeem gets at most it.
 */
function expectNearQuote(actual: bigint, quoted: bigint, side: "mint" | "redeem") {
  if (side === "mint") expect(actual).to.be.gte(quoted);
  else expect(actual).to.be.lte(quoted);
  const diff = actual > quoted ? actual - quoted : quoted - actual;
  expect(diff * 10_000n, "within 10 bps of the quote").to.be.lte(quoted * 10n);
}

/** Alice mints SHARES with USDC through the zap (so she has shares to redeem). */
async function aliceHoldsShares(fx: ZapFx) {
  const { p } = await mintParams(fx, fx.addr("USDC"));
  await fx.zap.connect(fx.alice).mint(p);
  await fx.vault.connect(fx.alice).approve(fx.zap, ethers.MaxUint256);
}

describe("IndexZap", function () {
  describe("#constructor", function () {
    it("reverts ZeroAddress for a zero router or WETH9", async function () {
      const f = await ethers.getContractFactory("IndexZap");
      await expect(f.deploy(ethers.ZeroAddress, 0, ethers.Wallet.createRandom().address)).to.be.revertedWithCustomError(f, "ZeroAddress").withArgs("router");
      await expect(f.deploy(ethers.Wallet.createRandom().address, 0, ethers.ZeroAddress)).to.be.revertedWithCustomError(f, "ZeroAddress").withArgs("weth");
    });
  });

  describe("#mint", function () {
    it("mints exactly the shares paying USDC, buys every constituent's previewMint amount (8, 18, 18 decimals; USDC in kind) and refunds every unspent unit", async function () {
      const fx = await loadFixture(zapFixture);
      const { vault, alice, zap, addr, token } = fx;
      const { q, p } = await mintParams(fx, addr("USDC"));
      expect(q.bound).to.be.gt(q.amount);
      // The USDC constituent is paid in kind: its route is empty and its pay amount is its own amount.
      const usdcLeg = q.legs.find((l) => l.symbol === "USDC")!;
      expect(usdcLeg.route).to.equal(undefined);
      expect(usdcLeg.payAmount).to.equal(usdcLeg.amount);
      const [tokens, need] = await vault.previewMint(SHARES);
      const vaultBefore = await Promise.all(tokens.map((t) => IERC20__factory.connect(t, fx.admin).balanceOf(vault)));
      const usdcBefore = await token("USDC").balanceOf(alice);
      const spent = await zap.connect(alice).mint.staticCall(p);
      await expect(zap.connect(alice).mint(p)).to.emit(zap, "ZapMint").withArgs(fx.vaultAddress, alice.address, alice.address, addr("USDC"), SHARES, spent);
      expect(await vault.balanceOf(alice)).to.equal(SHARES);
      // Same state as the quote: the spend is the quote to the unit, and the bound's slack came back.
      expect(spent).to.equal(q.amount);
      expect(usdcBefore - (await token("USDC").balanceOf(alice))).to.equal(spent);
      for (let i = 0; i < tokens.length; i++) {
        expect((await IERC20__factory.connect(tokens[i]!, fx.admin).balanceOf(vault)) - vaultBefore[i]!, `vault gained ${tokens[i]}`).to.equal(need[i]);
      }
      await expectZapEmpty(fx);
    });

    it("mints with a constituent equal to the input token (WETH pays the WETH leg in kind) over 8- and 6-decimal routes", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, addr, token, vault } = fx;
      await token("WETH").mint(alice, 10n * WAD);
      await token("WETH").connect(alice).approve(zap, ethers.MaxUint256);
      const { q, p } = await mintParams(fx, addr("WETH"));
      expect(q.legs.find((l) => l.symbol === "WETH")!.route).to.equal(undefined);
      const before = await token("WETH").balanceOf(alice);
      await zap.connect(alice).mint(p);
      expect(await vault.balanceOf(alice)).to.equal(SHARES);
      expect(before - (await token("WETH").balanceOf(alice))).to.equal(q.amount);
      await expectZapEmpty(fx);
    });

    it("enforces maxAmountIn: one unit under the need reverts AmountInAboveMax (in-kind leg) or SwapAboveBudget (a swapped leg)", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, addr, token } = fx;
      const { q, p } = await mintParams(fx, addr("USDC"));
      await expect(zap.connect(alice).mint({ ...p, maxAmountIn: q.amount - 1n }))
        .to.be.revertedWithCustomError(zap, "AmountInAboveMax").withArgs(addr("USDC"), q.amount, q.amount - 1n);
      // Paying WETH every other leg is swapped: the last swap finds one unit too little left.
      await token("WETH").mint(alice, 10n * WAD);
      await token("WETH").connect(alice).approve(zap, ethers.MaxUint256);
      const w = await mintParams(fx, addr("WETH"));
      const wethLeg = w.q.legs.find((l) => l.symbol === "WETH")!.amount;
      const budget = w.q.amount - wethLeg - 1n;
      // Which swap runs short depends on the routes (legs may share a hub pool); each names the budget it had.
      await expect(zap.connect(alice).mint({ ...w.p, maxAmountIn: budget })).to.be.revertedWithCustomError(zap, "SwapAboveBudget").withArgs(anyUint, addr("WETH"), anyUint);
      await zap.connect(alice).mint({ ...w.p, maxAmountIn: w.q.amount }); // exactly the need passes, refund 0
      await expectZapEmpty(fx);
    });

    it("reverts DeadlineExpired after the deadline", async function () {
      const fx = await loadFixture(zapFixture);
      const { p } = await mintParams(fx, fx.addr("USDC"));
      const deadline = BigInt(await time.latest());
      await time.increase(1);
      await expect(fx.zap.connect(fx.alice).mint({ ...p, deadline }))
        .to.be.revertedWithCustomError(fx.zap, "DeadlineExpired").withArgs(deadline, deadline + 2n);
    });

    it("reverts when a sandwich moves a pool against the user beyond the bound, and the NAV check refuses the moved quote", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, attacker, zap, addr, token, market } = fx;
      const { p } = await mintParams(fx, addr("USDC"));
      // Front-run: buy cbBTC with $5M USDC on every cbBTC pool the routes use (the pool the zap buys from).
      const { router } = uniswapContracts(market, attacker);
      await token("USDC").mint(attacker, 10_000_000n * 10n ** 6n);
      await token("USDC").connect(attacker).approve(router, ethers.MaxUint256);
      await router.exactInput({ path: encodePath([addr("USDC"), addr("cbBTC")], [FEE_TOKEN_HUB]), recipient: attacker.address, deadline: 2n ** 48n, amountIn: 5_000_000n * 10n ** 6n, amountOutMinimum: 0n });
      await expect(zap.connect(alice).mint(p)).to.be.revertedWithCustomError(zap, "AmountInAboveMax");
      // The quote routes around one moved pool (cbBTC through WETH); move that one too, and the fresh quote sits
      // far above NAV: the tasks refuse it before sending.
      await token("WETH").mint(attacker, 2_000n * WAD);
      await token("WETH").connect(attacker).approve(router, ethers.MaxUint256);
      await router.exactInput({ path: encodePath([addr("WETH"), addr("cbBTC")], [FEE_TOKEN_HUB]), recipient: attacker.address, deadline: 2n ** 48n, amountIn: 1_500n * WAD, amountOutMinimum: 0n });
      const moved = await fx.quote("mint", SHARES, addr("USDC"));
      expect(moved.costBps).to.be.gt(200);
      expect(() => checkAgainstNav(moved, 200)).to.throw(/worse than the oracle NAV/);
      await expectZapEmpty(fx);
    });

    it("pays with native ETH through WETH9, refunds the unspent ETH, and rejects a wrong msg.value", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, w9, vault } = fx;
      const { q, p } = await mintParams(fx, w9, { native: true });
      expect(q.routes.every((r) => r.toLowerCase().endsWith(w9.slice(2).toLowerCase()))).to.equal(true);
      await expect(zap.connect(alice).mint(p, { value: q.bound - 1n })).to.be.revertedWithCustomError(zap, "WrongValue").withArgs(q.bound - 1n, q.bound);
      await expect(zap.connect(alice).mint({ ...p, tokenIn: fx.addr("USDC") }, { value: 1n })).to.be.revertedWithCustomError(zap, "WrongValue").withArgs(1n, 0n);
      const before = await ethers.provider.getBalance(alice);
      const spent = await zap.connect(alice).mint.staticCall(p, { value: q.bound });
      const receipt = (await (await zap.connect(alice).mint(p, { value: q.bound })).wait())!;
      const paid = before - (await ethers.provider.getBalance(alice)) - receipt.gasUsed * receipt.gasPrice;
      expect(paid).to.equal(spent);
      expectNearQuote(spent, q.amount, "mint");
      expect(paid).to.be.lt(q.bound);
      expect(await vault.balanceOf(alice)).to.equal(SHARES);
      await expectZapEmpty(fx);
    });

    it("refuses with VaultPaused while the guardian's pause is on", async function () {
      const fx = await loadFixture(zapFixture);
      const { p } = await mintParams(fx, fx.addr("USDC"));
      await fx.vault.connect(fx.guardian).pause();
      await expect(fx.zap.connect(fx.alice).mint(p)).to.be.revertedWithCustomError(fx.zap, "VaultPaused").withArgs(fx.vaultAddress);
    });

    it("works while a rebalance window is open (amounts follow balances)", async function () {
      const fx = await loadFixture(zapFixture);
      await fx.gov.exec(fx.vault, "grantRole", [ethers.id("REBALANCER_ROLE"), fx.admin.address]);
      const [held] = await fx.vault.basket();
      await fx.vault.beginRebalance([...held]);
      expect(await fx.vault.rebalancing()).to.equal(true);
      const { q, p } = await mintParams(fx, fx.addr("USDC"));
      await fx.zap.connect(fx.alice).mint(p);
      expect(await fx.vault.balanceOf(fx.alice)).to.equal(SHARES);
      const r = await redeemParams(fx, fx.addr("USDC"));
      await fx.vault.connect(fx.alice).approve(fx.zap, SHARES);
      const out = await fx.zap.connect(fx.alice).redeem.staticCall(r.p);
      await fx.zap.connect(fx.alice).redeem(r.p);
      expect(out).to.equal(r.q.amount);
      expect(out).to.be.lt(q.amount); // the round trip costs the pools' fees
      await expectZapEmpty(fx);
    });

    it("mints with an EIP-2612 permit on the input token, and with one a watcher already used", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, weth9, w9 } = fx;
      await weth9.connect(alice).deposit({ value: 10n * WAD });
      const { q, p } = await mintParams(fx, w9);
      expect(await weth9.allowance(alice, zap)).to.equal(0n);
      const permit = await signPermit(w9, alice, await zap.getAddress(), q.bound, await deadlineIn());
      const before = await weth9.balanceOf(alice);
      const spent = await zap.connect(alice).mintWithPermit.staticCall(p, permit);
      await zap.connect(alice).mintWithPermit(p, permit);
      expect(before - (await weth9.balanceOf(alice))).to.equal(spent);
      expectNearQuote(spent, q.amount, "mint");
      expect(await fx.vault.balanceOf(alice)).to.equal(SHARES);
      // A permit front-run by a watcher (already consumed): the call still goes through on the allowance.
      const second = await mintParams(fx, w9);
      const permit2 = await signPermit(w9, alice, await zap.getAddress(), second.q.bound, await deadlineIn());
      await weth9.connect(fx.attacker).permit(alice.address, zap, permit2.value, permit2.deadline, permit2.v, permit2.r, permit2.s);
      await zap.connect(alice).mintWithPermit(second.p, permit2);
      expect(await fx.vault.balanceOf(alice)).to.equal(2n * SHARES);
      await expectZapEmpty(fx);
    });

    it("validates every route: length, ends (constituent ... payment token) and the empty in-kind route", async function () {
      const fx = await loadFixture(zapFixture);
      const { zap, alice, addr } = fx;
      const { p } = await mintParams(fx, addr("USDC"));
      const [tokens] = await fx.vault.previewMint(SHARES);
      const iBtc = tokens.findIndex((t) => t === addr("cbBTC"));
      const iUsdc = tokens.findIndex((t) => t === addr("USDC"));
      await expect(zap.connect(alice).mint({ ...p, routes: p.routes.slice(1) })).to.be.revertedWithCustomError(zap, "RoutesLengthMismatch").withArgs(3, 4);
      const bad = [...p.routes];
      bad[iBtc] = encodePath([addr("LINK"), addr("USDC")], [FEE_TOKEN_HUB]); // buys LINK, not cbBTC
      await expect(zap.connect(alice).mint({ ...p, routes: bad }))
        .to.be.revertedWithCustomError(zap, "RouteMismatch").withArgs(iBtc, addr("cbBTC"), addr("USDC"), addr("LINK"), addr("USDC"));
      const wrongPay = [...p.routes];
      wrongPay[iBtc] = encodePath([addr("cbBTC"), addr("WETH")], [FEE_TOKEN_HUB]); // would spend WETH
      await expect(zap.connect(alice).mint({ ...p, routes: wrongPay }))
        .to.be.revertedWithCustomError(zap, "RouteMismatch").withArgs(iBtc, addr("cbBTC"), addr("USDC"), addr("cbBTC"), addr("WETH"));
      const short = [...p.routes];
      short[iBtc] = short[iBtc]!.slice(0, -2);
      await expect(zap.connect(alice).mint({ ...p, routes: short })).to.be.revertedWithCustomError(zap, "MalformedRoute").withArgs(iBtc, 42);
      const ragged = [...p.routes];
      ragged[iBtc] = ragged[iBtc]! + "00"; // 44 bytes: long enough for one hop, but not 20 + 23k
      await expect(zap.connect(alice).mint({ ...p, routes: ragged })).to.be.revertedWithCustomError(zap, "MalformedRoute").withArgs(iBtc, 44);
      const inKind = [...p.routes];
      inKind[iUsdc] = encodePath([addr("USDC"), addr("WETH"), addr("USDC")], [500, 500]);
      await expect(zap.connect(alice).mint({ ...p, routes: inKind })).to.be.revertedWithCustomError(zap, "MalformedRoute").withArgs(iUsdc, 66);
    });

    it("refuses a payment token that delivers less than it was asked to send (TransferShortfall) before any swap", async function () {
      const fx = await loadFixture(zapFixture);
      const { zap, alice } = fx;
      const fot = await ethers.deployContract("FeeOnTransferERC20", [100]); // 1% burnt on every transfer
      await fot.mint(alice.address, 10_000n * WAD);
      await fot.connect(alice).approve(zap, ethers.MaxUint256);
      const [tokens] = await fx.vault.previewMint(SHARES);
      const routes = tokens.map((t) => encodePath([t, fot.target as string], [FEE_TOKEN_HUB]));
      const { p } = await mintParams(fx, fx.addr("USDC"));
      const maxAmountIn = 1_000n * WAD;
      await expect(zap.connect(alice).mint({ ...p, tokenIn: fot.target as string, maxAmountIn, routes }))
        .to.be.revertedWithCustomError(zap, "TransferShortfall")
        .withArgs(fot.target, maxAmountIn, maxAmountIn - maxAmountIn / 100n);
      expect(await fot.balanceOf(alice.address)).to.equal(10_000n * WAD);
    });

    it("moves only the caller's funds: another user's standing approval cannot be spent", async function () {
      const fx = await loadFixture(zapFixture);
      const { zap, bob, attacker, addr, token } = fx;
      const { p } = await mintParams(fx, addr("USDC"));
      const bobBefore = await token("USDC").balanceOf(bob);
      // The attacker holds no USDC; bob has approved the zap for the maximum. The zap pulls from msg.sender only.
      await expect(zap.connect(attacker).mint({ ...p, receiver: attacker.address })).to.be.revertedWithCustomError(token("USDC"), "ERC20InsufficientAllowance");
      expect(await token("USDC").balanceOf(bob)).to.equal(bobBefore);
      await expect(attacker.sendTransaction({ to: await zap.getAddress(), value: 1n })).to.be.revertedWithCustomError(zap, "UnexpectedEth").withArgs(attacker.address);
    });
  });

  describe("SwapRouter02 (routerKind 1, as on Base)", function () {
    it("mints and redeems through SwapRouter02's deadline-free exactOutput/exactInput", async function () {
      const fx = await loadFixture(zapFixture);
      const { admin, alice, addr, token, vault, market } = fx;
      const r02 = await ethers.deployContract("MarketSwapRouter02", [market.uniswap.router], admin);
      const zap02 = await ethers.deployContract("IndexZap", [r02, 1, fx.w9], admin);
      expect(await zap02.routerKind()).to.equal(1n);
      await token("USDC").connect(alice).approve(zap02, ethers.MaxUint256);
      const { q, p } = await mintParams(fx, addr("USDC"));
      const before = await token("USDC").balanceOf(alice);
      await zap02.connect(alice).mint(p);
      expect(await vault.balanceOf(alice)).to.equal(SHARES);
      expect(before - (await token("USDC").balanceOf(alice))).to.equal(q.amount);
      await vault.connect(alice).approve(zap02, SHARES);
      const r = await redeemParams(fx, addr("USDC"));
      const mid = await token("USDC").balanceOf(alice);
      await zap02.connect(alice).redeem(r.p);
      expect((await token("USDC").balanceOf(alice)) - mid).to.equal(r.q.amount);
      for (const t of [...Object.values(market.tokens).map((t) => t.address), fx.vaultAddress]) {
        expect(await IERC20__factory.connect(t, admin).balanceOf(zap02), `zap holds ${t}`).to.equal(0n);
      }
    });
  });

  describe("reentrancy", function () {
    it("a token with a transfer hook on the route cannot re-enter the zap mid-mint (ReentrancyGuardReentrantCall)", async function () {
      const fx = await loadFixture(zapFixture);
      const { admin, alice, zap, addr, market } = fx;
      // REENT ($1, 18 decimals) sits between USDC and cbBTC: pools USDC/REENT and REENT/cbBTC, $1M a side.
      const reent = await ethers.deployContract("ReentrantERC20", [], admin);
      const r = await reent.getAddress();
      const { positionManager } = uniswapContracts(market, admin);
      await reent.mint(admin.address, 10n ** 30n);
      await reent.approve(positionManager, ethers.MaxUint256);
      for (const [other, answer, dec] of [[addr("USDC"), 10n ** 8n, 6], [addr("cbBTC"), 95_000n * 10n ** 8n, 8]] as const) {
        const rFirst = BigInt(r) < BigInt(other);
        const [t0, t1] = rFirst ? [r, other] : [other, r];
        const [a0, a1] = rFirst ? [amountForUsd(1_000_000n, 10n ** 8n, 18), amountForUsd(1_000_000n, answer, dec)] : [amountForUsd(1_000_000n, answer, dec), amountForUsd(1_000_000n, 10n ** 8n, 18)];
        const sqrtP = rFirst ? sqrtPriceX96(10n ** 8n, 18, answer, dec) : sqrtPriceX96(answer, dec, 10n ** 8n, 18);
        await positionManager.createAndInitializePoolIfNecessary(t0, t1, 3000, sqrtP);
        await positionManager.mint({ token0: t0, token1: t1, fee: 3000, tickLower: -887220, tickUpper: 887220, amount0Desired: a0, amount1Desired: a1, amount0Min: 0n, amount1Min: 0n, recipient: admin.address, deadline: 2n ** 48n });
      }
      const { q, p } = await mintParams(fx, addr("USDC"));
      const [tokens] = await fx.vault.previewMint(SHARES);
      const iBtc = tokens.findIndex((t) => t === addr("cbBTC"));
      const routes = [...p.routes];
      routes[iBtc] = encodePath([addr("cbBTC"), r, addr("USDC")], [3000, 3000]);
      const params = { ...p, routes, maxAmountIn: q.bound * 2n };
      // The hook re-enters with alice's own call data (the zap is its msg.sender's only source of funds).
      await reent.arm(await zap.getAddress(), zap.interface.encodeFunctionData("mint", [params]));
      await zap.connect(alice).mint(params);
      expect(await reent.lastCallOk()).to.equal(false);
      expect((await reent.lastRevertData()).slice(0, 10)).to.equal(zap.interface.getError("ReentrancyGuardReentrantCall")!.selector);
      expect(await fx.vault.balanceOf(alice)).to.equal(SHARES);
      expect(await reent.balanceOf(await zap.getAddress())).to.equal(0n);
      await expectZapEmpty(fx);
    });
  });

  describe("#redeem", function () {
    it("redeems exactly the shares into USDC (in kind, then sold; the USDC leg passed through) at the quote", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, vault, addr, token } = fx;
      await aliceHoldsShares(fx);
      const { q, p } = await redeemParams(fx, addr("USDC"));
      const before = await token("USDC").balanceOf(alice);
      const out = await zap.connect(alice).redeem.staticCall(p);
      await expect(zap.connect(alice).redeem(p)).to.emit(zap, "ZapRedeem").withArgs(fx.vaultAddress, alice.address, alice.address, addr("USDC"), SHARES, out);
      expect(out).to.equal(q.amount);
      expect((await token("USDC").balanceOf(alice)) - before).to.equal(out);
      expect(await vault.balanceOf(alice)).to.equal(0n);
      await expectZapEmpty(fx);
    });

    it("enforces minAmountOut (AmountOutBelowMin one unit above the proceeds) and the deadline", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, addr } = fx;
      await aliceHoldsShares(fx);
      const { q, p } = await redeemParams(fx, addr("USDC"));
      await expect(zap.connect(alice).redeem({ ...p, minAmountOut: q.amount + 1n }))
        .to.be.revertedWithCustomError(zap, "AmountOutBelowMin").withArgs(addr("USDC"), q.amount, q.amount + 1n);
      const deadline = BigInt(await time.latest());
      await expect(zap.connect(alice).redeem({ ...p, deadline })).to.be.revertedWithCustomError(zap, "DeadlineExpired");
      await zap.connect(alice).redeem({ ...p, minAmountOut: q.amount });
      await expectZapEmpty(fx);
    });

    it("reverts when a sandwich dumps a constituent into its pool beyond the bound", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, attacker, zap, addr, token, market } = fx;
      await aliceHoldsShares(fx);
      const { q, p } = await redeemParams(fx, addr("USDC"));
      const { router } = uniswapContracts(market, attacker);
      await token("cbBTC").mint(attacker, 100n * 10n ** 8n);
      await token("cbBTC").connect(attacker).approve(router, ethers.MaxUint256);
      await router.exactInput({ path: encodePath([addr("cbBTC"), addr("USDC")], [FEE_TOKEN_HUB]), recipient: attacker.address, deadline: 2n ** 48n, amountIn: 50n * 10n ** 8n, amountOutMinimum: 0n });
      await expect(zap.connect(alice).redeem(p)).to.be.revertedWithCustomError(zap, "AmountOutBelowMin");
      expect(q.bound).to.equal(p.minAmountOut);
      await expectZapEmpty(fx);
    });

    it("pays native ETH (sold to WETH9, unwrapped) and redeems with a permit on the index token", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, bob, zap, w9, vault } = fx;
      await aliceHoldsShares(fx);
      await vault.connect(alice).approve(zap, 0n);
      const { q, p } = await redeemParams(fx, w9, { native: true });
      const permit = await signPermit(fx.vaultAddress, alice, await zap.getAddress(), SHARES, await deadlineIn());
      const before = await ethers.provider.getBalance(bob);
      const out = await zap.connect(alice).redeemWithPermit.staticCall({ ...p, receiver: bob.address }, permit);
      await zap.connect(alice).redeemWithPermit({ ...p, receiver: bob.address }, permit);
      expect((await ethers.provider.getBalance(bob)) - before).to.equal(out);
      expectNearQuote(out, q.amount, "redeem");
      expect(out).to.be.gte(q.bound);
      expect(await vault.balanceOf(alice)).to.equal(0n);
      await expectZapEmpty(fx);
    });

    it("refuses zero shares (ZeroShares), a zero receiver (ZeroReceiver) and a route count other than the basket's (RoutesLengthMismatch)", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, addr } = fx;
      await aliceHoldsShares(fx);
      const { p } = await redeemParams(fx, addr("USDC"));
      await expect(zap.connect(alice).redeem({ ...p, shares: 0n })).to.be.revertedWithCustomError(zap, "ZeroShares");
      await expect(zap.connect(alice).redeem({ ...p, receiver: ethers.ZeroAddress })).to.be.revertedWithCustomError(zap, "ZeroReceiver");
      await expect(zap.connect(alice).redeem({ ...p, routes: p.routes.slice(1) }))
        .to.be.revertedWithCustomError(zap, "RoutesLengthMismatch")
        .withArgs(p.routes.length - 1, p.routes.length);
      const m = await mintParams(fx, addr("USDC"));
      await expect(zap.connect(alice).mint({ ...m.p, shares: 0n })).to.be.revertedWithCustomError(zap, "ZeroShares");
      await expect(zap.connect(alice).mint({ ...m.p, receiver: ethers.ZeroAddress })).to.be.revertedWithCustomError(zap, "ZeroReceiver");
      expect(await fx.vault.balanceOf(alice)).to.equal(SHARES);
      await expectZapEmpty(fx);
    });

    it("a permit that fails without a standing allowance reverts with the token's own reason (ERC2612ExpiredSignature)", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, vault, addr } = fx;
      await aliceHoldsShares(fx);
      await vault.connect(alice).approve(zap, 0n);
      const { p } = await redeemParams(fx, addr("USDC"));
      const expired = BigInt(await time.latest()) - 1n;
      const permit = await signPermit(fx.vaultAddress, alice, await zap.getAddress(), SHARES, expired);
      await expect(zap.connect(alice).redeemWithPermit(p, permit)).to.be.revertedWithCustomError(vault, "ERC2612ExpiredSignature").withArgs(expired);
      expect(await vault.balanceOf(alice)).to.equal(SHARES);
    });

    it("reverts EthTransferFailed when the receiver of a native redemption refuses ETH, and keeps the caller's shares", async function () {
      const fx = await loadFixture(zapFixture);
      const { alice, zap, w9, vault } = fx;
      await aliceHoldsShares(fx);
      const { p } = await redeemParams(fx, w9, { native: true });
      await expect(zap.connect(alice).redeem({ ...p, receiver: fx.vaultAddress }))
        .to.be.revertedWithCustomError(zap, "EthTransferFailed")
        .withArgs(fx.vaultAddress, anyUint);
      expect(await vault.balanceOf(alice)).to.equal(SHARES);
      await expectZapEmpty(fx);
    });

    it("still redeems to one token while the vault is paused", async function () {
      const fx = await loadFixture(zapFixture);
      await aliceHoldsShares(fx);
      await fx.vault.connect(fx.guardian).pause();
      const { q, p } = await redeemParams(fx, fx.addr("USDC"));
      expect(await fx.zap.connect(fx.alice).redeem.staticCall(p)).to.equal(q.amount);
      await fx.zap.connect(fx.alice).redeem(p);
      await expectZapEmpty(fx);
    });
  });
});
