/**
 * Keeper tasks against a FORKED chain (`npm run test:fork`): the in-process Hardhat network forks a local
 * `hardhat node` that holds the mainnet-like market (test/fork/harness.ts), and the tasks run on the fork
 * exactly as a keeper runs them: ssi:deploy --market FILE (over the node's market, no sample tokens),
 * ssi:push-weights (month 1), index:mint, ssi:push-weights (month 2: weights change, prices do not),
 * ssi:rebalance --dry-run, ssi:rebalance. A small market (the MAG7 assets and LINK) keeps it fast.
 *
 * With FORK_URL set, the remote block checks the keeper's chain reads on the real chain
 * (deployments/base-mainnet.json): pool discovery deepest-first and QuoterV2 quotes along a hub route,
 * the two things `ssi:rebalance` reads from Uniswap. Without FORK_URL it says so and skips.
 */
import { expect } from "chai";
import path from "node:path";
import hre from "hardhat";
import { withForkedMarket } from "./harness";
import { IERC20__factory, IndexVault__factory, MockERC20__factory, PriceRegistry__factory, Rebalancer__factory } from "../../typechain-types";
import { WAD } from "../../src/methodology";
import { loadDeployment, type DeploymentRecord } from "../../chain/deployment";
import { encodePath, listPools, tokenAddress, uniswapContracts, FEE_HUB_HUB } from "../../chain/market";
import { runTask } from "../tasks/fixtures";

const root = path.resolve(__dirname, "../..");
const month1 = path.join(root, "sample/universe.json");
const month2 = path.join(root, "sample/universe-next.json");
const SYMBOLS = ["BTC", "ETH", "XRP", "BNB", "SOL", "DOGE", "ADA", "LINK"];

describe("keeper tasks on a fork (local node)", function () {
  this.timeout(300_000);
  withForkedMarket("local", (ctx) => {
    let record: DeploymentRecord;

    it("ssi:deploy --market deploys the protocol and the Rebalancers over the forked market", async function () {
      await runTask(hre, "ssi:deploy", { sampleMarket: false, reset: false, market: ctx.marketFile });
      record = loadDeployment("hardhat", 31337);
      expect(record.tokens.cbBTC!.address).to.equal(ctx.market.tokens.cbBTC!.address);
      expect(record.uniswap!.router).to.equal(ctx.market.uniswap.router);
      for (const p of ["MAG7", "MEME", "DEFI"] as const) {
        const r = Rebalancer__factory.connect(record.products[p]!.rebalancer!, hre.ethers.provider);
        expect(await r.vault()).to.equal(record.products[p]!.vault);
        expect(await r.isAdapter(record.protocol.tradeAdapter!)).to.equal(true);
      }
    });

    it("ssi:push-weights + index:mint (month 1), ssi:push-weights (month 2), ssi:rebalance --dry-run then ssi:rebalance land MAG7 on its targets", async function () {
      await runTask(hre, "ssi:push-weights", { index: "MAG7", universe: month1, validFor: "3600", json: false });
      // The forked market's tokens are the node's MockERC20s: mint what the index:mint needs.
      const [me] = await hre.ethers.getSigners();
      const vault = IndexVault__factory.connect(record.products.MAG7!.vault, me!);
      const [tokens, amounts] = await vault.previewMint(500n * WAD);
      for (const [i, t] of tokens.entries()) await (await MockERC20__factory.connect(t, me!).mint(me!.address, amounts[i]!)).wait();
      await runTask(hre, "index:mint", { index: "MAG7", shares: "500" });
      await runTask(hre, "ssi:push-weights", { index: "MAG7", universe: month2, validFor: "3600", json: false });

      const dry = JSON.parse(await runTask(hre, "ssi:rebalance", { index: "MAG7", dryRun: true, json: true }));
      expect(dry.status).to.equal("dry-run");
      expect(dry.trades.length).to.be.greaterThan(0);
      expect(dry.blockers).to.deep.equal([]);

      const out = JSON.parse(await runTask(hre, "ssi:rebalance", { index: "MAG7", dryRun: false, json: true }));
      expect(out.status).to.equal("complete");
      // Weights by hand from the fork's balances and the registry's prices.
      const registry = PriceRegistry__factory.connect(record.protocol.priceRegistry, hre.ethers.provider);
      const [, targetTokens, targetWeights] = await vault.targets();
      let nav = 0n;
      const values: bigint[] = [];
      for (const t of targetTokens) {
        const [p, d] = await registry.priceAndDecimals(t);
        const v = ((await IERC20__factory.connect(t, hre.ethers.provider).balanceOf(vault)) * p) / 10n ** d;
        values.push(v);
        nav += v;
      }
      const tol = (BigInt(out.limits.toleranceBps) * WAD) / 10_000n;
      targetTokens.forEach((t, i) => {
        const w = (values[i]! * WAD) / nav;
        const target = targetWeights[i]!;
        expect(w > target ? w - target : target - w, `${t}`).to.be.lte(tol);
      });
      const [completed, open] = await Rebalancer__factory.connect(record.products.MAG7!.rebalancer!, hre.ethers.provider).window();
      expect([completed, open]).to.deep.equal([2n, 0n]);
    });
  }, { symbols: SYMBOLS });
});

describe("keeper chain reads on a fork (FORK_URL)", function () {
  this.timeout(300_000);
  withForkedMarket("remote", (ctx) => {
    it("finds the hub pool and quotes a hub route with QuoterV2 (what ssi:rebalance reads)", async function () {
      const pools = await listPools(hre.ethers.provider, ctx.market, undefined, [["USDC", "WETH"], ["cbBTC", "USDC"], ["cbBTC", "WETH"]]);
      expect(pools.length).to.be.greaterThan(0);
      const [usdc, weth, btc] = ["USDC", "WETH", "cbBTC"].map((s) => tokenAddress(ctx.market, s));
      const { quoter } = uniswapContracts(ctx.market, hre.ethers.provider);
      const route = pools.find((p) => [p.tokenA, p.tokenB].map((a) => a.toLowerCase()).sort().join() === [btc!, weth!].map((a) => a.toLowerCase()).sort().join());
      const path = route ? encodePath([btc!, weth!, usdc!], [route.fee, FEE_HUB_HUB]) : encodePath([btc!, usdc!], [pools.find((p) => p.tokenA === btc || p.tokenB === btc)!.fee]);
      const [out, , , gas] = (await quoter.quoteExactInput.staticCall(path, 10n ** 6n)) as [bigint, unknown, unknown, bigint];
      expect(out).to.be.gt(0n);
      expect(gas).to.be.gt(0n);
    });
  });
});
