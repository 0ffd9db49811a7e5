import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { DEFIVaultModule, MAG7VaultModule, MEMEVaultModule, type SsiProduct } from "./IndexVault";
import type { ContractRef, ModuleBuilder } from "./builder";
import { scheduleWiring } from "./Governance";
import { REBALANCE_LIMIT_DEFAULTS } from "./constants";
import { ROLE } from "./roles";

export { REBALANCE_LIMIT_DEFAULTS };

/**
 * The Uniswap V3 trade adapter shared by every product's Rebalancer.
 * Parameters: `router` (the market's swap router; `ssi:deploy` fills it from the market file when the
 * parameters leave it out), `routerKind` (0 = v3-periphery SwapRouter, the local market; 1 =
 * SwapRouter02, Base and other L2s) and `hub0`, `hub1` (the only tokens a route may pass through,
 * USDC and WETH; `ssi:deploy` fills them from the market file's `hubs`). It has no admin.
 */
export const UniswapV3AdapterModule = buildModule("UniswapV3Adapter", (m) => {
  const adapter = m.contract("UniswapV3Adapter", [
    m.getParameter<string>("router"),
    m.getParameter<number>("routerKind", 0),
    m.getParameter<string>("hub0"),
    m.getParameter<string>("hub1"),
  ]);
  return { adapter };
});


/**
 * The Rebalancer of `vault`, in the calling module (issue 3): the one place its wiring is written,
 * used by every product's `Rebalance_<PRODUCT>` module and by SANX's `Rebalance_SANX` (`./Sanx.ts`).
 * Wiring, scheduled through `timelock` (the Rebalancer's constructor admin, salt `salt`) and executed
 * by the deploy task once the delay has passed: the vault grants REBALANCER_ROLE to its Rebalancer; the
 * Rebalancer takes the limits, whitelists `adapter` and grants KEEPER_ROLE to `keeper`.
 *
 * Limits (the calling module's parameters, or `$global`; IRebalancer.Limits): `maxSlippageBps`
 * {bps, <= 500, default 100}, `toleranceBps` {bps of weight}, `cooldown` {s per pair}, `maxWindow` {s},
 * `feeAccrualInterval` {s}, `maxTradeUsd` {1e18 USD}. The constructor starts the slippage bound at
 * 100 bps whatever it is given, so the limits are also set once with `setLimits` (declarative: the
 * parameters are the limits).
 */
export function rebalancerFuture(m: ModuleBuilder, vault: ContractRef, adapter: ContractRef, timelock: ContractRef, salt: string) {
  const deployer = m.getAccount(0);
  const keeper = m.getParameter("keeper", deployer);
  const d = REBALANCE_LIMIT_DEFAULTS;
  const limits = {
    maxSlippageBps: m.getParameter<number>("maxSlippageBps", d.maxSlippageBps),
    toleranceBps: m.getParameter<number>("toleranceBps", d.toleranceBps),
    cooldown: m.getParameter<number>("cooldown", d.cooldown),
    maxWindow: m.getParameter<number>("maxWindow", d.maxWindow),
    feeAccrualInterval: m.getParameter<number>("feeAccrualInterval", d.feeAccrualInterval),
    maxTradeUsd: m.getParameter<bigint>("maxTradeUsd", d.maxTradeUsd),
  };
  const rebalancer = m.contract("Rebalancer", [vault, timelock, limits], { id: "Rebalancer" });
  scheduleWiring(
    m,
    timelock,
    [
      [rebalancer, "setLimits", [limits]],
      [rebalancer, "setAdapter", [adapter, true]],
      [rebalancer, "grantRole", [ROLE.KEEPER, keeper]],
      [vault, "grantRole", [ROLE.REBALANCER, rebalancer]],
    ],
    salt,
  );
  return rebalancer;
}

const VAULT_MODULES = { MAG7: MAG7VaultModule, MEME: MEMEVaultModule, DEFI: DEFIVaultModule } as const;

/** One Rebalancer per product vault, module id `Rebalance_<PRODUCT>`, with the shared UniswapV3Adapter. */
export function rebalanceModule(product: SsiProduct) {
  return buildModule(`Rebalance_${product}`, (m) => {
    const { vault, timelock } = m.useModule(VAULT_MODULES[product]);
    const { adapter } = m.useModule(UniswapV3AdapterModule);
    const rebalancer = rebalancerFuture(m, vault, adapter, timelock, `Rebalance_${product}`);
    return { vault, rebalancer, adapter };
  });
}

export const MAG7RebalanceModule = rebalanceModule("MAG7");
export const MEMERebalanceModule = rebalanceModule("MEME");
export const DEFIRebalanceModule = rebalanceModule("DEFI");

/** Every product's Rebalancer and the shared adapter. */
export default buildModule("Rebalance", (m) => {
  const { rebalancer: MAG7Rebalancer, adapter } = m.useModule(MAG7RebalanceModule);
  const { rebalancer: MEMERebalancer } = m.useModule(MEMERebalanceModule);
  const { rebalancer: DEFIRebalancer } = m.useModule(DEFIRebalanceModule);
  return { adapter, MAG7Rebalancer, MEMERebalancer, DEFIRebalancer };
});
