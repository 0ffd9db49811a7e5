import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * USSI: the admin TimelockController and the UssiVault (METHODOLOGY 6, issue 5). Declarative: every
 * value comes from `m.getParameter` (section `Ussi` of `ignition/parameters/<network>.json`;
 * `ussi:deploy` adds `usdc` and `mag7` from the deployment record).
 *
 * Parameters:
 * - `usdc`: the USD stablecoin; `mag7`: the MAG7.ssi IndexVault (share token and `navPerShare()`).
 * - `minDelay` {s} of the admin timelock (the vault refuses < 1 day), `proposers`, `executors`.
 * - `strategy` (STRATEGY_ROLE), `risk` (RISK_ROLE): two different accounts.
 * - `signers`, `quorum`: the NAV report signer set (m-of-n).
 * - `maxNavAge` {s} (>= 1 hour), `maxNavChangeBps` (10..500, default 50: a delta-neutral book moves
 *   tens of bps between reports), `maxNetDeltaBps`, `bufferTargetBps`, `indexHaircutBps` {bps} (on
 *   MAG7.ssi deposits at settlement, default 100), `instantCapBps` {bps of NAV per epoch, default 100},
 *   `minRequestUsd` {1e18 USD, default 10 USD}: the risk limits (see contracts/ussi/README.md).
 *
 * The vault links the external library `UssiNavLib` (report checks, limits, settlement arithmetic),
 * deployed here first: it keeps the vault under EIP-170 with room to spare.
 *
 * Every role is granted in the constructors: the vault's DEFAULT_ADMIN_ROLE to the timelock,
 * STRATEGY_ROLE and RISK_ROLE to their accounts; the timelock administers itself (no admin account),
 * so the deployer keeps no role on either. Later changes go through the timelock's delay.
 */
export default buildModule("Ussi", (m) => {
  const usdc = m.contractAt("IERC20Metadata", m.getParameter<string>("usdc"), { id: "USDC" });
  const mag7 = m.contractAt("IIndexValuation", m.getParameter<string>("mag7"), { id: "MAG7" });
  const timelock = m.contract(
    "TimelockController",
    [
      m.getParameter<bigint>("minDelay", 86_400n),
      m.getParameter<string[]>("proposers"),
      m.getParameter<string[]>("executors"),
      "0x0000000000000000000000000000000000000000", // no admin: the timelock administers itself
    ],
    { id: "UssiTimelock" }
  );
  const navLib = m.library("UssiNavLib");
  const vault = m.contract(
    "UssiVault",
    [
      {
        usdc,
        indexToken: mag7,
        indexValuation: mag7,
        admin: timelock,
        strategy: m.getParameter<string>("strategy"),
        risk: m.getParameter<string>("risk"),
        signers: m.getParameter<string[]>("signers"),
        quorum: m.getParameter<bigint>("quorum"),
        limits: {
          maxNavAge: m.getParameter<bigint>("maxNavAge", 86_400n),
          maxNavChangeBps: m.getParameter<bigint>("maxNavChangeBps", 50n),
          maxNetDeltaBps: m.getParameter<bigint>("maxNetDeltaBps", 200n),
          bufferTargetBps: m.getParameter<bigint>("bufferTargetBps", 500n),
          indexHaircutBps: m.getParameter<bigint>("indexHaircutBps", 100n),
          instantCapBps: m.getParameter<bigint>("instantCapBps", 100n),
          minRequestUsd: m.getParameter<bigint>("minRequestUsd", 10n * 10n ** 18n),
        },
      },
    ],
    { id: "UssiVault", libraries: { UssiNavLib: navLib } }
  );
  return { timelock, vault };
});
