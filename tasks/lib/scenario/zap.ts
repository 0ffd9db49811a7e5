/**
 * Demo section: one-token mint and redeem through IndexZap (issue 11). Carol holds only USDC: she mints about
 * $10,000 of MAG7.ssi paying USDC (the zap buys every constituent's exact amount on the local Uniswap V3 pools)
 * and redeems it all back to USDC, through the same code as `index:mint --pay USDC` / `index:redeem --receive USDC`.
 * The summary shows the round trip's cost in bps of NAV.
 */
import ZapModule from "../../../ignition/modules/Zap";
import { runZapTask } from "../zap";
import { vaultOf } from "../../../chain/ssi";
import { MockERC20__factory } from "../../../typechain-types";
import { requireDeployment, type DemoContext, type DemoSection } from "./context";

const WAD = 10n ** 18n;

export const zapSection: DemoSection = {
  name: "One-token zap (MAG7.ssi with USDC only)",
  async run(ctx: DemoContext) {
    const { hre, print } = ctx;
    const record = requireDeployment(ctx);
    const carol = (await hre.ethers.getSigners())[9]!;
    print.heading("Zap: a user holding only USDC mints MAG7.ssi and redeems it back to USDC");
    const { zap } = await hre.ignition.deploy(ZapModule, {
      displayUi: false,
      parameters: { IndexZap: { router: record.uniswap!.router!, routerKind: record.uniswap!.routerKind === "SwapRouter02" ? 1 : 0, weth: record.tokens.WETH!.address } },
    });
    const zapAddress = await zap.getAddress();
    const usdc = MockERC20__factory.connect(record.tokens.USDC!.address, ctx.signers.deployer);
    await (await usdc.mint(carol.address, 20_000n * 10n ** 6n)).wait();
    const mag7 = vaultOf(record, "MAG7", carol);
    const vault = await mag7.getAddress();
    const shares = (10_000n * WAD * WAD) / (await mag7.navPerShare()); // about $10,000 at NAV, rounded down
    print.line(`IndexZap at ${zapAddress} (no roles, no admin); Carol holds ${Number(await usdc.balanceOf(carol.address)) / 1e6} USDC and nothing else`);
    const common = { vault, symbol: "MAG7.ssi", shares, token: "USDC", maxSlippageBps: 50, zap: zapAddress };
    const minted = await runZapTask(hre, record, carol, { side: "mint", ...common });
    const redeemed = await runZapTask(hre, record, carol, { side: "redeem", ...common });
    const nav = ((await mag7.navPerShare()) * shares) / WAD; // {USD, 1e18}
    const costBps = Number(((minted.actual - redeemed.actual) * 10n ** 12n * 10_000_000n) / nav) / 1000;
    const line = `Carol paid ${Number(minted.actual) / 1e6} USDC for ${Number(shares) / 1e18} MAG7.ssi (NAV $${(Number(nav) / 1e18).toFixed(2)}) and got ${Number(redeemed.actual) / 1e6} USDC back: round trip ${costBps} bps of NAV (pool fees both ways plus price impact)`;
    print.line(line);
    ctx.summary.push({ section: this.name, lines: [line, `gas: mint ${minted.gasUsed}, redeem ${redeemed.gasUsed}`] });
  },
};
