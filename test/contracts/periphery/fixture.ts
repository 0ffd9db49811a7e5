/**
 * The zap fixture: the real local market (scripts/lib/market.ts: Uniswap V3 pools at feed prices) with cbBTC
 * (8 decimals), WETH and LINK (18) and USDC (6); a WETH9 (MockWETH9: deposit/withdraw and EIP-2612) with a
 * 0.05% pool against USDC for the native-ETH paths; a PriceRegistry over the feeds; an IndexVault holding
 * cbBTC 30%, WETH 30%, LINK 20%, USDC 20% for 100 shares (NAV0 $100); the IndexZap over the market's SwapRouter.
 */
import { ethers } from "hardhat";
import { expect } from "chai";
import type { Signer } from "ethers";
import { deployMarket, refreshFeeds, sqrtPriceX96, uniswapContracts, FEED_DECIMALS } from "../../../chain/market";
import { IERC20__factory, MockERC20__factory, type IndexVault, type IndexZap, type MockWETH9 } from "../../../typechain-types";
import { ROLES, WAD, deployGovernance, deployVault, expectCollateralised } from "../../fixtures/contracts";
import { quoteZapOnChain, type ZapMarket } from "../../../chain/zap";
import type { ZapSide } from "../../../src/zap";

export const BASKET = { symbols: ["cbBTC", "WETH", "LINK", "USDC"], weights: [(WAD * 3n) / 10n, (WAD * 3n) / 10n, WAD / 5n, WAD / 5n] };

export async function zapFixture() {
  const [admin, guardian, alice, bob, attacker] = await ethers.getSigners();
  const market = await deployMarket(admin!, { symbols: ["BTC", "LINK"] });
  const addr = (s: string) => market.tokens[s]!.address;
  const token = (s: string) => MockERC20__factory.connect(addr(s), admin!);

  // WETH9 for native ETH, with a USDC pool at the WETH feed price (1,000 ETH deep).
  const weth9 = (await ethers.deployContract("MockWETH9", [], admin)) as unknown as MockWETH9;
  const w9 = await weth9.getAddress();
  const { positionManager } = uniswapContracts(market, admin!);
  const ethAnswer = 3_300n * 10n ** BigInt(FEED_DECIMALS);
  const depthEth = 1_000n * WAD;
  await weth9.deposit({ value: depthEth });
  await token("USDC").mint(admin!.address, 3_300_000n * 10n ** 6n);
  await weth9.approve(positionManager, ethers.MaxUint256);
  await token("USDC").approve(positionManager, ethers.MaxUint256);
  const wFirst = BigInt(w9) < BigInt(addr("USDC"));
  const [t0, t1] = wFirst ? [w9, addr("USDC")] : [addr("USDC"), w9];
  const [a0, a1] = wFirst ? [depthEth, 3_300_000n * 10n ** 6n] : [3_300_000n * 10n ** 6n, depthEth];
  const sqrtP = wFirst ? sqrtPriceX96(ethAnswer, 18, 10n ** 8n, 6) : sqrtPriceX96(10n ** 8n, 6, ethAnswer, 18);
  await positionManager.createAndInitializePoolIfNecessary(t0, t1, 500, sqrtP);
  await positionManager.mint({
    token0: t0, token1: t1, fee: 500, tickLower: -887270, tickUpper: 887270,
    amount0Desired: a0, amount1Desired: a1, amount0Min: 0n, amount1Min: 0n, recipient: admin!.address, deadline: 2n ** 48n,
  });

  // Every admin is a timelock (issue 13): one batch through its delay; the mock feeds stay fresh across it.
  const gov = await deployGovernance(ethers, admin!);
  gov.onWarp(() => refreshFeeds(admin!, market));
  const registry = await ethers.deployContract("PriceRegistry", [gov.address], admin);
  const vault = await deployVault(ethers, gov, registry, { name: "MAG7 Sample", symbol: "MAG7.ssi" });
  await gov.batch([
    ...Object.values(market.tokens).map((t) => [registry, "setFeed", [t.address, t.feed, t.heartbeat]] as const),
    [registry, "setFeed", [w9, market.tokens.WETH!.feed, market.tokens.WETH!.heartbeat]],
    [vault, "grantRole", [ROLES.ORACLE, admin!.address]],
    [vault, "grantRole", [ROLES.GUARDIAN, guardian!.address]],
  ]);
  await vault.setTargets(1, BASKET.symbols.map(addr), BASKET.weights);
  for (const s of Object.keys(market.tokens)) {
    await token(s).mint(admin!.address, 10n ** 30n);
    await token(s).approve(vault, ethers.MaxUint256);
  }
  const [, seed] = await vault.previewMint(100n * WAD);
  await vault.mint(100n * WAD, admin!.address, [...seed]);

  const zap = (await ethers.deployContract("IndexZap", [market.uniswap.router, 0, w9], admin)) as unknown as IndexZap;
  // Alice holds only USDC (and ETH); bob too, and approves the zap (a standing approval nobody else may spend).
  for (const who of [alice!, bob!]) {
    await token("USDC").mint(who.address, 1_000_000n * 10n ** 6n);
    await token("USDC").connect(who).approve(zap, ethers.MaxUint256);
  }
  const zm: ZapMarket = { factory: market.uniswap.factory, quoter: market.uniswap.quoter, hubs: [addr("USDC"), addr("WETH")] };
  const symbols: Record<string, string> = { [w9.toLowerCase()]: "WETH9" };
  for (const [s, t] of Object.entries(market.tokens)) symbols[t.address.toLowerCase()] = s;
  const vaultAddress = await vault.getAddress();
  const quote = (side: ZapSide, shares: bigint, payToken: string, maxSlippageBps = 50, native = false) =>
    quoteZapOnChain(ethers.provider, zm, { side, vault: vaultAddress, shares, payToken, maxSlippageBps, native, symbols });
  return { admin: admin!, gov, guardian: guardian!, alice: alice!, bob: bob!, attacker: attacker!, market, addr, token, weth9, w9, registry, vault, vaultAddress, zap, zm, quote };
}

export type ZapFx = Awaited<ReturnType<typeof zapFixture>>;

/** The zap holds zero of every token (market tokens, WETH9, the index token) and zero ETH. */
export async function expectZapEmpty(fx: ZapFx): Promise<void> {
  const z = await fx.zap.getAddress();
  const all = [...Object.values(fx.market.tokens).map((t) => t.address), fx.w9, fx.vaultAddress];
  for (const t of all) expect(await IERC20__factory.connect(t, fx.admin).balanceOf(z), `zap balance of ${t}`).to.equal(0n);
  expect(await ethers.provider.getBalance(z), "zap ETH").to.equal(0n);
  for (const t of all) expect(await IERC20__factory.connect(t, fx.admin).allowance(z, fx.vaultAddress), `zap allowance to the vault of ${t}`).to.equal(0n);
  await expectCollateralised(fx.vault as IndexVault);
}

export async function deadlineIn(seconds = 600): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + BigInt(seconds);
}

/** EIP-2612 signature by `owner` for `spender` on `token` (an OZ ERC20Permit). */
export async function signPermit(token: string, owner: Signer, spender: string, value: bigint, deadline: bigint) {
  const c = await ethers.getContractAt("ERC20Permit", token);
  const [, name, version, chainId] = await c.eip712Domain();
  const ownerAddress = await owner.getAddress();
  const types = {
    Permit: [
      { name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" },
    ],
  };
  const sig = ethers.Signature.from(
    await owner.signTypedData({ name, version, chainId, verifyingContract: token }, types, { owner: ownerAddress, spender, value, nonce: await c.nonces(ownerAddress), deadline }),
  );
  return { value, deadline, v: sig.v, r: sig.r, s: sig.s };
}
