import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import GovernanceModule from "./Governance";

/**
 * The token -> Chainlink feed registry, administered by the protocol's timelock (`Governance`): every
 * feed change waits out its delay. `ssi:deploy` schedules the market's feeds through the timelock and
 * executes them once ready.
 */
export default buildModule("PriceRegistry", (m) => {
  const { timelock } = m.useModule(GovernanceModule);
  const priceRegistry = m.contract("PriceRegistry", [timelock]);
  return { timelock, priceRegistry };
});
