import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractRef, ModuleBuilder } from "./builder";
import { ROLE } from "./roles";
import WeightOracleModule from "./WeightOracle";

/** The SSI products deployed as IndexVault instances. */
export const SSI_PRODUCTS = ["MAG7", "MEME", "DEFI"] as const;
export type SsiProduct = (typeof SSI_PRODUCTS)[number];

/**
 * An IndexVault and its role grants, in the calling module: the one place they are written, used by
 * every SSI product's `IndexVault_<PRODUCT>` and by SANX's `IndexVault_SANX` (`./Sanx.ts`).
 *
 * Parameters (the calling module's, or `$global`): `name` and `symbol` (defaults `label`), `admin`,
 * `guardian`, `feeRecipient`, `feeRate` and `maxFeeRate` (WAD per year), `initialNavPerShare`
 * (1e18 USD per token).
 * Roles: ORACLE_ROLE to `oracleHolder` (the WeightOracle for an SSI product; none here for SANX, whose
 * SanxBasket gate is built over the vault and gets the role in `Sanx`), GUARDIAN_ROLE to `guardian`,
 * DEFAULT_ADMIN_ROLE to `admin`. The deployer is the constructor admin so it can grant them; the deploy
 * task renounces it when `admin` is another account and verifies every role on chain. The vault's
 * trading role (REBALANCER_ROLE) goes to its Rebalancer (`rebalancerFuture` in `./Rebalance.ts`).
 */
export function indexVaultFuture(
  m: ModuleBuilder,
  opts: { label: { name: string; symbol: string }; priceRegistry: ContractRef; oracleHolder?: ContractRef },
) {
  const deployer = m.getAccount(0);
  const vault = m.contract(
    "IndexVault",
    [
      {
        name: m.getParameter("name", opts.label.name),
        symbol: m.getParameter("symbol", opts.label.symbol),
        admin: deployer,
        priceRegistry: opts.priceRegistry,
        initialNavPerShare: m.getParameter<bigint>("initialNavPerShare"),
        maxFeeRate: m.getParameter<bigint>("maxFeeRate"),
        feeRate: m.getParameter<bigint>("feeRate"),
        feeRecipient: m.getParameter("feeRecipient", deployer),
      },
    ],
    { id: "IndexVault" },
  );
  if (opts.oracleHolder !== undefined) m.call(vault, "grantRole", [ROLE.ORACLE, opts.oracleHolder], { id: "grantOracle" });
  m.call(vault, "grantRole", [ROLE.GUARDIAN, m.getParameter("guardian", deployer)], { id: "grantGuardian" });
  m.call(vault, "grantRole", [ROLE.DEFAULT_ADMIN, m.getParameter("admin", deployer)], { id: "grantAdmin" });
  return vault;
}

/**
 * One IndexVault per product, module id `IndexVault_<PRODUCT>` (so MAG7, MEME and DEFI are distinct
 * instances with their own parameters), over the shared PriceRegistry and WeightOracle, the oracle
 * holding ORACLE_ROLE. Default name/symbol `<PRODUCT>.ssi Index` / `<PRODUCT>.ssi`.
 */
export function indexVaultModule(product: SsiProduct) {
  return buildModule(`IndexVault_${product}`, (m) => {
    const { priceRegistry, weightOracle } = m.useModule(WeightOracleModule);
    const vault = indexVaultFuture(m, { label: { name: `${product}.ssi Index`, symbol: `${product}.ssi` }, priceRegistry, oracleHolder: weightOracle });
    return { priceRegistry, weightOracle, vault };
  });
}

export const MAG7VaultModule = indexVaultModule("MAG7");
export const MEMEVaultModule = indexVaultModule("MEME");
export const DEFIVaultModule = indexVaultModule("DEFI");
