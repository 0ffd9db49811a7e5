import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { DEFIVaultModule, MAG7VaultModule, MEMEVaultModule } from "./IndexVault";
import RebalanceModule from "./Rebalance";

/**
 * The whole SSI protocol: PriceRegistry, WeightOracle and the MAG7.ssi, MEME.ssi and DEFI.ssi vaults
 * (the registry and the oracle are shared: `useModule` deploys each once), and per vault its
 * Rebalancer with the shared UniswapV3Adapter (`./Rebalance.ts`).
 * Every one of them is administered by one TimelockController (`./Governance.ts`); the adapter has no admin.
 * Parameters: `ignition/parameters/<network>.json`.
 */
export default buildModule("SsiProtocol", (m) => {
  const { timelock, priceRegistry, weightOracle, vault: MAG7 } = m.useModule(MAG7VaultModule);
  const { vault: MEME } = m.useModule(MEMEVaultModule);
  const { vault: DEFI } = m.useModule(DEFIVaultModule);
  const { adapter, MAG7Rebalancer, MEMERebalancer, DEFIRebalancer } = m.useModule(RebalanceModule);
  return { timelock, priceRegistry, weightOracle, MAG7, MEME, DEFI, adapter, MAG7Rebalancer, MEMERebalancer, DEFIRebalancer };
});
