/**
 * `ssi:deploy`: the SSI protocol through its Ignition module (the one part of the SSI operations that
 * needs the Hardhat runtime: `hre.ignition.deploy`), then the feeds, the governance hand-over, the role
 * verification and the deployment record, all through the chain layer (`chain/`).
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { getAddress, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import SsiProtocolModule from "../../ignition/modules/SsiProtocol";
import { REBALANCE_LIMIT_DEFAULTS } from "../../ignition/modules/Rebalance";
import { ROLE } from "../../ignition/modules/roles";
import { IndexVault__factory, MockAggregator__factory, PriceRegistry__factory, Rebalancer__factory, WeightOracle__factory, type IndexVault, type Rebalancer } from "../../typechain-types";
import type { Universe } from "../../src/methodology";
import { assetMap, deploymentFile, readMarketFile, saveDeployment, type DeploymentRecord, type MarketPart, type RecordToken } from "../../chain/deployment";
import { fail } from "./args";
import {
  TimelockController__factory,
  checkRoleTable,
  executePending,
  forgetPending,
  govCall,
  pendingBatches,
  pendingFrom,
  rememberPending,
  renounceBootstrap,
  scheduleBatch,
  type AccessControlled,
  type TimelockParams
} from "../../chain/governance";
import { adapterHubs, deploySampleMarket } from "../../chain/market";
import { TESTNET_FEEDS } from "../../chain/testnet-feeds";
import {
  SSI_PRODUCTS,
  buildRoleTable,
  chainId,
  checkPowerBeforeDeploy,
  governanceParams,
  isLocal,
  loadIgnitionParameters,
  samplePrices,
  signerKeysFromEnv,
  verifyTimelock,
  type Log,
  type SsiProduct,
} from "../../chain/ssi";
import { clientFromHre } from "./client";

const quiet: Log = () => undefined;

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
  const client = clientFromHre(hre);
  const network = client.network;
  const id = await chainId(client);
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
  const warnings = await checkPowerBeforeDeploy(client, { gp, roles, deployer: deployer.address, allowEoaAdmin: opts.allowEoaAdmin === true, what: "ssi:deploy" });
  for (const w of warnings) log(w);

  // == The protocol (Ignition): contracts, their admin timelock, and the wiring scheduled on it ==
  const t0 = Date.now();
  const journal = path.join(process.cwd(), "ignition", "deployments", `chain-${id}`);
  if (opts.reset === true) {
    if (!isLocal(network)) fail(`--reset only wipes the Ignition journal of a local network, not of ${network}`);
    rmSync(journal, { recursive: true, force: true });
  }
  const startBlock = await client.provider.getBlockNumber();
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
  const local = isLocal(network);
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
      block: await client.provider.getBlockNumber(),
    },
    products,
  };
  const file = saveDeployment(record);
  log(`deployment record written: ${path.relative(process.cwd(), file)}`);
  return record;
}

function cancellersOf(gp: TimelockParams): string[] {
  return [...new Set([...gp.proposers, gp.guardian])];
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
