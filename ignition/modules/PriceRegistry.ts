import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ROLE } from "./roles";

/**
 * The token -> Chainlink feed registry. The deployer is its first admin (it registers the feeds
 * in `ssi:deploy`); `admin` (default: the deployer) is granted DEFAULT_ADMIN_ROLE here, and the task
 * hands over (the deployer renounces) when `admin` is another account.
 */
export default buildModule("PriceRegistry", (m) => {
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const priceRegistry = m.contract("PriceRegistry", [deployer]);
  m.call(priceRegistry, "grantRole", [ROLE.DEFAULT_ADMIN, admin], { id: "grantAdmin" });
  return { priceRegistry };
});
