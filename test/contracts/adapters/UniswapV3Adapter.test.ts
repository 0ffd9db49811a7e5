import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployMarket, deployUniswapV3Adapter, detectRouterKind, encodePath, RouterKind, swapDirect, uniswapContracts, FEE_HUB_HUB, FEE_TOKEN_HUB,
  type MarketAddresses,
} from "../../../chain/market";
import { MarketSwapRouter02__factory, MockERC20__factory, type MockERC20 } from "../../../typechain-types";

const F = FEE_TOKEN_HUB;

async function fixture() {
  const [deployer, vault, recipient] = await ethers.getSigners();
  const market = await deployMarket(deployer, { symbols: ["BTC", "LINK", "UNI"] });
  const adapter = await deployUniswapV3Adapter(deployer, market);
  const tok = (s: string): MockERC20 => MockERC20__factory.connect(market.tokens[s].address, deployer);
  const { router, quoter } = uniswapContracts(market, deployer);
  // The "vault" holds inventory and approves both the adapter and (for the direct baseline) the router.
  for (const s of Object.keys(market.tokens)) {
    await tok(s).mint(vault.address, 10n ** 40n);
    await tok(s).connect(vault).approve(await adapter.getAddress(), ethers.MaxUint256);
    await tok(s).connect(vault).approve(market.uniswap.router, ethers.MaxUint256);
  }
  return { market, adapter, tok, router, quoter, deployer, vault, recipient };
}

const addr = (m: MarketAddresses, s: string) => m.tokens[s].address;

describe("UniswapV3Adapter", function () {
  describe("#constructor", function () {
    it("reverts ZeroRouter when the router is the zero address", async function () {
      const f = await ethers.getContractFactory("UniswapV3Adapter");
      await expect(f.deploy(ethers.ZeroAddress, 0, ethers.ZeroAddress, ethers.ZeroAddress)).to.be.revertedWithCustomError(f, "ZeroRouter");
    });

    it("fixes the market's hubs (USDC, WETH) as the only tokens a route may pass through", async function () {
      const { market, adapter } = await loadFixture(fixture);
      expect([await adapter.hub0(), await adapter.hub1()]).to.deep.equal(market.hubs.map((h) => addr(market, h)));
    });
  });

  describe("#swap", function () {
    const routes: Array<{ name: string; path: string[]; fees: number[]; amount: bigint }> = [
      { name: "direct pool (LINK -> USDC)", path: ["LINK", "USDC"], fees: [F], amount: 1_000n * 10n ** 18n },
      { name: "direct pool, 8-decimal output (WETH -> cbBTC)", path: ["WETH", "cbBTC"], fees: [F], amount: 3n * 10n ** 18n },
      { name: "routed through USDC (LINK -> USDC -> UNI)", path: ["LINK", "USDC", "UNI"], fees: [F, F], amount: 500n * 10n ** 18n },
      { name: "routed through WETH (cbBTC -> WETH -> LINK)", path: ["cbBTC", "WETH", "LINK"], fees: [F, F], amount: 10n ** 7n },
      { name: "routed over both hubs (UNI -> USDC -> WETH -> cbBTC)", path: ["UNI", "USDC", "WETH", "cbBTC"], fees: [F, FEE_HUB_HUB, F], amount: 2_000n * 10n ** 18n },
    ];
    for (const r of routes) {
      it(`returns QuoterV2's amount and moves exactly the balances: ${r.name}`, async function () {
        const { market, adapter, tok, quoter, vault, recipient } = await loadFixture(fixture);
        const tokens = r.path.map((s) => addr(market, s));
        const path = encodePath(tokens, r.fees);
        const [quoted] = await quoter.quoteExactInput.staticCall(path, r.amount);
        expect(quoted).to.be.gt(0n);
        const tin = tok(r.path[0]);
        const tout = tok(r.path[r.path.length - 1]);
        const inBefore = await tin.balanceOf(vault.address);
        const outBefore = await tout.balanceOf(recipient.address);

        const a = adapter.connect(vault);
        const returned = await a.swap.staticCall(tokens[0], tokens[tokens.length - 1], r.amount, quoted, path, recipient.address);
        expect(returned).to.equal(quoted);
        await (await a.swap(tokens[0], tokens[tokens.length - 1], r.amount, quoted, path, recipient.address)).wait();

        expect(inBefore - (await tin.balanceOf(vault.address))).to.equal(r.amount);
        expect((await tout.balanceOf(recipient.address)) - outBefore).to.equal(quoted);
        for (const s of Object.keys(market.tokens)) {
          expect(await tok(s).balanceOf(await adapter.getAddress()), `adapter ${s} balance`).to.equal(0n);
        }
      });
    }

    it("reverts (in the router, which gets the floor) when the output is below minAmountOut, leaving balances unchanged", async function () {
      const { market, adapter, tok, quoter, vault, recipient } = await loadFixture(fixture);
      const tokens = [addr(market, "LINK"), addr(market, "USDC")];
      const path = encodePath(tokens, [F]);
      const amount = 100n * 10n ** 18n;
      const [quoted] = await quoter.quoteExactInput.staticCall(path, amount);
      const before = await tok("LINK").balanceOf(vault.address);
      await expect(adapter.connect(vault).swap(tokens[0], tokens[1], amount, quoted + 1n, path, recipient.address))
        .to.be.revertedWith("Too little received");
      expect(await tok("LINK").balanceOf(vault.address)).to.equal(before);
    });

    it("reverts RouteMismatch when the path does not start with tokenIn or end with tokenOut", async function () {
      const { market, adapter, vault, recipient } = await loadFixture(fixture);
      const [link, usdc, uni] = ["LINK", "USDC", "UNI"].map((s) => addr(market, s));
      const a = adapter.connect(vault);
      await expect(a.swap(link, usdc, 1n, 0n, encodePath([uni, usdc], [F]), recipient.address))
        .to.be.revertedWithCustomError(adapter, "RouteMismatch").withArgs(link, usdc, uni, usdc);
      await expect(a.swap(link, usdc, 1n, 0n, encodePath([link, usdc, uni], [F, F]), recipient.address))
        .to.be.revertedWithCustomError(adapter, "RouteMismatch").withArgs(link, usdc, link, uni);
    });

    it("reverts MalformedRoute when the path length is not 20 + 23k bytes (k >= 1)", async function () {
      const { market, adapter, vault, recipient } = await loadFixture(fixture);
      const [link, usdc] = ["LINK", "USDC"].map((s) => addr(market, s));
      const good = encodePath([link, usdc], [F]);
      const cases = ["0x", link, good + "00", good.slice(0, -2)];
      for (const p of cases) {
        await expect(adapter.connect(vault).swap(link, usdc, 1n, 0n, p, recipient.address))
          .to.be.revertedWithCustomError(adapter, "MalformedRoute").withArgs((p.length - 2) / 2);
      }
    });

    it("reverts ZeroAmountIn, ZeroRecipient and SameToken on those inputs", async function () {
      const { market, adapter, vault, recipient } = await loadFixture(fixture);
      const [link, usdc] = ["LINK", "USDC"].map((s) => addr(market, s));
      const path = encodePath([link, usdc], [F]);
      const a = adapter.connect(vault);
      await expect(a.swap(link, usdc, 0n, 0n, path, recipient.address)).to.be.revertedWithCustomError(adapter, "ZeroAmountIn");
      await expect(a.swap(link, usdc, 1n, 0n, path, ethers.ZeroAddress)).to.be.revertedWithCustomError(adapter, "ZeroRecipient");
      await expect(a.swap(link, link, 1n, 0n, encodePath([link, link], [F]), recipient.address))
        .to.be.revertedWithCustomError(adapter, "SameToken").withArgs(link);
    });

    // Review point 6 (issue 13): the adapter checked only a route's ends, so a keeper could route a vault's
    // trade through a token and pools of its own choosing.
    it("refuses a route through a token that is not a hub, before pulling anything", async function () {
      const { market, adapter, tok, vault, recipient } = await loadFixture(fixture);
      const [link, uni, usdc] = ["LINK", "UNI", "USDC"].map((s) => addr(market, s));
      const evil = await ethers.deployContract("MockERC20", ["Keeper's own", "EVIL", 18]);
      for (const mid of [uni, await evil.getAddress(), ethers.ZeroAddress]) {
        await expect(adapter.connect(vault).swap(link, usdc, 10n ** 18n, 0n, encodePath([link, mid, usdc], [F, F]), recipient.address))
          .to.be.revertedWithCustomError(adapter, "IntermediateNotAllowed").withArgs(mid);
      }
      const weth = addr(market, "WETH");
      await expect(adapter.connect(vault).swap(link, usdc, 10n ** 18n, 0n, encodePath([link, weth, uni, usdc], [F, F, F]), recipient.address))
        .to.be.revertedWithCustomError(adapter, "IntermediateNotAllowed").withArgs(uni);
      expect(await tok("LINK").balanceOf(await adapter.getAddress())).to.equal(0n);
    });

    it("hands the caller's floor to the router as its amountOutMinimum", async function () {
      const { market, adapter, quoter, vault, recipient } = await loadFixture(fixture);
      const [link, usdc] = ["LINK", "USDC"].map((s) => addr(market, s));
      const path = encodePath([link, usdc], [F]);
      const amount = 10n ** 20n;
      const [quoted] = await quoter.quoteExactInput.staticCall(path, amount);
      // The router itself refuses (SwapRouter's "Too little received"), not only the adapter's own check.
      await expect(adapter.connect(vault).swap(link, usdc, amount, quoted + 1n, path, recipient.address)).to.be.revertedWith("Too little received");
    });

    it("reverts when the caller has not approved the adapter (nothing is pulled)", async function () {
      const { market, adapter, tok, recipient } = await loadFixture(fixture);
      const [link, usdc] = ["LINK", "USDC"].map((s) => addr(market, s));
      await tok("LINK").mint(recipient.address, 10n ** 18n);
      await expect(adapter.connect(recipient).swap(link, usdc, 10n ** 18n, 0n, encodePath([link, usdc], [F]), recipient.address))
        .to.be.revertedWithCustomError(tok("LINK"), "ERC20InsufficientAllowance");
    });

    it("speaks the SwapRouter02 ABI (no deadline) when built with RouterKind.SwapRouter02", async function () {
      const { market, tok, quoter, deployer, vault, recipient } = await loadFixture(fixture);
      const r02 = await new MarketSwapRouter02__factory(deployer).deploy(market.uniswap.router);
      const adapter = await deployUniswapV3Adapter(deployer, { ...market, uniswap: { ...market.uniswap, router: await r02.getAddress(), routerKind: "SwapRouter02" } });
      expect(await adapter.routerKind()).to.equal(RouterKind.SwapRouter02);
      // detectRouterKind tells the two apart on chain (SwapRouter02 answers factoryV2()).
      expect(await detectRouterKind(ethers.provider, await r02.getAddress())).to.equal(RouterKind.SwapRouter02);
      expect(await detectRouterKind(ethers.provider, market.uniswap.router)).to.equal(RouterKind.SwapRouter);
      const [link, usdc] = ["LINK", "USDC"].map((s) => addr(market, s));
      const path = encodePath([link, usdc], [F]);
      const amount = 10n ** 20n;
      const [quoted] = await quoter.quoteExactInput.staticCall(path, amount);
      await tok("LINK").connect(vault).approve(await adapter.getAddress(), amount);
      const before = await tok("USDC").balanceOf(recipient.address);
      await (await adapter.connect(vault).swap(link, usdc, amount, quoted, path, recipient.address)).wait();
      expect((await tok("USDC").balanceOf(recipient.address)) - before).to.equal(quoted);
      expect(await tok("LINK").balanceOf(await adapter.getAddress())).to.equal(0n);
    });
  });

  describe("gas", function () {
    // The issue's budget (vault trade gas - direct SwapRouter swap gas <= 100k) is checked by `npm run
    // gas:check` on the bench:gas report, not here: coverage instruments the contracts and inflates gas,
    // so the default suite asserts no gas figure. This prints the adapter's share of that overhead on the
    // same pool state (each case from a fresh snapshot) and checks the fills are the router's.
    const cases = [
      { name: "direct pool LINK -> USDC", path: ["LINK", "USDC"], fees: [F], amount: 1_000n * 10n ** 18n },
      { name: "two hops LINK -> USDC -> UNI", path: ["LINK", "USDC", "UNI"], fees: [F, F], amount: 1_000n * 10n ** 18n },
    ];
    for (const c of cases) {
      it(`adapter swap fills exactly as the direct router swap (gas printed): ${c.name}`, async function () {
        const { market, adapter, vault, recipient } = await loadFixture(fixture);
        const tokens = c.path.map((s) => addr(market, s));
        const path = encodePath(tokens, c.fees);
        const direct = async () => swapDirect(vault, market, path, c.amount, recipient.address);
        const viaAdapter = async () => {
          const a = adapter.connect(vault);
          const amountOut = await a.swap.staticCall(tokens[0], tokens[tokens.length - 1], c.amount, 0n, path, recipient.address);
          const tx = await a.swap(tokens[0], tokens[tokens.length - 1], c.amount, 0n, path, recipient.address);
          return { amountOut, gasUsed: (await tx.wait())!.gasUsed };
        };
        // Same starting state for both: a first trade each, then a second (steady state: allowances set).
        const snap = await ethers.provider.send("evm_snapshot", []);
        const d1 = await direct();
        const d2 = await direct();
        await ethers.provider.send("evm_revert", [snap]);
        const a1 = await viaAdapter();
        const a2 = await viaAdapter();
        // Same state, same trade: the adapter gets exactly what the router gives.
        expect(a1.amountOut).to.equal(d1.amountOut);
        expect(a2.amountOut).to.equal(d2.amountOut);
        console.log(
          `      gas ${c.name}: direct ${d1.gasUsed} / ${d2.gasUsed}, adapter ${a1.gasUsed} / ${a2.gasUsed}, ` +
            `overhead first ${a1.gasUsed - d1.gasUsed}, steady ${a2.gasUsed - d2.gasUsed}`,
        );
      });
    }
  });
});
