/**
 * Gas of the USSI request / settle / claim flow (issue 9), measured, not asserted:
 *   npx hardhat run scripts/ussi-gas.ts
 * Deploys the test fixture's vault (6-decimal USDC mock, MAG7.ssi mock, 2-of-3 NAV signers) and
 * prints the gas of each step from the receipts; settlement is measured with 1 and with 20
 * requests in the epoch to show it does not grow with the number of requests (per-epoch totals).
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { USDC, WAD, deployVaultWithHolders, makeReport, nextRound, signReport, type Fixture } from "../test/contracts/ussi/fixture";

async function gas(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  return (await (await tx).wait())!.gasUsed;
}

async function settle(f: Fixture): Promise<bigint> {
  await time.increase(60);
  const r = await makeReport({ round: await nextRound(f), navPerToken: WAD });
  return gas(f.vault.connect(f.outsider).submitNavReport(r, await signReport(f, r)));
}

async function main() {
  const rows: [string, bigint][] = [];
  const f = await deployVaultWithHolders();
  // Warm slots the way a running vault has them (an earlier epoch, balances, allowances).
  rows.push(["requestDeposit (USDC)", await gas(f.vault.connect(f.alice).requestDeposit(100n * USDC))]);
  rows.push(["requestDepositIndex (MAG7.ssi)", await gas(f.vault.connect(f.bob).requestDepositIndex(10n * WAD))]);
  rows.push(["requestRedeem", await gas(f.vault.connect(f.carol).requestRedeem(100n * WAD))]);
  const first = (await f.vault.requestCount()) - 3n;
  rows.push(["submitNavReport + settle (3 requests: USDC, MAG7.ssi, redeem)", await settle(f)]);
  rows.push(["claim (USDC deposit -> USSI)", await gas(f.vault.connect(f.alice).claim(first))]);
  rows.push(["claim (MAG7.ssi deposit -> USSI)", await gas(f.vault.connect(f.bob).claim(first + 1n))]);
  rows.push(["claim (redemption -> USDC, funded from the buffer at settlement)", await gas(f.vault.connect(f.carol).claim(first + 2n))]);
  rows.push(["redeem (instant, from the buffer)", await gas(f.vault.connect(f.alice).redeem(10n * WAD, 0))]);

  await f.vault.connect(f.alice).requestDeposit(100n * USDC);
  rows.push(["submitNavReport + settle (1 request)", await settle(f)]);
  const signers = await ethers.getSigners();
  for (let i = 0; i < 20; i++) await f.vault.connect(signers[4 + (i % 3)]!).requestDeposit(100n * USDC);
  rows.push(["submitNavReport + settle (20 requests)", await settle(f)]);

  // fulfil: a redemption the buffer cannot cover, funded by the strategy.
  await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, (await f.vault.liquidAssets()) - (await f.vault.bufferTarget()));
  await f.vault.connect(f.alice).requestRedeem(900n * WAD);
  await settle(f);
  const [owed, funded] = await f.vault.redemptionFunding();
  rows.push(["fulfil (buffer + strategy USDC)", await gas(f.vault.connect(f.strategy).fulfil(owed - funded))]);

  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`${"step".padEnd(width)}  gas`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v.toLocaleString("en-US")}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
