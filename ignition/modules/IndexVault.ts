import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ROLE } from "./roles";
import WeightOracleModule from "./WeightOracle";

/** The SSI products deployed as IndexVault instances. */
export const SSI_PRODUCTS = ["MAG7", "MEME", "DEFI"] as const;
export type SsiProduct = (typeof SSI_PRODUCTS)[number];

/**
 * One IndexVault per product, module id `IndexVault_<PRODUCT>` (so MAG7, MEME and DEFI are distinct
 * instances with their own parameters). The factory only fixes the id and the default name/symbol;
 * the module body is declarative.
 *
 * Parameters (module level, or `$global`): `name`, `symbol`, `admin`, `guardian`, `keeper`,
 * `feeRecipient`, `feeRate` and `maxFeeRate` (WAD per year), `initialNavPerShare` (1e18 USD per token).
 * Roles: ORACLE_ROLE to the WeightOracle, GUARDIAN_ROLE to `guardian`, KEEPER_ROLE to `keeper`,
 * DEFAULT_ADMIN_ROLE to `admin`. The deployer is the constructor admin so it can grant them;
 * `ssi:deploy` renounces it when `admin` is another account and verifies every role on chain.
 */
export function indexVaultModule(product: SsiProduct) {
  return buildModule(`IndexVault_${product}`, (m) => {
    const { priceRegistry, weightOracle } = m.useModule(WeightOracleModule);
    const deployer = m.getAccount(0);
    const admin = m.getParameter("admin", deployer);
    const guardian = m.getParameter("guardian", deployer);
    const keeper = m.getParameter("keeper", deployer);
    const vault = m.contract(
      "IndexVault",
      [
        {
          name: m.getParameter("name", `${product}.ssi Index`),
          symbol: m.getParameter("symbol", `${product}.ssi`),
          admin: deployer,
          priceRegistry,
          initialNavPerShare: m.getParameter<bigint>("initialNavPerShare"),
          maxFeeRate: m.getParameter<bigint>("maxFeeRate"),
          feeRate: m.getParameter<bigint>("feeRate"),
          feeRecipient: m.getParameter("feeRecipient", deployer),
        },
      ],
      { id: "IndexVault" },
    );
    m.call(vault, "grantRole", [ROLE.ORACLE, weightOracle], { id: "grantOracle" });
    m.call(vault, "grantRole", [ROLE.GUARDIAN, guardian], { id: "grantGuardian" });
    m.call(vault, "grantRole", [ROLE.KEEPER, keeper], { id: "grantKeeper" });
    m.call(vault, "grantRole", [ROLE.DEFAULT_ADMIN, admin], { id: "grantAdmin" });
    return { priceRegistry, weightOracle, vault };
  });
}

export const MAG7VaultModule = indexVaultModule("MAG7");
export const MEMEVaultModule = indexVaultModule("MEME");
export const DEFIVaultModule = indexVaultModule("DEFI");
