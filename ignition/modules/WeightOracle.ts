import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import PriceRegistryModule from "./PriceRegistry";
import { scheduleWiring } from "./Governance";

/**
 * The m-of-n signed weight-report oracle over the shared PriceRegistry, administered by the protocol's
 * timelock: signer-set, quorum and validity changes wait out its delay.
 * Parameters: `signers` (addresses), `quorum`, `maxValidity` (s, <= 7 days; scheduled through the timelock).
 */
export default buildModule("WeightOracle", (m) => {
  const { timelock, priceRegistry } = m.useModule(PriceRegistryModule);
  const signers = m.getParameter<string[]>("signers");
  const quorum = m.getParameter<number>("quorum");
  const maxValidity = m.getParameter<number>("maxValidity", 86_400);
  const weightOracle = m.contract("WeightOracle", [timelock, priceRegistry, signers, quorum]);
  scheduleWiring(m, timelock, [[weightOracle, "setMaxValidity", [maxValidity]]], "WeightOracle");
  return { timelock, priceRegistry, weightOracle };
});
