/**
 * The chain-facing operations behind the ssi:* and index:* tasks and the demo: deploy (Ignition +
 * feeds + role verification + record), push weights, mint, redeem, status, faucet. Each takes the
 * Hardhat runtime first; tasks parse arguments and print, the demo prints its own summary.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { TypedDataEncoder, Wallet, getAddress, type BaseContract, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import SsiProtocolModule from "../../ignition/modules/SsiProtocol";
import { SSI_PRODUCTS, type SsiProduct } from "../../ignition/modules/IndexVault";
import { REBALANCE_LIMIT_DEFAULTS } from "../../ignition/modules/Rebalance";
import { ROLE } from "../../ignition/modules/roles";
import {
  IndexVault__factory,
  MockAggregator__factory,
  MockERC20__factory,
  PriceRegistry__factory,
  Rebalancer__factory,
  WeightOracle__factory,
  type IndexVault,
  type Rebalancer,
  type WeightOracle,
} from "../../typechain-types";
import { useEnv } from "../../src/env";
import { InputError } from "../../src/lib/errors";
import { computeIndex, formatWadPercent, PRODUCTS, type IndexComposition, type Universe } from "../../src/methodology";
import { projectRedeemAmounts } from "../../src/vault/fees";
import { fail, firstSigner } from "./args";
import { describeRevert as describeRevertInWords } from "./revert";
import {
  assetMap,
  deploymentFile,
  loadDeployment,
  readMarketFile,
  saveDeployment,
  tokenIndex,
  tokensForSymbols,
  type DeploymentRecord,
  type MarketPart,
  type RecordToken,
} from "./deployment";
import {
  DEFAULT_MIN_DELAY,
} from "../../ignition/modules/Governance";
import {
  MIN_ADMIN_DELAY,
  TIMELOCK_ROLE,
  TimelockController__factory,
  checkRoleTable,
  executePending,
  forgetPending,
  govCall,
  pendingFrom,
  rememberPending,
  pendingBatches,
  renounceBootstrap,
  roleHolders,
  scheduleBatch,
  type AccessControlled,
  type TimelockController,
  type TimelockParams,
} from "./governance";
import {
  DomainMismatchError,
  checkedDomain,
  describeDomain,
  mergeSignatureFiles,
  signToFile,
  signerKeyFor,
  type CheckedDomain,
  type SignatureFile,
} from "./quorum";
import { parseSignedReport, WEIGHT_REPORT_TYPES } from "./reports";
import { recoverReportSigner, signReport, type SignedReport, type WeightReport } from "./reports";
import { TESTNET_FEEDS } from "./testnet-feeds";
import { formatTokenAmount, formatUnitsExact } from "./format";

export { formatUnitsExact, formatUsd } from "./format";
import { deploySampleMarket } from "./market";
import { adapterHubs, refreshFeeds } from "../../scripts/lib/market";

export { SSI_PRODUCTS, type SsiProduct };
export type Log = (line: string) => void;
const quiet: Log = () => undefined;

const LOCAL_NETWORKS = new Set(["hardhat", "localhost"]);

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

export async function chainId(hre: HardhatRuntimeEnvironment): Promise<number> {
  return Number((await hre.ethers.provider.getNetwork()).chainId);
}

/** The record of the connected network, checked against its chain id and for code at the oracle address. */
export async function loadRecord(hre: HardhatRuntimeEnvironment): Promise<DeploymentRecord> {
  if (hre.network.name === "hardhat" && (await hre.ethers.provider.getBlockNumber()) === 0) {
    // A command on the in-process network starts a new, empty chain: deploying "first" cannot help.
    throw new InputError(
      `the in-process network "hardhat" starts empty on every command, so nothing is deployed on it: start a node (\`npx hardhat node\`) in another terminal, ` +
        `deploy there (\`npx hardhat ssi:deploy --network localhost --sample-market\`) and pass --network localhost to every command; or run everything in one process with \`npm run demo\``,
    );
  }
  const record = loadDeployment(hre.network.name, await chainId(hre));
  const code = await hre.ethers.provider.getCode(record.protocol.weightOracle);
  if (code === "0x") {
    throw new InputError(
      `deployments/${hre.network.name}.json points at contracts that are not on this chain` +
        (hre.network.name === "hardhat" ? " (the in-process network starts empty on every run; use --network localhost with `npx hardhat node`)" : "") +
        `: run ssi:deploy first`,
    );
  }
  return record;
}

/** Every index vault the `index:*` tasks serve: the SSI products and SANX (an IndexVault too). */
export const INDEX_VAULTS = [...SSI_PRODUCTS, "SANX"] as const;
export type IndexName = (typeof INDEX_VAULTS)[number];

/** The vault address and token symbol of `index` in the record (SANX: the `sanx` part of sanx:deploy). */
export function vaultEntry(record: DeploymentRecord, index: IndexName): { vault: string; symbol: string } {
  if (index === "SANX") {
    const sanx = (record as DeploymentRecord & { sanx?: { vault?: string } }).sanx;
    if (sanx?.vault === undefined) throw new InputError(`deployments/${record.network}.json has no SANX vault: run sanx:deploy first`);
    return { vault: sanx.vault, symbol: "SANX" };
  }
  const p = record.products[index];
  if (p === undefined) throw new InputError(`deployments/${record.network}.json has no ${index} vault: run ssi:deploy first`);
  return { vault: p.vault, symbol: p.symbol };
}

export function vaultOf(record: DeploymentRecord, product: IndexName, runner: Signer | import("ethers").Provider): IndexVault {
  return IndexVault__factory.connect(vaultEntry(record, product).vault, runner);
}

/**
 * Runs `send` only after the same call succeeds as a static call, so a revert becomes a user-facing
 * error naming the contract error and its arguments, and nothing is sent.
 */
export async function simulateThenSend<T extends { wait(): Promise<unknown> }>(
  contract: BaseContract,
  what: string,
  simulate: () => Promise<unknown>,
  send: () => Promise<T>,
): Promise<T> {
  try {
    await simulate();
  } catch (e) {
    fail(`${what} would revert: ${describeRevert(contract, e)}; nothing was sent`);
  }
  const tx = await send();
  await tx.wait();
  return tx;
}

/** A revert in words (the shared decoder of tasks/lib/revert.ts), else the node's own message. */
export function describeRevert(_contract: BaseContract, e: unknown): string {
  const err = e as { shortMessage?: string; message?: string };
  return describeRevertInWords(e) ?? err.shortMessage ?? err.message ?? String(e);
}

function bigintReviver(_key: string, value: unknown): unknown {
  return typeof value === "string" && /^\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value;
}

/** `ignition/parameters/<network>.json` as Ignition parameters (bigint strings revived, `_` keys dropped). */
export function loadIgnitionParameters(network: string, root = process.cwd(), file = path.join(root, "ignition", "parameters", `${network}.json`)): Record<string, Record<string, unknown>> {
  if (!existsSync(file)) fail(`no Ignition parameters for network "${network}": create ${path.relative(root, file)} (see ignition/parameters/hardhat.json)`);
  let raw: Record<string, Record<string, unknown>>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"), bigintReviver);
  } catch (e) {
    fail(`${path.relative(root, file)} is not valid JSON: ${(e as Error).message}`);
  }
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith("_")));
}

/** The oracle signer keys from ORACLE_SIGNER_KEYS (comma-separated private keys), or undefined. */
export function signerKeysFromEnv(): Wallet[] | undefined {
  const raw = useEnv("ORACLE_SIGNER_KEYS");
  if (raw === undefined) return undefined;
  return raw.split(",").map((k, i) => {
    try {
      return new Wallet(k.trim());
    } catch {
      fail(`ORACLE_SIGNER_KEYS entry ${i + 1} is not a private key (0x followed by 64 hex digits)`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// ssi:deploy
// ---------------------------------------------------------------------------------------------

export interface DeployOptions {
  /** Deploy faucet constituent tokens and feeds first (the sample market). */
  sampleMarket: boolean;
  /** Universe whose `priceUsd` the sample market's mock feeds start at. Default sample/universe.json. */
  priceUniverse?: Universe;
  /** Ignition parameters file. Default `ignition/parameters/<network>.json`. */
  parametersFile?: string;
  /** Local networks: wipe the Ignition journal of this chain first (after restarting `hardhat node`). */
  reset?: boolean;
  /** Testnets: accept a plain key (or the deployer) as timelock proposer/executor, guardian, keeper or fee recipient, with loud warnings in the output and the record. */
  allowEoaAdmin?: boolean;
  /** The block the deployment started at (a resumed run reads the timelock's events from there). */
  fromBlock?: number;
  /**
   * Use this market addresses file (deployments/README.md format, e.g. deployments/base-mainnet.json
   * on a fork of Base, or a local node's market) instead of `deployments/<network>.json`.
   */
  marketFile?: string;
  log?: Log;
}

/**
 * Deploys the protocol through the SsiProtocol Ignition module, registers every market token's feed,
 * hands admin over when the parameters name another admin, verifies roles and wiring on chain, and
 * writes `deployments/<network>.json`.
 */
export async function deploySsi(hre: HardhatRuntimeEnvironment, opts: DeployOptions): Promise<DeploymentRecord> {
  const log = opts.log ?? quiet;
  const network = hre.network.name;
  const id = await chainId(hre);
  const params = loadIgnitionParameters(network, process.cwd(), opts.parametersFile);
  const oracleParams = (params.WeightOracle ??= {});
  if (!Array.isArray(oracleParams.signers) || oracleParams.signers.length === 0) {
    const keys = signerKeysFromEnv();
    if (keys === undefined) fail(`ignition/parameters/${network}.json lists no WeightOracle.signers and ORACLE_SIGNER_KEYS is not set: set one of them`);
    oracleParams.signers = keys.map((k) => k.address);
  }
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined) fail(`network "${network}" has no account to deploy from: set DEPLOYER_KEY`);

  // == The market ==
  let market: MarketPart;
  let sample: boolean;
  if (opts.sampleMarket) {
    market = await deploySampleMarket(deployer, {
      network,
      prices: samplePrices(opts.priceUniverse ?? defaultPriceUniverse()),
      testnetFeeds: TESTNET_FEEDS[network] ?? {},
      log,
    });
    sample = true;
  } else {
    const file = opts.marketFile ?? deploymentFile(network);
    const shown = path.relative(process.cwd(), file);
    const existing = readMarketFile(file);
    if (existing === undefined) fail(`no market for network "${network}" in ${shown}: pass --sample-market to deploy sample tokens`);
    if (existing.chainId !== id) fail(`${shown} is for chain ${existing.chainId}, connected to chain ${id}`);
    market = existing;
    sample = (existing as Partial<DeploymentRecord>).sampleMarket === true;
  }

  // == The trade adapter's router: from the market file unless the parameters name one ==
  const adapterParams = (params.UniswapV3Adapter ??= {});
  if (adapterParams.router === undefined) {
    const router = market.uniswap?.router;
    if (router === undefined) fail(`the market for "${network}" has no uniswap.router and ignition/parameters/${network}.json sets no UniswapV3Adapter.router: the Rebalancers need a swap router`);
    adapterParams.router = getAddress(router);
  }
  adapterParams.routerKind ??= market.uniswap?.routerKind === "SwapRouter02" ? 1 : 0;
  // The only tokens a trade may route through (issue 13): the market's hubs (USDC, WETH).
  if (adapterParams.hub0 === undefined || adapterParams.hub1 === undefined) {
    const hubs = Array.isArray(market.hubs) ? (market.hubs as string[]) : [];
    const [hub0, hub1] = adapterHubs({ hubs, tokens: market.tokens as never });
    adapterParams.hub0 ??= hub0;
    adapterParams.hub1 ??= hub1;
  }

  // == Who will hold power: refused before anything is sent (issue 13) ==
  const gp = governanceParams(params, "Governance", deployer.address);
  const global = params.$global ?? {};
  const addr = (v: unknown) => (typeof v === "string" ? getAddress(v) : deployer.address);
  const roles = {
    guardian: addr(global.guardian),
    keeper: addr(global.keeper),
    feeRecipient: addr(global.feeRecipient),
  };
  const warnings = await checkPowerBeforeDeploy(hre, { gp, roles, deployer: deployer.address, allowEoaAdmin: opts.allowEoaAdmin === true, what: "ssi:deploy" });
  for (const w of warnings) log(w);

  // == The protocol (Ignition): contracts, their admin timelock, and the wiring scheduled on it ==
  const t0 = Date.now();
  const journal = path.join(process.cwd(), "ignition", "deployments", `chain-${id}`);
  if (opts.reset === true) {
    if (!LOCAL_NETWORKS.has(network)) fail(`--reset only wipes the Ignition journal of a local network, not of ${network}`);
    rmSync(journal, { recursive: true, force: true });
  }
  const startBlock = await hre.ethers.provider.getBlockNumber();
  let deployed;
  try {
    deployed = await hre.ignition.deploy(SsiProtocolModule, { parameters: params as never, displayUi: false });
  } catch (e) {
    const hint = network === "localhost" && existsSync(journal) ? ` (after restarting the local node, pass --reset to start a new Ignition deployment)` : "";
    fail(`Ignition deployment of SsiProtocol failed: ${(e as Error).message}${hint}`);
  }
  const timelock = TimelockController__factory.connect(await deployed.timelock.getAddress(), deployer);
  const registry = PriceRegistry__factory.connect(await deployed.priceRegistry.getAddress(), deployer);
  const oracle = WeightOracle__factory.connect(await deployed.weightOracle.getAddress(), deployer);
  const vaults: Record<SsiProduct, IndexVault> = {
    MAG7: IndexVault__factory.connect(await deployed.MAG7.getAddress(), deployer),
    MEME: IndexVault__factory.connect(await deployed.MEME.getAddress(), deployer),
    DEFI: IndexVault__factory.connect(await deployed.DEFI.getAddress(), deployer),
  };
  const rebalancers: Record<SsiProduct, Rebalancer> = {
    MAG7: Rebalancer__factory.connect(await deployed.MAG7Rebalancer.getAddress(), deployer),
    MEME: Rebalancer__factory.connect(await deployed.MEMERebalancer.getAddress(), deployer),
    DEFI: Rebalancer__factory.connect(await deployed.DEFIRebalancer.getAddress(), deployer),
  };
  const adapter = await deployed.adapter.getAddress();
  log(`protocol deployed through Ignition (SsiProtocol) in ${Date.now() - t0} ms; admin: TimelockController ${timelock.target} (delay ${await timelock.getMinDelay()} s)`);

  // == Feeds: scheduled through the timelock like every other admin change ==
  const feedCalls = [];
  for (const [sym, t] of Object.entries(market.tokens)) {
    const [feed, heartbeat] = await registry.feedOf(t.address);
    if (feed.toLowerCase() === t.feed.toLowerCase() && Number(heartbeat) === t.heartbeat) continue;
    feedCalls.push(await govCall(registry, "setFeed", [t.address, t.feed, t.heartbeat], `PriceRegistry.setFeed(${sym})`));
  }
  const recordFrom = opts.fromBlock ?? pendingFrom(network, "ssi", String(timelock.target), startBlock);
  const pendingBefore = await pendingBatches(timelock, recordFrom);
  const feedsQueued = pendingBefore.some((b) => b.calls.some((c) => c.target.toLowerCase() === String(registry.target).toLowerCase()));
  if (feedCalls.length > 0 && !feedsQueued) {
    await scheduleBatch(timelock, feedCalls);
    log(`${feedCalls.length} price feeds scheduled through the timelock`);
  }

  // == Execute the wiring once the delay has passed (local networks: time travel) ==
  const local = LOCAL_NETWORKS.has(network);
  const { executed, waiting } = await executePending(timelock, await pendingBatches(timelock, recordFrom), {
    local,
    beforeExecute: async () => {
      if (local) await refreshLocalFeeds(deployer, market);
    },
  });
  log(`${executed.length} governance batch(es) executed through the timelock`);
  if (waiting.length > 0) {
    const at = waiting.reduce((a, b) => (b.readyAt > a ? b.readyAt : a), 0n);
    rememberPending(network, "ssi", String(timelock.target), recordFrom);
    fail(
      `the deployment's wiring is queued on the timelock ${timelock.target} until ${new Date(Number(at) * 1000).toISOString()} ` +
        `(${waiting.length} batch(es)); run ssi:deploy again after that time to execute it, renounce the deployer's bootstrap roles and verify`,
    );
  }
  forgetPending(network, "ssi");
  const renounced = await renounceBootstrap(timelock, deployer.address, gp);
  if (renounced.length > 0) log(`the deployer renounced its bootstrap roles on the timelock: ${renounced.join(", ")}`);

  // == Verify on chain ==
  const problems: string[] = [];
  const expectRole = async (c: { hasRole(r: string, a: string): Promise<boolean> }, what: string, role: string, roleName: string, who: string, want = true) => {
    if ((await c.hasRole(role, who)) !== want) problems.push(`${what}: ${who} ${want ? "lacks" : "still holds"} ${roleName}`);
  };
  const admin = await timelock.getAddress();
  for (const [name, v] of Object.entries(vaults)) {
    await expectRole(v, name, ROLE.ORACLE, "ORACLE_ROLE", await oracle.getAddress());
    await expectRole(v, name, ROLE.GUARDIAN, "GUARDIAN_ROLE", roles.guardian);
    if ((await v.priceRegistry()) !== (await registry.getAddress())) problems.push(`${name}: priceRegistry is not the deployed PriceRegistry`);
    const fee = await v.feeState();
    if (fee.recipient !== roles.feeRecipient) problems.push(`${name}: fee recipient ${fee.recipient}, expected ${roles.feeRecipient}`);
    // The Rebalancer: the vault's only REBALANCER_ROLE holder we deployed, the keeper's KEEPER_ROLE, the adapter, the limits.
    const r = rebalancers[name as SsiProduct];
    const rName = `${name} Rebalancer`;
    await expectRole(v, name, ROLE.REBALANCER, "REBALANCER_ROLE", await r.getAddress());
    await expectRole(r, rName, ROLE.KEEPER, "KEEPER_ROLE", roles.keeper);
    if ((await r.vault()) !== (await v.getAddress())) problems.push(`${rName}: trades for ${await r.vault()}, not the ${name} vault`);
    if (!(await r.isAdapter(adapter))) problems.push(`${rName}: the UniswapV3Adapter ${adapter} is not whitelisted`);
    const want = { ...REBALANCE_LIMIT_DEFAULTS, ...(params[`Rebalance_${name}`] ?? {}) } as Record<string, unknown>;
    const lim = await r.limits();
    for (const k of Object.keys(REBALANCE_LIMIT_DEFAULTS) as (keyof typeof REBALANCE_LIMIT_DEFAULTS)[]) {
      if (BigInt(lim[k]) !== BigInt(want[k] as bigint)) problems.push(`${rName}: limit ${k} is ${lim[k]}, the parameters say ${String(want[k])}`);
    }
  }
  problems.push(...(await verifyTimelock(timelock, gp)));
  const signers = (oracleParams.signers as string[]).map((s) => getAddress(s));
  for (const s of signers) if (!(await oracle.isSigner(s))) problems.push(`WeightOracle: ${s} is not a signer`);
  const quorum = Number(await oracle.quorum());
  if (quorum !== Number(oracleParams.quorum)) problems.push(`WeightOracle: quorum ${quorum}, expected ${String(oracleParams.quorum)}`);
  for (const [sym, t] of Object.entries(market.tokens)) {
    const [feed] = await registry.feedOf(t.address);
    if (feed.toLowerCase() !== t.feed.toLowerCase()) problems.push(`PriceRegistry: ${sym} feed ${feed}, expected ${t.feed}`);
  }
  // Who holds what, everywhere: the timelock alone is admin; the deployer keeps nothing the parameters do not give it.
  const controlled: Record<string, AccessControlled & { address?: string }> = {
    TimelockController: timelock as unknown as AccessControlled,
    PriceRegistry: registry as unknown as AccessControlled,
    WeightOracle: oracle as unknown as AccessControlled,
  };
  for (const n of SSI_PRODUCTS) {
    controlled[n] = vaults[n] as unknown as AccessControlled;
    controlled[`${n} Rebalancer`] = rebalancers[n] as unknown as AccessControlled;
  }
  const roleTable = await buildRoleTable(controlled, admin, recordFrom);
  problems.push(...checkRoleTable(roleTable, deployer.address, deployerMayHold(gp, roles, deployer.address, Object.keys(controlled))));
  if (problems.length > 0) fail(`deployment verification FAILED on chain:\n  - ${problems.join("\n  - ")}`);
  log(`roles and wiring verified on chain (${Object.keys(vaults).length} vaults with their Rebalancers, oracle ${quorum}-of-${signers.length}, ${Object.keys(market.tokens).length} feeds; DEFAULT_ADMIN held by the timelock alone)`);

  const products: DeploymentRecord["products"] = {};
  for (const [name, v] of Object.entries(vaults)) {
    products[name] = { vault: await v.getAddress(), name: await v.name(), symbol: await v.symbol(), rebalancer: await rebalancers[name as SsiProduct].getAddress() };
  }
  const record: DeploymentRecord = {
    ...market,
    network,
    chainId: id,
    sampleMarket: sample,
    assets: assetMap(market.tokens),
    protocol: {
      priceRegistry: await registry.getAddress(),
      weightOracle: await oracle.getAddress(),
      deployer: deployer.address,
      admin,
      ...roles,
      timelock: { address: admin, minDelay: Number(await timelock.getMinDelay()), proposers: gp.proposers, executors: gp.executors, cancellers: cancellersOf(gp) },
      roleHolders: Object.fromEntries(Object.entries(roleTable).map(([n, c]) => [n, { address: c.address, ...c.roles }])),
      ...(warnings.length > 0 ? { warnings } : {}),
      signers,
      quorum,
      maxValidity: Number(await oracle.maxValidity()),
      tradeAdapter: adapter,
      fromBlock: recordFrom,
      block: await hre.ethers.provider.getBlockNumber(),
    },
    products,
  };
  const file = saveDeployment(record);
  log(`deployment record written: ${path.relative(process.cwd(), file)}`);
  return record;
}

// ---------------------------------------------------------------------------------------------
// Governance at deployment (issue 13), shared by ssi:deploy and sanx:deploy
// ---------------------------------------------------------------------------------------------

/** The timelock parameters of `module` (its own section, else `$global`); proposers/executors required. */
export function governanceParams(params: Record<string, Record<string, unknown>>, module: string, deployer: string): TimelockParams {
  const own = params[module] ?? {};
  const global = params.$global ?? {};
  const pick = (k: string) => own[k] ?? global[k];
  const list = (k: string): string[] => {
    const v = pick(k);
    if (!Array.isArray(v) || v.length === 0) fail(`the Ignition parameters name no ${k} for the admin timelock (${module}.${k} or $global.${k}): set your multisig`);
    return v.map((a, i) => {
      try {
        return getAddress(String(a));
      } catch {
        fail(`${module}.${k}[${i}] "${String(a)}" is not an address`);
      }
    });
  };
  const delay = pick("minDelay");
  const minDelay = delay === undefined ? DEFAULT_MIN_DELAY : BigInt(delay as bigint);
  if (minDelay < MIN_ADMIN_DELAY) fail(`minDelay ${minDelay} s is below the contracts' floor of ${MIN_ADMIN_DELAY} s (1 day): the constructors would refuse the timelock`);
  const guardian = pick("guardian");
  return { minDelay, proposers: list("proposers"), executors: list("executors"), guardian: typeof guardian === "string" ? getAddress(guardian) : deployer };
}

function cancellersOf(gp: TimelockParams): string[] {
  return [...new Set([...gp.proposers, gp.guardian])];
}

/**
 * Refuses, on a non-local network, a timelock proposer or executor that is the deployer or has no code
 * (a plain key), and a guardian, keeper or fee recipient that is the deployer; with `allowEoaAdmin`
 * (testnets) it returns loud warnings instead, which the caller prints and records.
 */
export async function checkPowerBeforeDeploy(
  hre: HardhatRuntimeEnvironment,
  o: { gp: TimelockParams; roles: Record<string, string>; deployer: string; allowEoaAdmin: boolean; what: string },
): Promise<string[]> {
  if (LOCAL_NETWORKS.has(hre.network.name)) return [];
  const problems: string[] = [];
  const same = (a: string) => a.toLowerCase() === o.deployer.toLowerCase();
  for (const [k, list] of [["proposer", o.gp.proposers], ["executor", o.gp.executors]] as const) {
    for (const a of list) {
      if (same(a)) problems.push(`the timelock ${k} ${a} is the deployer`);
      else if ((await hre.ethers.provider.getCode(a)) === "0x") problems.push(`the timelock ${k} ${a} has no code (a plain key, not a multisig)`);
    }
  }
  for (const [k, a] of Object.entries(o.roles)) if (same(a)) problems.push(`${k} ${a} is the deployer`);
  if (problems.length === 0) return [];
  if (!o.allowEoaAdmin) {
    fail(`${o.what} on ${hre.network.name} refuses to leave power with a single key:\n  - ${problems.join("\n  - ")}\nset them in ignition/parameters/${hre.network.name}.json (a multisig for proposers/executors), or pass --allow-eoa-admin on a testnet`);
  }
  return problems.map((p) => `WARNING (--allow-eoa-admin): ${p}; a single key controls this deployment, holders are protected by the timelock delay only`);
}

/** What the deployer may hold after a deployment: the timelock roles the parameters give it (local networks). */
function deployerMayHold(gp: TimelockParams, roles: Record<string, string>, deployer: string, contracts: string[]): Set<string> {
  const same = (a: string) => a.toLowerCase() === deployer.toLowerCase();
  const out = new Set<string>();
  if (gp.proposers.some(same)) out.add("TimelockController:PROPOSER_ROLE").add("TimelockController:CANCELLER_ROLE");
  if (gp.executors.some(same)) out.add("TimelockController:EXECUTOR_ROLE");
  if (same(gp.guardian)) out.add("TimelockController:CANCELLER_ROLE");
  const roleOf: Record<string, string> = { guardian: "GUARDIAN_ROLE", keeper: "KEEPER_ROLE" };
  for (const [k, a] of Object.entries(roles)) if (same(a) && roleOf[k] !== undefined) for (const c of contracts) out.add(`${c}:${roleOf[k]}`);
  return out;
}

/** The timelock's delay and role holders against the parameters. */
export async function verifyTimelock(timelock: TimelockController, gp: TimelockParams): Promise<string[]> {
  const problems: string[] = [];
  const delay = await timelock.getMinDelay();
  if (delay !== gp.minDelay) problems.push(`TimelockController: minDelay ${delay} s, the parameters say ${gp.minDelay}`);
  for (const p of gp.proposers) if (!(await timelock.hasRole(TIMELOCK_ROLE.PROPOSER, p))) problems.push(`TimelockController: ${p} lacks PROPOSER_ROLE`);
  for (const e of gp.executors) if (!(await timelock.hasRole(TIMELOCK_ROLE.EXECUTOR, e))) problems.push(`TimelockController: ${e} lacks EXECUTOR_ROLE`);
  if (!(await timelock.hasRole(TIMELOCK_ROLE.CANCELLER, gp.guardian))) problems.push(`TimelockController: the guardian ${gp.guardian} lacks CANCELLER_ROLE`);
  return problems;
}

/** Role holders of every contract (the timelock's expected admin is itself). */
export async function buildRoleTable(contracts: Record<string, AccessControlled>, timelock: string, fromBlock: number) {
  const table: Record<string, { address: string; admin: string; roles: Record<string, string[]> }> = {};
  for (const [name, c] of Object.entries(contracts)) {
    const address = await c.getAddress();
    table[name] = { address, admin: name === "TimelockController" ? address : timelock, roles: await roleHolders(c, fromBlock) };
  }
  return table;
}

/** Re-stamps a local market's mock feeds (after the governance delay's time travel); real feeds are left alone. */
async function refreshLocalFeeds(signer: Signer, market: MarketPart): Promise<void> {
  for (const t of Object.values(market.tokens)) {
    if ((t as RecordToken).feedKind === "chainlink") continue;
    const feed = MockAggregator__factory.connect(t.feed, signer);
    try {
      await (await feed.updateAnswer(await feed.latestAnswer())).wait();
    } catch {
      // not a mock (e.g. a real feed on a fork): left as it is
    }
  }
}

function defaultPriceUniverse(): Universe {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadUniverseFile } = require("../../src/data/universe") as typeof import("../../src/data/universe");
  return loadUniverseFile(path.join(__dirname, "..", "..", "sample", "universe.json"));
}

/**
 * Market token symbol -> USD price from a universe's `priceUsd` (BTC priced as cbBTC, ETH as WETH),
 * for every asset an SSI product could hold (stablecoins and wrapped tokens are left to the market's
 * hubs: USDC and WETH).
 */
export function samplePrices(universe: Universe): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of universe.assets) {
    if (a.priceUsd === undefined || a.stablecoin || a.wrapped) continue;
    const key = a.symbol === "BTC" ? "cbBTC" : a.symbol === "ETH" ? "WETH" : a.symbol;
    out[key] ??= a.priceUsd;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ssi:push-weights
// ---------------------------------------------------------------------------------------------

export interface ReportPlan {
  signed: SignedReport;
  composition?: IndexComposition;
  incumbents: string[];
}

/** The incumbents of `product` from chain: the symbols of its current targets (empty before round 1). */
export async function incumbentsFromChain(record: DeploymentRecord, vault: IndexVault): Promise<string[]> {
  const [, tokens] = await vault.targets();
  const index = tokenIndex(record);
  return tokens.map((t) => index.get(t.toLowerCase())?.asset ?? t);
}

/** The signers of the report: ORACLE_SIGNER_KEYS, or on a local network the first `quorum` local accounts in the signer set. */
export async function reportSigners(hre: HardhatRuntimeEnvironment, oracle: WeightOracle): Promise<Signer[]> {
  const quorum = Number(await oracle.quorum());
  const keys = signerKeysFromEnv();
  if (keys !== undefined) {
    if (!LOCAL_NETWORKS.has(hre.network.name) && keys.length > 1) {
      fail(`ORACLE_SIGNER_KEYS holds ${keys.length} keys: on ${hre.network.name} no process holds several signers' keys; each signer runs ssi:sign-report with its own key (WEIGHTS_SIGNER_KEY or ORACLE_SIGNER_KEY) and the relay runs ssi:push-weights --signatures DIR`);
    }
    for (const k of keys) if (!(await oracle.isSigner(k.address))) fail(`ORACLE_SIGNER_KEYS holds ${k.address}, which is not a signer of the WeightOracle`);
    if (keys.length < quorum) fail(`ORACLE_SIGNER_KEYS holds ${keys.length} key(s), the oracle needs ${quorum}`);
    return keys;
  }
  if (!LOCAL_NETWORKS.has(hre.network.name)) fail(`on ${hre.network.name} each signer signs on its own machine with its own key (ssi:sign-report), and the relay merges the files (ssi:push-weights --signatures DIR)`);
  const mine: Signer[] = [];
  for (const s of await hre.ethers.getSigners()) {
    if (mine.length === quorum) break;
    if (await oracle.isSigner(s.address)) mine.push(s);
  }
  if (mine.length < quorum) fail(`only ${mine.length} of the local accounts are oracle signers, the quorum is ${quorum}: set ORACLE_SIGNER_KEYS`);
  return mine;
}

/** Computes the composition, maps it to tokens and signs a report for the next round. Sends nothing. */
export async function buildSignedReport(
  hre: HardhatRuntimeEnvironment,
  record: DeploymentRecord,
  product: SsiProduct,
  universe: Universe,
  opts: { incumbents?: string[]; validFor: bigint },
): Promise<ReportPlan> {
  const plan = await proposeReport(hre, record, product, universe, opts);
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, hre.ethers.provider);
  const signatures = await signReport(await reportSigners(hre, oracle), plan.signed.domain, plan.signed.report);
  return { ...plan, signed: { ...plan.signed, signatures } };
}

/** The weight oracle's EIP-712 domain, checked against the connected chain, the record and the constants. */
export async function weightDomain(hre: HardhatRuntimeEnvironment, record: DeploymentRecord): Promise<CheckedDomain> {
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, hre.ethers.provider);
  try {
    return await checkedDomain(oracle, { kind: "weights", chainId: BigInt(await chainId(hre)), verifyingContract: record.protocol.weightOracle });
  } catch (e) {
    if (e instanceof DomainMismatchError) fail(`${e.message}; nothing was signed`);
    throw e;
  }
}

/** What a signer reads before signing: the domain and the report (index, round, validity, weights in percent). */
export function describeWeightReport(record: DeploymentRecord, product: string, report: WeightReport, domain: CheckedDomain): string[] {
  const index = tokenIndex(record);
  const fmt = (t: number | bigint) => new Date(Number(t) * 1000).toISOString();
  return [
    describeDomain(domain),
    `report: ${product} (index ${report.index}), round ${report.round}, valid ${fmt(report.validAfter)} .. ${fmt(report.expiresAt)}`,
    `weights: ${report.constituents.map((c, i) => `${index.get(c.toLowerCase())?.asset ?? c} ${formatWadPercent(report.weights[i]!, 2)}`).join(", ")}`,
  ];
}

/** Computes the composition and the unsigned report of the next round under the checked domain. Sends and signs nothing. */
export async function proposeReport(
  hre: HardhatRuntimeEnvironment,
  record: DeploymentRecord,
  product: SsiProduct,
  universe: Universe,
  opts: { incumbents?: string[]; validFor: bigint },
): Promise<ReportPlan> {
  const provider = hre.ethers.provider;
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, provider);
  const vault = vaultOf(record, product, provider);
  const maxValidity = await oracle.maxValidity();
  if (opts.validFor > maxValidity) fail(`--valid-for ${opts.validFor} exceeds the oracle's maximum validity of ${maxValidity} s`);
  const incumbents = opts.incumbents ?? (await incumbentsFromChain(record, vault));
  const known = new Set(universe.assets.map((a) => a.symbol.toUpperCase()));
  const composition = computeIndex(PRODUCTS[product], universe, incumbents.filter((s) => known.has(s.toUpperCase())));
  const symbols = composition.constituents.map((c) => c.symbol);
  const constituents = tokensForSymbols(record, symbols);
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  const report: WeightReport = {
    index: await vault.getAddress(),
    round: (await oracle.lastRound(vault)) + 1n,
    validAfter: now,
    expiresAt: now + opts.validFor,
    constituents,
    weights: composition.constituents.map((c) => c.weight),
  };
  const domain = await weightDomain(hre, record);
  return { signed: { report, signatures: [], domain, symbols }, composition, incumbents };
}

/**
 * `ssi:sign-report`: ONE signer signs a weight report on its own machine. Checks the domain against
 * the chain and the record and the report against the deployment (its vault, the next round, a
 * validity the oracle accepts), shows both, then signs. Returns the signature file's content.
 */
export async function signWeightReport(
  hre: HardhatRuntimeEnvironment,
  record: DeploymentRecord,
  product: SsiProduct,
  report: WeightReport,
  signer: Signer,
  log: Log = quiet,
): Promise<SignatureFile> {
  const provider = hre.ethers.provider;
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, provider);
  const domain = await weightDomain(hre, record);
  const vault = await vaultOf(record, product, provider).getAddress();
  if (getAddress(report.index) !== vault) fail(`the report is for index ${report.index}, not the ${product} vault ${vault}: nothing was signed`);
  const next = (await oracle.lastRound(vault)) + 1n;
  if (report.round !== next) fail(`the report's round ${report.round} is not the next round ${next} of ${product}: nothing was signed`);
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  if (report.expiresAt <= now) fail(`the report expired at ${report.expiresAt} (now ${now}): nothing was signed`);
  const me = getAddress(await signer.getAddress());
  if (!(await oracle.isSigner(me))) fail(`${me} is not a signer of the WeightOracle: nothing was signed`);
  for (const line of describeWeightReport(record, product, report, domain)) log(line);
  log(`signing as ${me}`);
  return signToFile(signer, "weights", domain, WEIGHT_REPORT_TYPES, { ...report });
}

/**
 * The relay's half: merges signature files for one report (each checked: same domain, same digest, the
 * signature recovers to its signer), requires a quorum of distinct members of the signer set, then
 * submits through `submitReport`. Refuses (sending nothing) while fewer than m are there.
 */
export async function relayWithSignatures(
  hre: HardhatRuntimeEnvironment,
  record: DeploymentRecord,
  product: SsiProduct,
  files: readonly { source: string; file: SignatureFile }[],
  relayer?: Signer,
): Promise<{ signed: SignedReport; hash: string; signers: string[] }> {
  const domain = await weightDomain(hre, record);
  const first = files[0]!;
  const parsed = parseSignedReport({ report: first.file.report, domain: first.file.domain, signatures: [] }, first.source);
  const report = parsed.report;
  const digest = TypedDataEncoder.hash(domain, WEIGHT_REPORT_TYPES, { ...report });
  let merged: { signers: string[]; signatures: string[] };
  try {
    merged = mergeSignatureFiles(files, { kind: "weights", domain, digest });
  } catch (e) {
    fail(`${(e as Error).message}: nothing was sent`);
  }
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, hre.ethers.provider);
  const strangers: string[] = [];
  for (const s of merged.signers) if (!(await oracle.isSigner(s))) strangers.push(s);
  if (strangers.length > 0) fail(`signature files from ${strangers.join(", ")}, not in the oracle's signer set: refused, nothing was sent`);
  const quorum = await oracle.quorum();
  if (BigInt(merged.signers.length) < quorum) fail(`${merged.signers.length} of the ${quorum} signatures the oracle needs are there (${merged.signers.join(", ") || "none"}): wait for the other signers' files, nothing was sent`);
  const signed: SignedReport = { report, signatures: merged.signatures, domain };
  const hash = await submitReport(hre, record, product, signed, relayer);
  return { signed, hash, signers: merged.signers };
}

/**
 * Checks a signed report off chain (domain, index, signers), submits it, and verifies the vault's
 * targets on chain. Anyone may relay.
 */
export async function submitReport(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, product: SsiProduct, signed: SignedReport, relayer?: Signer): Promise<string> {
  const sender = relayer ?? (await firstSigner(hre));
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, sender);
  const vault = vaultOf(record, product, sender);
  const { report, signatures, domain } = signed;
  const vaultAddress = await vault.getAddress();
  if (getAddress(report.index) !== vaultAddress) fail(`the report is for index ${report.index}, not the ${product} vault ${vaultAddress}`);
  if (getAddress(domain.verifyingContract) !== (await oracle.getAddress()) || domain.chainId !== BigInt(await chainId(hre))) {
    fail(`the report was signed for oracle ${domain.verifyingContract} on chain ${domain.chainId}, not this deployment's oracle ${await oracle.getAddress()} on chain ${await chainId(hre)}`);
  }
  const recovered = signatures.map((s, i) => {
    try {
      return recoverReportSigner(domain, report, s);
    } catch {
      fail(`signature ${i + 1} of the report is malformed`);
    }
  });
  const strangers: string[] = [];
  for (const a of recovered) if (!(await oracle.isSigner(a))) strangers.push(a);
  if (strangers.length > 0) fail(`the report is signed by ${strangers.join(", ")}, not in the oracle's signer set: refused, nothing was sent`);
  const quorum = await oracle.quorum();
  if (BigInt(new Set(recovered).size) < quorum) fail(`the report carries ${new Set(recovered).size} distinct signer(s), the quorum is ${quorum}: refused, nothing was sent`);
  const tx = await simulateThenSend(
    oracle,
    "WeightOracle.submit",
    () => oracle.submit.staticCall(report, signatures),
    () => oracle.submit(report, signatures),
  );
  const [round, tokens, weights] = await vault.targets();
  const same =
    round === report.round &&
    tokens.length === report.constituents.length &&
    tokens.every((t, i) => t === report.constituents[i]) &&
    weights.every((w, i) => w === report.weights[i]);
  if (!same) fail(`submitted, but the ${product} vault's targets on chain are not the report's (round ${round}): check the vault's ORACLE_ROLE`);
  return tx.hash;
}

// ---------------------------------------------------------------------------------------------
// index:mint / index:redeem
// ---------------------------------------------------------------------------------------------

export interface Leg {
  token: string;
  symbol: string;
  decimals: number;
  amount: bigint;
  /** Redeem only: the minimum accepted (minAmountsOut). */
  min?: bigint;
}

export function legs(record: DeploymentRecord, tokens: readonly string[], amounts: readonly bigint[]): Leg[] {
  const index = tokenIndex(record);
  return tokens.map((t, i) => {
    const hit = index.get(t.toLowerCase());
    return { token: t, symbol: hit?.asset ?? t, decimals: hit?.token.decimals ?? 18, amount: amounts[i]! };
  });
}

/** What minting `shares` takes now (previewMint), with the caller's balances checked. Sends nothing. */
export async function planMint(record: DeploymentRecord, vault: IndexVault, who: Signer, shares: bigint): Promise<Leg[]> {
  const [round] = await vault.targets();
  if ((await vault.effectiveSupply()) === 0n && round === 0n) fail(`the vault has no target weights yet: run ssi:push-weights first (SANX: sanx:execute)`);
  if (await vault.paused()) fail(`minting is paused by the guardian (redemption stays open)`);
  const [tokens, amounts] = await vault.previewMint(shares);
  const plan = legs(record, tokens, amounts);
  const me = await who.getAddress();
  const short: string[] = [];
  // In a rebalance window a target not bought yet is listed at 0: nothing to bring of it.
  if (plan.every((l) => l.amount === 0n)) fail(`every amount rounds to zero for these shares: mint more shares`);
  for (const l of plan) {
    if (l.amount === 0n) continue;
    const bal = await MockERC20__factory.connect(l.token, who).balanceOf(me);
    if (bal < l.amount) short.push(`${l.symbol}: have ${formatTokenAmount(bal, l.decimals, l.symbol)}, need ${formatTokenAmount(l.amount, l.decimals, l.symbol)}`);
  }
  if (short.length > 0) fail(`${me} does not hold enough of every constituent (${short.join("; ")})${record.sampleMarket ? ": run index:faucet first" : ""}`);
  return plan;
}

/** Approves exactly each amount (skipping equal allowances), then mints with maxAmountsIn = the plan. */
export async function executeMint(vault: IndexVault, who: Signer, shares: bigint, receiver: string, plan: readonly Leg[]): Promise<string> {
  const me = await who.getAddress();
  const spender = await vault.getAddress();
  const approvals = [];
  for (const l of plan) {
    const token = MockERC20__factory.connect(l.token, who);
    if ((await token.allowance(me, spender)) !== l.amount) approvals.push(await token.approve(spender, l.amount));
  }
  await Promise.all(approvals.map((tx) => tx.wait()));
  const max = plan.map((l) => l.amount);
  const v = vault.connect(who);
  const tx = await simulateThenSend(v, "IndexVault.mint", () => v.mint.staticCall(shares, receiver, max), () => v.mint(shares, receiver, max));
  return tx.hash;
}

/** Seconds a redeem may take to land: `minAmountsOut` is what the vault pays if it lands this late. */
export const REDEEM_WINDOW = 600n;

/**
 * What redeeming `shares` pays (previewRedeem, read now) and the `minAmountsOut` sent: the same
 * preview projected to the end of REDEEM_WINDOW (the streaming fee only lowers it with time; with a
 * zero fee rate they are equal). The caller's share balance is checked first. Sends nothing.
 */
export async function planRedeem(record: DeploymentRecord, vault: IndexVault, who: Signer, shares: bigint, symbol: string): Promise<Leg[]> {
  const me = await who.getAddress();
  const bal = await vault.balanceOf(me);
  if (bal < shares) fail(`${me} holds ${formatTokenAmount(bal, 18, symbol)}, cannot redeem ${formatTokenAmount(shares, 18, symbol)}`);
  const [tokens, amounts] = await vault.previewRedeem(shares);
  const [, stored, scale] = await vault.rawBasket();
  const fee = await vault.feeState();
  const mins = projectRedeemAmounts({ storedUnits: stored, scale, feeRate: fee.rate, now: fee.lastAccrual }, shares, fee.lastAccrual + REDEEM_WINDOW + 1n);
  const plan = legs(record, tokens, amounts).map((l, i) => ({ ...l, min: mins[i]! }));
  // A constituent that rounds to zero is paid as nothing (it stays behind for the other holders); the
  // vault refuses only a redeem whose amounts all round to zero.
  if (plan.every((l) => l.amount === 0n)) fail(`every amount rounds to zero for these shares: redeem more shares`);
  return plan;
}

/**
 * Sends the redeem planned by `planRedeem`. With `skip` (constituent addresses, e.g. a paused or
 * blacklisting token), it calls `redeemSkipping`: nothing of those is sent, the caller forgoes that share
 * (it stays in the vault for the other holders), and the vault's `RedeemSkipped` event records it.
 */
export async function executeRedeem(vault: IndexVault, who: Signer, shares: bigint, receiver: string, plan: readonly Leg[], skip: readonly string[] = []): Promise<string> {
  const skipped = new Set(skip.map((a) => a.toLowerCase()));
  const min = plan.map((l) => (skipped.has(l.token.toLowerCase()) ? 0n : (l.min ?? l.amount)));
  const v = vault.connect(who);
  const tx =
    skip.length === 0
      ? await simulateThenSend(v, "IndexVault.redeem", () => v.redeem.staticCall(shares, receiver, min), () => v.redeem(shares, receiver, min))
      : await simulateThenSend(v, "IndexVault.redeemSkipping", () => v.redeemSkipping.staticCall(shares, receiver, min, [...skip]), () => v.redeemSkipping(shares, receiver, min, [...skip]));
  return tx.hash;
}

// ---------------------------------------------------------------------------------------------
// index:status
// ---------------------------------------------------------------------------------------------

export interface VaultStatus {
  product: string;
  name: string;
  symbol: string;
  vault: string;
  totalSupply: bigint;
  effectiveSupply: bigint;
  nav: bigint; // {1e18 USD}
  navPerShare: bigint; // {1e18 USD per 1e18 shares}
  paused: boolean;
  fee: { rate: bigint; maxRate: bigint; recipient: string; pendingFeeShares: bigint; lastAccrual: bigint; scale: bigint };
  targetsRound: bigint;
  constituents: { symbol: string; token: string; decimals: number; units: bigint; balance: bigint; targetWeight: bigint | undefined }[];
  /** Target constituents not (yet) held, e.g. before the first mint. */
  pendingTargets: { symbol: string; token: string; weight: bigint }[];
}

export async function readStatus(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, product: IndexName): Promise<VaultStatus> {
  const provider = hre.ethers.provider;
  const vault = vaultOf(record, product, provider);
  const address = await vault.getAddress();
  const [tokens, units] = await vault.basket();
  const [round, targetTokens, targetWeights] = await vault.targets();
  const weightOf = new Map(targetTokens.map((t, i) => [t.toLowerCase(), targetWeights[i]!]));
  const index = tokenIndex(record);
  const fee = await vault.feeState();
  const constituents = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const hit = index.get(t.toLowerCase());
    constituents.push({
      symbol: hit?.asset ?? t,
      token: t,
      decimals: hit?.token.decimals ?? 18,
      units: units[i]!,
      balance: await MockERC20__factory.connect(t, provider).balanceOf(address),
      targetWeight: weightOf.get(t.toLowerCase()),
    });
  }
  const held = new Set(tokens.map((t) => t.toLowerCase()));
  const pendingTargets = targetTokens
    .filter((t) => !held.has(t.toLowerCase()))
    .map((t) => ({ symbol: index.get(t.toLowerCase())?.asset ?? t, token: t, weight: weightOf.get(t.toLowerCase())! }));
  return {
    product,
    name: await vault.name(),
    symbol: await vault.symbol(),
    vault: address,
    totalSupply: await vault.totalSupply(),
    effectiveSupply: await vault.effectiveSupply(),
    nav: await vault.nav(),
    navPerShare: await vault.navPerShare(),
    paused: await vault.paused(),
    fee: { rate: fee.rate, maxRate: fee.maxRate, recipient: fee.recipient, pendingFeeShares: fee.pendingFeeShares, lastAccrual: fee.lastAccrual, scale: fee.scale },
    targetsRound: round,
    constituents,
    pendingTargets,
  };
}

// ---------------------------------------------------------------------------------------------
// index:faucet
// ---------------------------------------------------------------------------------------------

/**
 * Mints every sample token worth `usd` (whole USD, at its feed price) to `to`.
 * @returns the amounts minted, by token symbol
 */
/**
 * Re-stamps the sample market's MOCK feeds at their current answers, so a testnet sample market whose
 * mocks have outlived their heartbeat (the registry then refuses them as stale) prices again.
 * Real Chainlink feeds are left alone (they cannot be written, and they update themselves).
 * @returns the symbols whose feeds were refreshed.
 */
export async function refreshSampleFeeds(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, sender?: Signer): Promise<string[]> {
  if (!record.sampleMarket) fail(`network "${record.network}" has no sample market: its feeds are real Chainlink feeds and update themselves`);
  const who = sender ?? (await firstSigner(hre));
  const mocks = Object.fromEntries((Object.entries(record.tokens) as [string, RecordToken][]).filter(([, t]) => t.feedKind !== "chainlink"));
  await refreshFeeds(who, { tokens: mocks });
  return Object.keys(mocks);
}

export async function faucet(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, to: string, usd: bigint, sender?: Signer): Promise<{ symbol: string; decimals: number; amount: bigint }[]> {
  if (!record.sampleMarket) fail(`network "${record.network}" has no sample market (its tokens are real): index:faucet only mints sample tokens (ssi:deploy --sample-market)`);
  const who = sender ?? (await firstSigner(hre));
  const out = [];
  const pending = [];
  for (const [sym, t] of Object.entries(record.tokens) as [string, RecordToken][]) {
    const [, answer] = await MockAggregator__factory.connect(t.feed, who).latestRoundData();
    if (answer <= 0n) continue;
    // {tok} = floor(usd * 10^dec * 10^feedDec / answer): outbound, rounded down
    const amount = (usd * 10n ** BigInt(t.decimals) * 10n ** BigInt(t.feedDecimals)) / answer;
    pending.push(await MockERC20__factory.connect(t.address, who).mint(to, amount));
    out.push({ symbol: sym, decimals: t.decimals, amount });
  }
  await Promise.all(pending.map((tx) => tx.wait()));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Networks
// ---------------------------------------------------------------------------------------------

/** True for the in-process and localhost networks (local accounts may sign weight reports). */
export function isLocal(network: string): boolean {
  return LOCAL_NETWORKS.has(network);
}

/**
 * The ONE key a signer signs `kind` reports with: `<KIND>_SIGNER_KEY`, else `ORACLE_SIGNER_KEY`; on a
 * local network, without either, the local account `account` (it must be given).
 */
export async function oneSigner(hre: HardhatRuntimeEnvironment, kind: "weights" | "signals" | "nav", account?: string): Promise<Signer> {
  const found = signerKeyFor(kind, (n) => useEnv(n));
  if (found !== undefined) {
    if (found.key.includes(",")) fail(`${found.from} holds more than one key: it is one signer's own key`);
    try {
      return new Wallet(found.key, hre.ethers.provider);
    } catch {
      fail(`${found.from} is not a private key (0x followed by 64 hex digits)`);
    }
  }
  if (!LOCAL_NETWORKS.has(hre.network.name)) fail(`set ${kind.toUpperCase()}_SIGNER_KEY (or ORACLE_SIGNER_KEY) to this signer's own private key`);
  if (account === undefined) fail(`on ${hre.network.name} without ${kind.toUpperCase()}_SIGNER_KEY, name the local account that signs: --account ADDRESS`);
  let who: string;
  try {
    who = getAddress(account);
  } catch {
    fail(`--account "${account}" is not an address`);
  }
  const local = (await hre.ethers.getSigners()).find((s) => s.address === who);
  if (local === undefined) fail(`--account ${who} is not one of this network's local accounts`);
  return local;
}
