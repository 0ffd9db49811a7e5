import { expect } from "chai";
import path from "node:path";
import hre from "hardhat";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { IERC20__factory, IndexVault__factory, MockERC20__factory } from "../../typechain-types";
import { loadDeployment, type DeploymentRecord } from "../../chain/deployment";
import { encodePath, uniswapContracts, type MarketAddresses } from "../../chain/market";
import ZapModule from "../../ignition/modules/Zap";
import { expectUserError, runTask } from "./fixtures";

const sample = path.resolve(__dirname, "../../sample/universe.json");
const WAD = 10n ** 18n;

describe("zap tasks (index:mint --pay, index:redeem --receive)", function () {
  this.timeout(180_000);
  let record: DeploymentRecord;
  let zap: string;
  let deployed: SnapshotRestorer;
  const usdcOf = () => MockERC20__factory.connect(record.tokens.USDC!.address, hre.ethers.provider);
  const mag7 = () => IndexVault__factory.connect(record.products.MAG7!.vault, hre.ethers.provider);

  before(async () => {
    await runTask(hre, "ssi:deploy", { sampleMarket: true, reset: false });
    record = loadDeployment("hardhat", 31337);
    await runTask(hre, "ssi:push-weights", { index: "MAG7", universe: sample, validFor: "3600", json: false });
    const [me] = await hre.ethers.getSigners();
    const { zap: z } = await hre.ignition.deploy(ZapModule, {
      displayUi: false,
      parameters: { IndexZap: { router: record.uniswap!.router!, routerKind: 0, weth: record.tokens.WETH!.address } },
    });
    zap = await z.getAddress();
    await (await MockERC20__factory.connect(record.tokens.USDC!.address, me!).mint(me!.address, 100_000n * 10n ** 6n)).wait();
    deployed = await takeSnapshot();
  });

  async function expectZapEmpty() {
    for (const t of [...Object.values(record.tokens).map((t) => t.address), record.products.MAG7!.vault]) {
      expect(await IERC20__factory.connect(t, hre.ethers.provider).balanceOf(zap), `zap holds ${t}`).to.equal(0n);
    }
  }

  it("mints paying USDC: prints the quote, the bound and the NAV comparison, and reports what was actually paid", async () => {
    await deployed.restore();
    const [me] = await hre.ethers.getSigners();
    const before = await usdcOf().balanceOf(me!.address);
    const out = await runTask(hre, "index:mint", { index: "MAG7", shares: "20", pay: "USDC", maxSlippageBps: "50", maxNavDeviationBps: "200", zap });
    expect(out).to.match(/quote: [\d.]+ USDC .* against a Chainlink NAV of \$[\d,.]+: [\d.]+% worse than NAV/);
    expect(out).to.match(/bound sent: maxAmountIn = [\d.]+ USDC \(quote \+ 50 bps\)/);
    const paid = before - (await usdcOf().balanceOf(me!.address));
    expect(out).to.include(`actually paid ${(Number(paid) / 1e6).toString()}`.replace(/\.?0+$/, ""));
    expect(await mag7().balanceOf(me!.address)).to.equal(20n * WAD);
    await expectZapEmpty();

    const mid = await usdcOf().balanceOf(me!.address);
    const out2 = await runTask(hre, "index:redeem", { index: "MAG7", shares: "20", receive: "USDC", maxSlippageBps: "50", maxNavDeviationBps: "200", zap });
    expect(out2).to.match(/bound sent: minAmountOut = [\d.]+ USDC \(quote - 50 bps\)/);
    const got = (await usdcOf().balanceOf(me!.address)) - mid;
    expect(got).to.be.gt(0n);
    expect(got).to.be.lt(paid); // the round trip costs the pools' fees
    expect(await mag7().balanceOf(me!.address)).to.equal(0n);
    await expectZapEmpty();
  });

  it("refuses, sending nothing, a quote worse than NAV by more than the margin (a moved pool)", async () => {
    await deployed.restore();
    const [me, , , , , , , , , attacker] = await hre.ethers.getSigners();
    // Push cbBTC up ~20% on both of its hub pools.
    const market = { chainId: record.chainId, tokens: record.tokens, uniswap: record.uniswap, hubs: record.hubs } as unknown as MarketAddresses;
    const { router } = uniswapContracts(market, attacker!);
    for (const [hub, amount] of [["USDC", 20_000_000n * 10n ** 6n], ["WETH", 6_000n * WAD]] as const) {
      const t = MockERC20__factory.connect(record.tokens[hub]!.address, attacker!);
      await (await t.mint(attacker!.address, amount)).wait();
      await (await t.approve(router, amount)).wait();
      await (await router.exactInput({ path: encodePath([t.target as string, record.tokens.cbBTC!.address], [3000]), recipient: attacker!.address, deadline: 2n ** 48n, amountIn: amount, amountOutMinimum: 0n })).wait();
    }
    const before = await usdcOf().balanceOf(me!.address);
    const nonce = await hre.ethers.provider.getTransactionCount(me!.address);
    await expectUserError(hre, "index:mint", { index: "MAG7", shares: "20", pay: "USDC", maxSlippageBps: "50", maxNavDeviationBps: "200", zap }, /worse than the oracle NAV \(limit 2.00%\)/);
    expect(await usdcOf().balanceOf(me!.address)).to.equal(before);
    expect(await hre.ethers.provider.getTransactionCount(me!.address)).to.equal(nonce);
  });

  it("names bad zap arguments before sending anything", async () => {
    await deployed.restore();
    await expectUserError(hre, "index:mint", { index: "MAG7", shares: "1", pay: "NOPE", maxSlippageBps: "50", maxNavDeviationBps: "200", zap }, /unknown token NOPE/);
    await expectUserError(hre, "index:mint", { index: "MAG7", shares: "1", pay: "USDC", maxSlippageBps: "-1", maxNavDeviationBps: "200", zap }, /--max-slippage-bps must be an integer/);
    await expectUserError(hre, "index:redeem", { index: "MAG7", shares: "1", receive: "USDC", maxSlippageBps: "50", maxNavDeviationBps: "200", zap }, /holds 0 MAG7.ssi, cannot redeem 1/);
  });
});
