/**
 * sanx:deploy: the SANX contracts through the Sanx Ignition module over an existing SSI deployment
 * (its PriceRegistry and WeightOracle, its market's tokens), roles verified on chain, and the `sanx`
 * part added to `deployments/<network>.json`. Parameters: `ignition/parameters/<network>.json`
 * (`$global`, optional `Sanx`, `IndexVault_SANX` and `Rebalance_SANX`), completed from the record
 * (the SANX Rebalancer whitelists the record's `protocol.tradeAdapter`).
 */
import { getAddress, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import SanxModule, { SIGNAL_SOURCE_ROLE } from "../../ignition/modules/Sanx";
import { REBALANCE_LIMIT_DEFAULTS } from "../../ignition/modules/Rebalance";
import { ROLE } from "../../ignition/modules/roles";
import { IndexVault__factory, Rebalancer__factory, SanxBasket__factory, SanxController__factory, SignalOracle__factory } from "../../typechain-types";
import { defiSymbols } from "../../src/sanx/data";
import { fail } from "./args";
import { saveDeployment, tokensForSymbols, type DeploymentRecord } from "../../chain/deployment";
import { buildRoleTable, checkPowerBeforeDeploy, governanceParams, loadIgnitionParameters, loadRecord, verifyTimelock } from "../../chain/ssi";
import { TimelockController__factory, checkRoleTable, executePending, forgetPending, pendingBatches, pendingFrom, rememberPending, renounceBootstrap, type AccessControlled } from "../../chain/governance";
import { MockAggregator__factory } from "../../typechain-types";
import type { Log, SanxPart, SanxRecord } from "../../chain/sanx";
import { clientFromHre } from "./client";

export type { SanxPart, SanxRecord };

export interface SanxDeployOptions {
  /** Reserve asset symbol; default USDC. */
  reserve?: string;
  /** Testnets: accept a plain key or the deployer in a position of power, with loud warnings (see ssi:deploy). */
  allowEoaAdmin?: boolean;
  log?: Log;
}

export async function deploySanx(hre: HardhatRuntimeEnvironment, opts: SanxDeployOptions = {}): Promise<SanxRecord> {
  const log = opts.log ?? (() => undefined);
  const record = await loadRecord(clientFromHre(hre));
  const params = loadIgnitionParameters(hre.network.name);
  const reserveSymbol = (opts.reserve ?? "USDC").toUpperCase();
  const [reserve] = tokensForSymbols(record, [reserveSymbol]);
  const defi = defiSymbols();
  const universe = Object.keys(record.assets).filter((s) => defi.has(s.toUpperCase())).sort();
  if (universe.length === 0) fail(`the market in deployments/${record.network}.json has no DeFi token for the SANX universe`);
  const universeTokens = tokensForSymbols(record, universe);
  const given = (params.Sanx ?? {}) as Record<string, unknown>;
  const signers = (Array.isArray(given.signers) ? (given.signers as string[]) : record.protocol.signers).map((s) => getAddress(s));
  const quorum = Number(given.quorum ?? record.protocol.quorum);
  const delayDays = Number(given.delayDays ?? 3);
  const [deployer] = await hre.ethers.getSigners();
  const global = (params.$global ?? {}) as Record<string, unknown>;
  const guardian = getAddress(typeof global.guardian === "string" ? global.guardian : deployer!.address);
  const keeper = getAddress(typeof global.keeper === "string" ? global.keeper : deployer!.address);
  const adapter = record.protocol.tradeAdapter;
  if (adapter === undefined) fail(`deployments/${record.network}.json names no trade adapter (protocol.tradeAdapter): run ssi:deploy again, then sanx:deploy`);
  const feeRecipient = getAddress(typeof global.feeRecipient === "string" ? global.feeRecipient : deployer!.address);
  // Who will hold power: SANX's own timelock (module SanxGovernance), refused on a non-local network
  // when a plain key would control it (issue 13).
  const gp = governanceParams(params, "SanxGovernance", deployer!.address);
  const warnings = await checkPowerBeforeDeploy(clientFromHre(hre), { gp, roles: { guardian, keeper, feeRecipient }, deployer: deployer!.address, allowEoaAdmin: opts.allowEoaAdmin === true, what: "sanx:deploy" });
  for (const w of warnings) log(w);
  const startBlock = await hre.ethers.provider.getBlockNumber();
  const limitParams = { ...REBALANCE_LIMIT_DEFAULTS, ...((params.$global ?? {}) as object), ...((params.Rebalance_SANX ?? {}) as object) } as Record<string, unknown>;

  const parameters = {
    ...params,
    IndexVault_SANX: { priceRegistry: record.protocol.priceRegistry, weightOracle: record.protocol.weightOracle, ...((params.IndexVault_SANX ?? {}) as object) },
    Sanx: { ...given, signers, quorum, delayDays, reserveAsset: reserve, universe: universeTokens },
    Rebalance_SANX: { ...((params.Rebalance_SANX ?? {}) as object), adapter: getAddress(adapter) },
  };
  let deployed;
  try {
    deployed = await hre.ignition.deploy(SanxModule, { parameters: parameters as never, displayUi: false });
  } catch (e) {
    fail(`Ignition deployment of Sanx failed: ${(e as Error).message}`);
  }
  const addr = {
    signalOracle: await deployed.signalOracle.getAddress(),
    controller: await deployed.controller.getAddress(),
    basket: await deployed.basket.getAddress(),
    vault: await deployed.vault.getAddress(),
    rebalancer: await deployed.rebalancer.getAddress(),
  };
  const timelock = TimelockController__factory.connect(await deployed.timelock.getAddress(), deployer);
  const admin = await timelock.getAddress();
  const fromBlock = pendingFrom(hre.network.name, "sanx", admin, startBlock);
  log(`SANX deployed through Ignition (Sanx): SignalOracle ${addr.signalOracle}, SanxController ${addr.controller}, SanxBasket ${addr.basket}, vault ${addr.vault}, Rebalancer ${addr.rebalancer}; admin: TimelockController ${admin}`);

  // == Execute the wiring Ignition scheduled on the timelock, once the delay has passed ==
  const local = hre.network.name === "hardhat" || hre.network.name === "localhost";
  const { executed, waiting } = await executePending(timelock, await pendingBatches(timelock, fromBlock), {
    local,
    beforeExecute: async () => {
      if (local) await refreshMockFeeds(deployer!, record);
    },
  });
  log(`${executed.length} governance batch(es) executed through the SANX timelock`);
  if (waiting.length > 0) {
    const at = waiting.reduce((a, b) => (b.readyAt > a ? b.readyAt : a), 0n);
    rememberPending(hre.network.name, "sanx", admin, fromBlock);
    fail(`the SANX wiring is queued on the timelock ${admin} until ${new Date(Number(at) * 1000).toISOString()}: run sanx:deploy again after that time`);
  }
  forgetPending(hre.network.name, "sanx");
  const renounced = await renounceBootstrap(timelock, deployer!.address, gp);
  if (renounced.length > 0) log(`the deployer renounced its bootstrap roles on the SANX timelock: ${renounced.join(", ")}`);
  const controller = SanxController__factory.connect(addr.controller, deployer);
  const signalOracle = SignalOracle__factory.connect(addr.signalOracle, deployer);
  const vault = IndexVault__factory.connect(addr.vault, deployer);
  const basket = SanxBasket__factory.connect(addr.basket, deployer);
  const rebalancer = Rebalancer__factory.connect(addr.rebalancer, deployer);

  // == Verify on chain ==
  const problems: string[] = [];
  const role = async (c: { hasRole(r: string, a: string): Promise<boolean> }, what: string, r: string, name: string, who: string, want = true) => {
    if ((await c.hasRole(r, who)) !== want) problems.push(`${what}: ${who} ${want ? "lacks" : "still holds"} ${name}`);
  };
  await role(vault, "SANX vault", ROLE.ORACLE, "ORACLE_ROLE", addr.basket);
  await role(vault, "SANX vault", ROLE.ORACLE, "ORACLE_ROLE", record.protocol.weightOracle, false);
  await role(vault, "SANX vault", ROLE.GUARDIAN, "GUARDIAN_ROLE", guardian);
  await role(vault, "SANX vault", ROLE.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", admin);
  await role(controller, "SanxController", SIGNAL_SOURCE_ROLE, "SIGNAL_SOURCE_ROLE", addr.signalOracle);
  await role(controller, "SanxController", ROLE.GUARDIAN, "GUARDIAN_ROLE", guardian);
  await role(controller, "SanxController", ROLE.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", admin);
  await role(signalOracle, "SignalOracle", ROLE.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", admin);
  await role(vault, "SANX vault", ROLE.REBALANCER, "REBALANCER_ROLE", addr.rebalancer);
  await role(rebalancer, "SANX Rebalancer", ROLE.KEEPER, "KEEPER_ROLE", keeper);
  await role(rebalancer, "SANX Rebalancer", ROLE.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", admin);
  problems.push(...(await verifyTimelock(timelock, gp)));
  const roleTable = await buildRoleTable(
    {
      TimelockController: timelock as unknown as AccessControlled,
      SanxController: controller as unknown as AccessControlled,
      SignalOracle: signalOracle as unknown as AccessControlled,
      "SANX vault": vault as unknown as AccessControlled,
      "SANX Rebalancer": rebalancer as unknown as AccessControlled,
    },
    admin,
    fromBlock,
  );
  const same = (a: string) => a.toLowerCase() === deployer!.address.toLowerCase();
  const mayHold = new Set<string>();
  if (gp.proposers.some(same)) mayHold.add("TimelockController:PROPOSER_ROLE").add("TimelockController:CANCELLER_ROLE");
  if (gp.executors.some(same)) mayHold.add("TimelockController:EXECUTOR_ROLE");
  if (same(guardian)) for (const c of ["TimelockController:CANCELLER_ROLE", "SanxController:GUARDIAN_ROLE", "SANX vault:GUARDIAN_ROLE"]) mayHold.add(c);
  if (same(keeper)) mayHold.add("SANX Rebalancer:KEEPER_ROLE");
  problems.push(...checkRoleTable(roleTable, deployer!.address, mayHold));
  if ((await rebalancer.vault()) !== addr.vault) problems.push(`SANX Rebalancer: trades for ${await rebalancer.vault()}, not the SANX vault`);
  if (!(await rebalancer.isAdapter(adapter))) problems.push(`SANX Rebalancer: the trade adapter ${adapter} is not whitelisted`);
  const lim = await rebalancer.limits();
  for (const k of Object.keys(REBALANCE_LIMIT_DEFAULTS) as (keyof typeof REBALANCE_LIMIT_DEFAULTS)[]) {
    if (BigInt(lim[k]) !== BigInt(limitParams[k] as bigint)) problems.push(`SANX Rebalancer: limit ${k} is ${lim[k]}, the parameters say ${String(limitParams[k])}`);
  }
  if ((await controller.basket()) !== addr.basket) problems.push("SanxController: basket is not the SanxBasket");
  if ((await signalOracle.controller()) !== addr.controller) problems.push("SignalOracle: controller is not the SanxController");
  if ((await basket.vault()) !== addr.vault || (await basket.controller()) !== addr.controller) problems.push("SanxBasket: vault or controller miswired");
  if ((await basket.weightOracle()) !== record.protocol.weightOracle) problems.push("SanxBasket: weight oracle is not the recorded WeightOracle");
  if ((await basket.reserveAsset()) !== reserve) problems.push(`SanxBasket: reserve is not ${reserveSymbol}`);
  if (Number(await controller.delayDays()) !== delayDays) problems.push(`SanxController: delay is not ${delayDays} days`);
  const onChain = new Set((await signalOracle.universe()).map((a) => getAddress(a)));
  if (onChain.size !== universeTokens.length || !universeTokens.every((t) => onChain.has(t))) problems.push("SignalOracle: universe differs from the market's DeFi tokens");
  for (const s of signers) if (!(await signalOracle.isSigner(s))) problems.push(`SignalOracle: ${s} is not a signer`);
  if (Number(await signalOracle.quorum()) !== quorum) problems.push(`SignalOracle: quorum is not ${quorum}`);
  if (problems.length > 0) fail(`SANX deployment verification FAILED on chain:\n  - ${problems.join("\n  - ")}`);
  log(`roles and wiring verified on chain (gate holds the vault's ORACLE_ROLE, the WeightOracle does not; the Rebalancer its REBALANCER_ROLE, with the shared adapter; signals ${quorum}-of-${signers.length}; universe ${universe.join(", ")}; reserve ${reserveSymbol}; delay ${delayDays} days)`);

  const out: SanxRecord = {
    ...record,
    sanx: {
      ...addr,
      admin,
      timelock: { address: admin, minDelay: Number(await timelock.getMinDelay()), proposers: gp.proposers, executors: gp.executors, cancellers: [...new Set([...gp.proposers, gp.guardian])] },
      roleHolders: Object.fromEntries(Object.entries(roleTable).map(([n, c]) => [n, { address: c.address, ...c.roles }])),
      ...(warnings.length > 0 ? { warnings } : {}),
      reserve: reserveSymbol,
      universe,
      signers,
      quorum,
      delayDays,
      block: await hre.ethers.provider.getBlockNumber(),
    },
  };
  saveDeployment(out);
  log(`deployment record updated: deployments/${record.network}.json (sanx)`);
  return out;
}

/** Re-stamps the record's mock feeds after a local time travel (real Chainlink feeds are left alone). */
async function refreshMockFeeds(signer: Signer, record: DeploymentRecord): Promise<void> {
  for (const t of Object.values(record.tokens)) {
    if (t.feedKind === "chainlink") continue;
    try {
      const feed = MockAggregator__factory.connect(t.feed, signer);
      await (await feed.updateAnswer(await feed.latestAnswer())).wait();
    } catch {
      // not a mock: left as it is
    }
  }
}
