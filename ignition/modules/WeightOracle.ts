import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ROLE } from "./roles";
import PriceRegistryModule from "./PriceRegistry";

/**
 * The m-of-n signed weight-report oracle over the shared PriceRegistry.
 * Parameters: `signers` (addresses), `quorum`, `maxValidity` (s), `admin` (default: the deployer).
 */
export default buildModule("WeightOracle", (m) => {
  const { priceRegistry } = m.useModule(PriceRegistryModule);
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const signers = m.getParameter<string[]>("signers");
  const quorum = m.getParameter<number>("quorum");
  const maxValidity = m.getParameter<number>("maxValidity", 86_400);
  const weightOracle = m.contract("WeightOracle", [deployer, priceRegistry, signers, quorum]);
  m.call(weightOracle, "setMaxValidity", [maxValidity]);
  m.call(weightOracle, "grantRole", [ROLE.DEFAULT_ADMIN, admin], { id: "grantAdmin" });
  return { priceRegistry, weightOracle };
});
