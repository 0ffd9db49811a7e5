import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractRef, ModuleBuilder } from "./builder";
import { scheduleWiring, type WiringCall } from "./Governance";
import { SSI_PRODUCTS, type SsiProduct } from "./constants";
import { ROLE } from "./roles";

export { SSI_PRODUCTS, type SsiProduct };
import WeightOracleModule from "./WeightOracle";


/**
 * An IndexVault and its role grants, in the calling module: the one place they are written, used by
 * every SSI product's `IndexVault_<PRODUCT>` and by SANX's `IndexVault_SANX` (`./Sanx.ts`).
 *
 * Parameters (the calling module's, or `$global`): `name` and `symbol` (defaults `label`),
 * `guardian`, `feeRecipient`, `feeRate` and `maxFeeRate` (WAD per year), `initialNavPerShare`
 * (1e18 USD per token).
 * Roles: DEFAULT_ADMIN_ROLE to `timelock` in the constructor (the only admin: there is no `admin`
 * parameter); ORACLE_ROLE to `oracleHolder` (the WeightOracle for an SSI product; none here for SANX,
 * whose SanxBasket gate is built over the vault and gets the role in `Sanx`) and GUARDIAN_ROLE to
 * `guardian`, both scheduled through the timelock (salt `salt`) and executed by the deploy task once
 * the delay has passed. The vault's trading role (REBALANCER_ROLE) goes to its Rebalancer
 * (`rebalancerFuture` in `./Rebalance.ts`).
 */
export function indexVaultFuture(
  m: ModuleBuilder,
  opts: { label: { name: string; symbol: string }; priceRegistry: ContractRef; timelock: ContractRef; salt: string; oracleHolder?: ContractRef },
) {
  const deployer = m.getAccount(0);
  const vault = m.contract(
    "IndexVault",
    [
      {
        name: m.getParameter("name", opts.label.name),
        symbol: m.getParameter("symbol", opts.label.symbol),
        admin: opts.timelock,
        priceRegistry: opts.priceRegistry,
        initialNavPerShare: m.getParameter<bigint>("initialNavPerShare"),
        maxFeeRate: m.getParameter<bigint>("maxFeeRate"),
        feeRate: m.getParameter<bigint>("feeRate"),
        feeRecipient: m.getParameter("feeRecipient", deployer),
      },
    ],
    { id: "IndexVault" },
  );
  const calls: WiringCall[] = [[vault, "grantRole", [ROLE.GUARDIAN, m.getParameter("guardian", deployer)]]];
  if (opts.oracleHolder !== undefined) calls.push([vault, "grantRole", [ROLE.ORACLE, opts.oracleHolder]]);
  scheduleWiring(m, opts.timelock, calls, opts.salt);
  return vault;
}

/**
 * One IndexVault per product, module id `IndexVault_<PRODUCT>` (so MAG7, MEME and DEFI are distinct
 * instances with their own parameters), over the shared PriceRegistry and WeightOracle, the oracle
 * holding ORACLE_ROLE. Default name/symbol `<PRODUCT>.ssi Index` / `<PRODUCT>.ssi`.
 */
export function indexVaultModule(product: SsiProduct) {
  return buildModule(`IndexVault_${product}`, (m) => {
    const { timelock, priceRegistry, weightOracle } = m.useModule(WeightOracleModule);
    const vault = indexVaultFuture(m, { label: { name: `${product}.ssi Index`, symbol: `${product}.ssi` }, priceRegistry, timelock, salt: `IndexVault_${product}`, oracleHolder: weightOracle });
    return { timelock, priceRegistry, weightOracle, vault };
  });
}

export const MAG7VaultModule = indexVaultModule("MAG7");
export const MEMEVaultModule = indexVaultModule("MEME");
export const DEFIVaultModule = indexVaultModule("DEFI");
