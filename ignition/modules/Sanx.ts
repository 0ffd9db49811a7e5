import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { SIGNAL_SOURCE_ROLE } from "./constants";
import { ROLE } from "./roles";

export { SIGNAL_SOURCE_ROLE };
import { indexVaultFuture } from "./IndexVault";
import { rebalancerFuture } from "./Rebalance";
import { scheduleWiring, timelockFuture } from "./Governance";

/**
 * SANX's admin TimelockController (module `SanxGovernance`, future id `SanxTimelock`): the same rules as
 * the SSI protocol's (`./Governance.ts`); parameters `minDelay`, `proposers`, `executors`, `guardian`
 * (module `SanxGovernance` or `$global`).
 */
export const SanxGovernanceModule = buildModule("SanxGovernance", (m) => ({ timelock: timelockFuture(m, "SanxTimelock") }));


/**
 * The SANX vault: an IndexVault built by `indexVaultFuture` (`./IndexVault.ts`, the SSI products'
 * constructor and role grants) over the deployed PriceRegistry (`contractAt`, so a separate
 * deployment, e.g. on the in-process network where Ignition keeps no journal, reuses it), with no
 * ORACLE_ROLE holder here: the SanxBasket gate, built over this vault, gets it in `Sanx`; the
 * WeightOracle never does.
 *
 * Parameters: `priceRegistry`, `weightOracle` (addresses), `name`, `symbol`, and the `$global` ones
 * of the SSI vaults: `guardian`, `feeRecipient`, `feeRate`, `maxFeeRate`, `initialNavPerShare`. Its admin
 * is SANX's timelock (`SanxGovernance`).
 */
export const SanxVaultModule = buildModule("IndexVault_SANX", (m) => {
  const { timelock } = m.useModule(SanxGovernanceModule);
  const priceRegistry = m.contractAt("PriceRegistry", m.getParameter<string>("priceRegistry"));
  const weightOracle = m.contractAt("WeightOracle", m.getParameter<string>("weightOracle"));
  const vault = indexVaultFuture(m, { label: { name: "SANX MVRV DeFi Basket", symbol: "SANX" }, priceRegistry, timelock, salt: "IndexVault_SANX" });
  return { timelock, priceRegistry, weightOracle, vault };
});

/**
 * The SANX vault's Rebalancer (module `Rebalance_SANX`): the same Rebalancer and wiring as the SSI
 * products' (`rebalancerFuture` in `./Rebalance.ts`), whitelisting the protocol's shared
 * UniswapV3Adapter, which `ssi:deploy` deployed (`contractAt`).
 *
 * Parameters: `adapter` (address; `sanx:deploy` fills it from the record's `protocol.tradeAdapter`),
 * the limits (`maxSlippageBps`, `toleranceBps`, `cooldown`, `maxWindow`, `feeAccrualInterval`,
 * `maxTradeUsd`) and `keeper` (or `$global`).
 */
export const SanxRebalanceModule = buildModule("Rebalance_SANX", (m) => {
  const { vault, timelock } = m.useModule(SanxVaultModule);
  const adapter = m.contractAt("UniswapV3Adapter", m.getParameter<string>("adapter"), { id: "UniswapV3Adapter" });
  const rebalancer = rebalancerFuture(m, vault, adapter, timelock, "Rebalance_SANX");
  return { vault, rebalancer, adapter };
});

/**
 * SANX: SanxController, SignalOracle, the SanxBasket gate, the SANX IndexVault and its Rebalancer, wired.
 *
 * Parameters (module `Sanx`): `signers` and `quorum` of the SignalOracle, `maxFutureSkew` and
 * `maxValidity` (s), `delayDays`, `reserveAsset` (token address, e.g. USDC) and `universe` (token
 * addresses of the SANX universe); `guardian` defaults to the deployer.
 * Wiring: the controller accepts signals from the oracle and notifies the gate; the gate holds the
 * vault's ORACLE_ROLE (the WeightOracle does not), so SANX weight reports must go through the gate
 * (`report.index` = the gate). The vault trades only through its Rebalancer (`Rebalance_SANX`), which
 * holds its REBALANCER_ROLE. Every contract's admin is SANX's timelock (constructor); the wiring is
 * scheduled through it and executed by `sanx:deploy` once the delay has passed.
 */
export default buildModule("Sanx", (m) => {
  const { timelock, priceRegistry, weightOracle, vault } = m.useModule(SanxVaultModule);
  const { rebalancer } = m.useModule(SanxRebalanceModule);
  const deployer = m.getAccount(0);
  const guardian = m.getParameter("guardian", deployer);

  const controller = m.contract("SanxController", [timelock, guardian]);
  const signalOracle = m.contract("SignalOracle", [
    timelock,
    m.getParameter<string[]>("signers"),
    m.getParameter<number>("quorum"),
    controller,
    m.getParameter<number>("maxFutureSkew", 900),
    m.getParameter<number>("maxValidity", 2 * 86_400),
  ]);
  const basket = m.contract("SanxBasket", [controller, vault, weightOracle, m.getParameter<string>("reserveAsset")]);

  scheduleWiring(
    m,
    timelock,
    [
      [controller, "grantRole", [SIGNAL_SOURCE_ROLE, signalOracle]],
      [controller, "setBasket", [basket]],
      [controller, "setDelayDays", [m.getParameter<number>("delayDays", 3)]],
      [signalOracle, "updateUniverse", [m.getParameter<string[]>("universe"), []]],
      [vault, "grantRole", [ROLE.ORACLE, basket]],
    ],
    "Sanx",
  );

  return { timelock, priceRegistry, weightOracle, vault, controller, signalOracle, basket, rebalancer };
});
