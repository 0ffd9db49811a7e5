/**
 * Deploys the mainnet-like local market (SAMPLE prices) and writes its addresses file.
 *
 *   npx hardhat node --hostname 127.0.0.1            # in one terminal
 *   npx hardhat run --network localhost scripts/deploy-market.ts
 *
 * Writes deployments/<network>.json (deployments/localhost.json for the command above); on the
 * in-process "hardhat" network, which ends with the command, it writes nothing.
 */
import hre from "hardhat";
import { deployMarket } from "../chain/market";

async function main(): Promise<void> {
  const [signer] = await hre.ethers.getSigners();
  const outFile = hre.network.name === "hardhat" ? undefined : `deployments/${hre.network.name}.json`;
  const t0 = Date.now();
  const market = await deployMarket(signer, { outFile, network: hre.network.name, log: (l) => console.error(l) });
  console.error(
    `market: ${Object.keys(market.tokens).length} tokens on chain ${market.chainId} in ${Date.now() - t0} ms -> ${outFile ?? "(in-process network: no file written)"}`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
