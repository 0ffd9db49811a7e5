import { expect } from "chai";
import { ethers } from "hardhat";
import { Contract } from "ethers";
import { withForkedMarket, forkTargets } from "./harness";
import {
  deployUniswapV3Adapter, encodePath, poolContract, tokenForAsset, uniswapContracts, FEE_HUB_HUB, FEE_TOKEN_HUB,
  RouterKind, type MarketAddresses,
} from "../../scripts/lib/market";
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
  const weth = new Contract(market.hubs.WETH, ERC20_ABI, signer);
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
          expect(now - Number(updatedAt), `${sym} feed age`).to.be.lte(t.heartbeat);
        }
        expect(tokenForAsset(ctx.market, "BTC"), "a BTC wrapper").to.not.equal(undefined);
        expect(tokenForAsset(ctx.market, "ETH")?.address).to.equal(ctx.market.hubs.WETH);
      });

      it("sees the Uniswap V3 pools with liquidity (USDC/WETH 0.05%, and every seeded pool)", async function () {
        const { factory } = uniswapContracts(ctx.market, ethers.provider);
        const hub: string = await factory.getPool(ctx.market.hubs.USDC, ctx.market.hubs.WETH, FEE_HUB_HUB);
        expect(hub).to.not.equal(ethers.ZeroAddress);
        expect(await poolContract(hub, ethers.provider).liquidity()).to.be.gt(0n);
        for (const p of ctx.market.pools ?? []) {
          expect(await factory.getPool(p.tokenA, p.tokenB, p.fee)).to.equal(p.address);
          expect(await poolContract(p.address, ethers.provider).liquidity()).to.be.gt(0n);
        }
      });

      it("swaps WETH -> USDC through a UniswapV3Adapter deployed on the fork, at the quoter's amount and within 1% of the feeds", async function () {
        const [signer, recipient] = await ethers.getSigners();
        const adapter = await deployUniswapV3Adapter(signer, ctx.market);
        // The local market runs v3-periphery's SwapRouter; Base (like most L2s) only has SwapRouter02.
        expect(await adapter.routerKind()).to.equal(target === "local" ? RouterKind.SwapRouter : RouterKind.SwapRouter02);
        const { WETH, USDC } = ctx.market.hubs;
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
        const path = encodePath([await link.getAddress(), ctx.market.hubs.USDC, await btc.getAddress()], [FEE_TOKEN_HUB, FEE_TOKEN_HUB]);
        const [quoted] = await uniswapContracts(ctx.market, ethers.provider).quoter.quoteExactInput.staticCall(path, amountIn);
        const before = await btc.balanceOf(signer.address);
        await (await adapter.swap(await link.getAddress(), await btc.getAddress(), amountIn, quoted, path, signer.address)).wait();
        expect((await btc.balanceOf(signer.address)) - before).to.equal(quoted);
      });
    });
  });
}
