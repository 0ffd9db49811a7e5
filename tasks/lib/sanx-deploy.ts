/**
 * sanx:deploy: the SANX contracts through the Sanx Ignition module over an existing SSI deployment
 * (its PriceRegistry and WeightOracle, its market's tokens), roles verified on chain, and the `sanx`
 * part added to `deployments/<network>.json`. Parameters: `ignition/parameters/<network>.json`
 * (`$global`, optional `Sanx` and `IndexVault_SANX`), completed from the record.
 */
import { getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import SanxModule, { SIGNAL_SOURCE_ROLE } from "../../ignition/modules/Sanx";
import { ROLE } from "../../ignition/modules/roles";
import { IndexVault__factory, SanxBasket__factory, SanxController__factory, SignalOracle__factory } from "../../typechain-types";
import { defiSymbols } from "../../src/sanx/data";
import { fail } from "./args";
import { saveDeployment, tokensForSymbols, type DeploymentRecord } from "./deployment";
import { loadIgnitionParameters, loadRecord } from "./ssi-chain";
import type { Log } from "./sanx-chain";

/** What sanx:deploy adds to the deployment record. */
export interface SanxPart {
  signalOracle: string;
  controller: string;
  basket: string;
  vault: string;
  /** Reserve asset symbol (a key of `assets`). */
  reserve: string;
  /** SANX universe symbols (token-list `defi`, non-stablecoin, present in the market). */
  universe: string[];
  signers: string[];
  quorum: number;
  delayDays: number;
  block: number;
}

export type SanxRecord = DeploymentRecord & { sanx: SanxPart };

export interface SanxDeployOptions {
  /** Reserve asset symbol; default USDC. */
  reserve?: string;
  log?: Log;
}

export async function deploySanx(hre: HardhatRuntimeEnvironment, opts: SanxDeployOptions = {}): Promise<SanxRecord> {
  const log = opts.log ?? (() => undefined);
  const record = await loadRecord(hre);
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
  const admin = getAddress(typeof global.admin === "string" ? global.admin : deployer!.address);
  const guardian = getAddress(typeof global.guardian === "string" ? global.guardian : deployer!.address);

  const parameters = {
    ...params,
    IndexVault_SANX: { priceRegistry: record.protocol.priceRegistry, weightOracle: record.protocol.weightOracle, ...((params.IndexVault_SANX ?? {}) as object) },
    Sanx: { ...given, signers, quorum, delayDays, reserveAsset: reserve, universe: universeTokens },
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
  };
  log(`SANX deployed through Ignition (Sanx): SignalOracle ${addr.signalOracle}, SanxController ${addr.controller}, SanxBasket ${addr.basket}, vault ${addr.vault}`);

  // == Hand over admin ==
  const controller = SanxController__factory.connect(addr.controller, deployer);
  const signalOracle = SignalOracle__factory.connect(addr.signalOracle, deployer);
  const vault = IndexVault__factory.connect(addr.vault, deployer);
  const basket = SanxBasket__factory.connect(addr.basket, deployer);
  if (admin !== deployer!.address) {
    for (const c of [controller, signalOracle, vault]) await (await c.renounceRole(ROLE.DEFAULT_ADMIN, deployer!.address)).wait();
    log(`admin handed over to ${admin}; the deployer renounced its SANX admin roles`);
  }

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
  log(`roles and wiring verified on chain (gate holds the vault's ORACLE_ROLE, the WeightOracle does not; signals ${quorum}-of-${signers.length}; universe ${universe.join(", ")}; reserve ${reserveSymbol}; delay ${delayDays} days)`);

  const out: SanxRecord = {
    ...record,
    sanx: { ...addr, reserve: reserveSymbol, universe, signers, quorum, delayDays, block: await hre.ethers.provider.getBlockNumber() },
  };
  saveDeployment(out);
  log(`deployment record updated: deployments/${record.network}.json (sanx)`);
  return out;
}
