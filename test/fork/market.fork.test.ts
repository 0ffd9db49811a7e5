import { expect } from "chai";
import { ethers } from "hardhat";
import { Contract } from "ethers";
import { withForkedMarket, forkTargets } from "./harness";
import {
  deployUniswapV3Adapter, detectRouterKind, encodePath, listPools, poolContract, tokenAddress, tokenForAsset, uniswapContracts, FEE_HUB_HUB, FEE_TOKEN_HUB,
  RouterKind, type MarketAddresses,
} from "../../chain/market";
import { MockAggregator__factory } from "../../typechain-types";

const ERC20_ABI = [
  "function decimals() view returns (uint8)",
  "function balanceOf(address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function mint(address,uint256)", // local MockERC20
  "function deposit() payable", // WETH9 on a real chain
];

/** {tok} `amount` whole tokens' worth of WETH for `who`: minted on the local market, wrapped from ETH on a real chain. */
async function fundWeth(market: MarketAddresses, target: string, who: string, wholeEth: bigint): Promise<bigint> {
  const [signer] = await ethers.getSigners();
  const weth = new Contract(tokenAddress(market, "WETH"), ERC20_ABI, signer);
  const amount = wholeEth * 10n ** 18n;
  if (target === "local") await (await weth.mint(who, amount)).wait();
  else await (await weth.deposit({ value: amount })).wait();
  return amount;
}

for (const target of forkTargets()) {
  describe(`fork (${target})`, function () {
    withForkedMarket(target, (ctx) => {
      it("sees the market's tokens with their decimals and live 8-decimal feeds", async function () {
        const now = (await ethers.provider.getBlock("latest"))!.timestamp;
        for (const [sym, t] of Object.entries(ctx.market.tokens)) {
          expect(await ethers.provider.getCode(t.address), `${sym} code`).to.not.equal("0x");
          const token = new Contract(t.address, ERC20_ABI, ethers.provider);
          expect(Number(await token.decimals()), `${sym} decimals`).to.equal(t.decimals);
          const feed = MockAggregator__factory.connect(t.feed, ethers.provider);
          expect(Number(await feed.decimals()), `${sym} feed decimals`).to.equal(t.feedDecimals);
          const [, answer, , updatedAt] = await feed.latestRoundData();
          expect(answer, `${sym} answer`).to.be.gt(0n);
          // heartbeat is the feed's nominal update interval, not a staleness bound: allow an hour's margin.
          expect(now - Number(updatedAt), `${sym} feed age`).to.be.lte(t.heartbeat + 3600);
        }
        expect(tokenForAsset(ctx.market, "BTC"), "a BTC wrapper").to.not.equal(undefined);
        expect(tokenForAsset(ctx.market, "ETH")?.address).to.equal(tokenAddress(ctx.market, "WETH"));
        expect(ctx.market.hubs).to.include.members(["USDC", "WETH"]);
      });

      it("sees the Uniswap V3 pools with liquidity (USDC/WETH 0.05%; locally every token against both hubs)", async function () {
        const { factory } = uniswapContracts(ctx.market, ethers.provider);
        const hub: string = await factory.getPool(tokenAddress(ctx.market, "USDC"), tokenAddress(ctx.market, "WETH"), FEE_HUB_HUB);
        expect(hub).to.not.equal(ethers.ZeroAddress);
        expect(await poolContract(hub, ethers.provider).liquidity()).to.be.gt(0n);
        if (target !== "local") return;
        const pools = await listPools(ethers.provider, ctx.market, [FEE_HUB_HUB, FEE_TOKEN_HUB]);
        expect(pools).to.have.length(2 * (Object.keys(ctx.market.tokens).length - 2) + 1);
        for (const p of pools) expect(await poolContract(p.address, ethers.provider).liquidity()).to.be.gt(0n);
      });

      it("swaps WETH -> USDC through a UniswapV3Adapter deployed on the fork, at the quoter's amount and within 1% of the feeds", async function () {
        const [signer, recipient] = await ethers.getSigners();
        const adapter = await deployUniswapV3Adapter(signer, ctx.market);
        // The file's routerKind (local: SwapRouter; Base: SwapRouter02) must be what the chain runs.
        expect(await adapter.routerKind()).to.equal(await detectRouterKind(ethers.provider, ctx.market.uniswap.router));
        if (target === "local") expect(await adapter.routerKind()).to.equal(RouterKind.SwapRouter);
        const [WETH, USDC] = [tokenAddress(ctx.market, "WETH"), tokenAddress(ctx.market, "USDC")];
        const amountIn = await fundWeth(ctx.market, target, signer.address, 2n);
        const weth = new Contract(WETH, ERC20_ABI, signer);
        const usdc = new Contract(USDC, ERC20_ABI, ethers.provider);
        await (await weth.approve(await adapter.getAddress(), amountIn)).wait();

        // minAmountOut as the vault derives it: the oracle value of amountIn in USDC, less 1%.
        const wethT = tokenForAsset(ctx.market, "WETH")!;
        const usdcT = tokenForAsset(ctx.market, "USDC")!;
        const [, pW] = await MockAggregator__factory.connect(wethT.feed, ethers.provider).latestRoundData();
        const [, pU] = await MockAggregator__factory.connect(usdcT.feed, ethers.provider).latestRoundData();
        const oracleOut = (amountIn * pW * 10n ** BigInt(usdcT.decimals)) / (pU * 10n ** BigInt(wethT.decimals)); // rounded DOWN
        const minOut = (oracleOut * 99n) / 100n; // rounded DOWN

        const path = encodePath([WETH, USDC], [FEE_HUB_HUB]);
        const [quoted] = await uniswapContracts(ctx.market, ethers.provider).quoter.quoteExactInput.staticCall(path, amountIn);
        const before = await usdc.balanceOf(recipient.address);
        await (await adapter.swap(WETH, USDC, amountIn, minOut, path, recipient.address)).wait();
        const got = (await usdc.balanceOf(recipient.address)) - before;
        expect(got).to.equal(quoted);
        expect(got).to.be.gte(minOut);
        expect(await weth.balanceOf(await adapter.getAddress())).to.equal(0n);
      });

      it("routes a trade through a hub on the local market (LINK -> USDC -> cbBTC)", async function () {
        if (target !== "local" || ctx.market.tokens.LINK === undefined) this.skip();
        const [signer] = await ethers.getSigners();
        const adapter = await deployUniswapV3Adapter(signer, ctx.market);
        const link = new Contract(ctx.market.tokens.LINK.address, ERC20_ABI, signer);
        const btc = new Contract(ctx.market.tokens.cbBTC.address, ERC20_ABI, ethers.provider);
        const amountIn = 5_000n * 10n ** 18n;
        await (await link.mint(signer.address, amountIn)).wait();
        await (await link.approve(await adapter.getAddress(), amountIn)).wait();
        const path = encodePath([await link.getAddress(), tokenAddress(ctx.market, "USDC"), await btc.getAddress()], [FEE_TOKEN_HUB, FEE_TOKEN_HUB]);
        const [quoted] = await uniswapContracts(ctx.market, ethers.provider).quoter.quoteExactInput.staticCall(path, amountIn);
        const before = await btc.balanceOf(signer.address);
        await (await adapter.swap(await link.getAddress(), await btc.getAddress(), amountIn, quoted, path, signer.address)).wait();
        expect((await btc.balanceOf(signer.address)) - before).to.equal(quoted);
      });
    });
  });
}
