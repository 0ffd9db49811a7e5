import { expect } from "chai";
import { ethers } from "hardhat";
import { withForkedMarket } from "./harness";
import { MockERC20__factory, IERC20__factory } from "../../typechain-types";
import { quoteZapOnChain, sendZapMint, sendZapRedeem, zapAt } from "../../chain/zap";
import { deployTimelock, govCall, govern } from "../../chain/governance";
import { refreshFeeds } from "../../chain/market";

const WAD = 10n ** 18n;

describe("IndexZap on a fork of the local-node market", function () {
  this.timeout(240_000);
  withForkedMarket("local", (ctx) => {
    it("a user holding only USDC mints and redeems through the zap on the forked pools; the zap keeps nothing", async function () {
      const [admin, user] = await ethers.getSigners();
      const m = ctx.market;
      const addr = (s: string) => m.tokens[s]!.address;
      // Every admin is a timelock (the contracts refuse anything else): the setup waits out its delay once.
      const timelock = await deployTimelock(admin!, [admin!.address], [admin!.address]);
      const registry = await ethers.deployContract("PriceRegistry", [timelock.target], admin);
      const vault = await ethers.deployContract("IndexVault", [{ name: "Fork zap", symbol: "FZAP", admin: timelock.target, priceRegistry: await registry.getAddress(), initialNavPerShare: 100n * WAD, maxFeeRate: WAD / 10n, feeRate: 0n, feeRecipient: admin!.address }], admin);
      const setup = await Promise.all([
        ...Object.values(m.tokens).map((t) => govCall(registry, "setFeed", [t.address, t.feed, t.heartbeat])),
        govCall(vault, "grantRole", [await vault.ORACLE_ROLE(), admin!.address]),
      ]);
      await (await govern(timelock, setup, { beforeExecute: () => refreshFeeds(admin!, m) })).wait();
      const basket = ["cbBTC", "WETH", "SOL"].map(addr);
      await (await vault.setTargets(1, basket, [WAD / 2n, WAD / 4n, WAD / 4n])).wait();
      const zapContract = await ethers.deployContract("IndexZap", [m.uniswap.router, 0, addr("WETH")], admin);
      const zap = zapAt(await zapContract.getAddress(), user!);
      await (await MockERC20__factory.connect(addr("USDC"), admin!).mint(user!.address, 10_000n * 10n ** 6n)).wait();
      const zm = { factory: m.uniswap.factory, quoter: m.uniswap.quoter, hubs: m.hubs.map(addr) };
      const v = await vault.getAddress();

      const shares = 50n * WAD; // $5,000 on an empty vault (units seeded from the targets and feeds)
      const qm = await quoteZapOnChain(ethers.provider, zm, { side: "mint", vault: v, shares, payToken: addr("USDC") });
      const minted = await sendZapMint(zap, user!, v, qm);
      expect(await vault.balanceOf(user!.address)).to.equal(shares);
      expect(minted.actual).to.be.lte(qm.bound);
      const qr = await quoteZapOnChain(ethers.provider, zm, { side: "redeem", vault: v, shares, payToken: addr("USDC") });
      const redeemed = await sendZapRedeem(zap, user!, v, qr);
      expect(redeemed.actual).to.be.gte(qr.bound);
      expect(redeemed.actual).to.be.lt(minted.actual);
      expect(await vault.balanceOf(user!.address)).to.equal(0n);
      for (const t of [...Object.values(m.tokens).map((t) => t.address), v]) {
        expect(await IERC20__factory.connect(t, ethers.provider).balanceOf(zap), `zap holds ${t}`).to.equal(0n);
      }
    });
  }, { symbols: ["BTC", "ETH", "SOL"] });
});
