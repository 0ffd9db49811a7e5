/**
 * Moves a LOCAL sample market (chain/market.ts) to new prices, consistently: every named token's
 * mock feed gets the new answer, and every Uniswap V3 pool with a moved token is arbitraged to the
 * price the two feeds imply (one exactInputSingle per pool, with sqrtPriceLimitX96 at the target, so the
 * swap stops exactly there). The arbitrageur's tokens are minted (MockERC20's open mint), so this works
 * only on a local market; it is for tests and the demo (month-end to month-end price moves).
 */
import { MaxUint256, type Signer } from "ethers";
import { MockAggregator__factory, MockERC20__factory } from "../typechain-types";
import { poolContract, sqrtPriceX96, toAnswer, uniswapContracts, listPools, type MarketAddresses } from "./market";

export interface MoveReport {
  feeds: number;
  pools: number;
}

/**
 * @param prices USD per whole token (number) or raw feed answer (bigint), by market symbol; tokens not
 *   named keep their answer (their feeds are refreshed so they are not stale).
 */
export async function moveMarket(signer: Signer, market: MarketAddresses, prices: Readonly<Record<string, number | bigint>>): Promise<MoveReport> {
  const me = await signer.getAddress();
  const provider = signer.provider!;
  const bySymbol = Object.entries(market.tokens);
  const answers = new Map<string, bigint>(); // address (lower) -> answer
  let feeds = 0;
  for (const [sym, t] of bySymbol) {
    const feed = MockAggregator__factory.connect(t.feed, signer);
    const answer = prices[sym] !== undefined ? toAnswer(prices[sym]!, t.feedDecimals) : await feed.latestAnswer();
    await (await feed.updateAnswer(answer)).wait();
    answers.set(t.address.toLowerCase(), answer);
    if (prices[sym] !== undefined) feeds++;
  }
  const moved = new Set(bySymbol.filter(([s]) => prices[s] !== undefined).map(([, t]) => t.address.toLowerCase()));
  const decimalsOf = new Map(bySymbol.map(([, t]) => [t.address.toLowerCase(), t.decimals]));
  const { router } = uniswapContracts(market, signer);
  const approved = new Set<string>();
  let pools = 0;
  for (const p of await listPools(provider, market)) {
    const [a0, a1] = [p.tokenA.toLowerCase(), p.tokenB.toLowerCase()];
    if (!moved.has(a0) && !moved.has(a1)) continue;
    const pool = poolContract(p.address, provider);
    const [current] = (await pool.slot0()) as [bigint];
    const target = sqrtPriceX96(answers.get(a0)!, decimalsOf.get(a0)!, answers.get(a1)!, decimalsOf.get(a1)!);
    if (target === current) continue;
    // Price of token0 (in token1) up = buy token0 = pay token1 in (oneForZero).
    const zeroForOne = target < current;
    const tokenIn = zeroForOne ? p.tokenA : p.tokenB;
    const tokenOut = zeroForOne ? p.tokenB : p.tokenA;
    const erc = MockERC20__factory.connect(tokenIn, signer);
    const amountIn = (await erc.balanceOf(p.address)) * 4n + 1n; // ample: the swap stops at the limit and pulls only what it needs
    await (await erc.mint(me, amountIn)).wait();
    if (!approved.has(tokenIn)) {
      await (await erc.approve(market.uniswap.router, MaxUint256)).wait();
      approved.add(tokenIn);
    }
    const params = { tokenIn, tokenOut, fee: p.fee, recipient: me, deadline: 2n ** 48n, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: target };
    await (await router.exactInputSingle(params)).wait();
    pools++;
  }
  return { feeds, pools };
}
