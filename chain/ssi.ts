/**
 * The SSI operations behind the ssi:* and index:* tasks, the keeper and the demo: weight reports
 * (propose, sign, relay), mint, redeem, status, feeds and faucet, and the governance checks a
 * deployment shares. Each takes a `Client` (chain/client.ts) first, never the Hardhat runtime; the
 * Ignition deployment itself (`deploySsi`) is in tasks/lib/ssi-deploy.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { TypedDataEncoder, Wallet, getAddress, type BaseContract, type Signer } from "ethers";
import { DEFAULT_MIN_DELAY, SSI_PRODUCTS, type SsiProduct } from "../ignition/modules/constants";
import {
  IndexVault__factory,
  MockAggregator__factory,
  MockERC20__factory,
  WeightOracle__factory,
  type IndexVault,
  type WeightOracle,
} from "../typechain-types";
import { useEnv } from "../src/env";
import { InputError } from "../src/lib/errors";
import { computeIndex, formatWadPercent, PRODUCTS, type IndexComposition, type Universe } from "../src/methodology";
import { projectRedeemAmounts } from "../src/vault/fees";
import { firstSigner, type Client } from "./client";
import { fail } from "./errors";
import { describeRevert as describeRevertInWords } from "./revert";
import {
  loadDeployment,
  tokenIndex,
  tokensForSymbols,
  type DeploymentRecord,
  type RecordToken,
} from "./deployment";
import {
  MIN_ADMIN_DELAY,
  TIMELOCK_ROLE,
  roleHolders,
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
import { parseSignedReport, WEIGHT_REPORT_TYPES } from "./weight-reports";
import { recoverReportSigner, signReport, type SignedReport, type WeightReport } from "./weight-reports";
import { formatTokenAmount } from "../src/lib/format";

export { formatUnitsExact, formatUsd } from "../src/lib/format";
import { refreshFeeds } from "./market";

export { SSI_PRODUCTS, type SsiProduct };
export type Log = (line: string) => void;
const quiet: Log = () => undefined;

const LOCAL_NETWORKS = new Set(["hardhat", "localhost"]);

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

export async function chainId(client: Client): Promise<number> {
  return Number((await client.provider.getNetwork()).chainId);
}

/** The record of the connected network, checked against its chain id and for code at the oracle address. */
export async function loadRecord(client: Client): Promise<DeploymentRecord> {
  if (client.network === "hardhat" && (await client.provider.getBlockNumber()) === 0) {
    // A command on the in-process network starts a new, empty chain: deploying "first" cannot help.
    throw new InputError(
      `the in-process network "hardhat" starts empty on every command, so nothing is deployed on it: start a node (\`npx hardhat node\`) in another terminal, ` +
        `deploy there (\`npx hardhat ssi:deploy --network localhost --sample-market\`) and pass --network localhost to every command; or run everything in one process with \`npm run demo\``,
    );
  }
  const record = loadDeployment(client.network, await chainId(client));
  const code = await client.provider.getCode(record.protocol.weightOracle);
  if (code === "0x") {
    throw new InputError(
      `deployments/${client.network}.json points at contracts that are not on this chain` +
        (client.network === "hardhat" ? " (the in-process network starts empty on every run; use --network localhost with `npx hardhat node`)" : "") +
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

/** A revert in words (the shared decoder of chain/revert.ts), else the node's own message. */
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

/**
 * Refuses, on a non-local network, a timelock proposer or executor that is the deployer or has no code
 * (a plain key), and a guardian, keeper or fee recipient that is the deployer; with `allowEoaAdmin`
 * (testnets) it returns loud warnings instead, which the caller prints and records.
 */
export async function checkPowerBeforeDeploy(
  client: Client,
  o: { gp: TimelockParams; roles: Record<string, string>; deployer: string; allowEoaAdmin: boolean; what: string },
): Promise<string[]> {
  if (client.local) return [];
  const problems: string[] = [];
  const same = (a: string) => a.toLowerCase() === o.deployer.toLowerCase();
  for (const [k, list] of [["proposer", o.gp.proposers], ["executor", o.gp.executors]] as const) {
    for (const a of list) {
      if (same(a)) problems.push(`the timelock ${k} ${a} is the deployer`);
      else if ((await client.provider.getCode(a)) === "0x") problems.push(`the timelock ${k} ${a} has no code (a plain key, not a multisig)`);
    }
  }
  for (const [k, a] of Object.entries(o.roles)) if (same(a)) problems.push(`${k} ${a} is the deployer`);
  if (problems.length === 0) return [];
  if (!o.allowEoaAdmin) {
    fail(`${o.what} on ${client.network} refuses to leave power with a single key:\n  - ${problems.join("\n  - ")}\nset them in ignition/parameters/${client.network}.json (a multisig for proposers/executors), or pass --allow-eoa-admin on a testnet`);
  }
  return problems.map((p) => `WARNING (--allow-eoa-admin): ${p}; a single key controls this deployment, holders are protected by the timelock delay only`);
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
export async function reportSigners(client: Client, oracle: WeightOracle): Promise<Signer[]> {
  const quorum = Number(await oracle.quorum());
  const keys = signerKeysFromEnv();
  if (keys !== undefined) {
    if (!client.local && keys.length > 1) {
      fail(`ORACLE_SIGNER_KEYS holds ${keys.length} keys: on ${client.network} no process holds several signers' keys; each signer runs ssi:sign-report with its own key (WEIGHTS_SIGNER_KEY or ORACLE_SIGNER_KEY) and the relay runs ssi:push-weights --signatures DIR`);
    }
    for (const k of keys) if (!(await oracle.isSigner(k.address))) fail(`ORACLE_SIGNER_KEYS holds ${k.address}, which is not a signer of the WeightOracle`);
    if (keys.length < quorum) fail(`ORACLE_SIGNER_KEYS holds ${keys.length} key(s), the oracle needs ${quorum}`);
    return keys;
  }
  if (!client.local) fail(`on ${client.network} each signer signs on its own machine with its own key (ssi:sign-report), and the relay merges the files (ssi:push-weights --signatures DIR)`);
  const mine: Signer[] = [];
  for (const s of await client.signers()) {
    if (mine.length === quorum) break;
    if (await oracle.isSigner(s.address)) mine.push(s);
  }
  if (mine.length < quorum) fail(`only ${mine.length} of the local accounts are oracle signers, the quorum is ${quorum}: set ORACLE_SIGNER_KEYS`);
  return mine;
}

/** Computes the composition, maps it to tokens and signs a report for the next round. Sends nothing. */
export async function buildSignedReport(
  client: Client,
  record: DeploymentRecord,
  product: SsiProduct,
  universe: Universe,
  opts: { incumbents?: string[]; validFor: bigint },
): Promise<ReportPlan> {
  const plan = await proposeReport(client, record, product, universe, opts);
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, client.provider);
  const signatures = await signReport(await reportSigners(client, oracle), plan.signed.domain, plan.signed.report);
  return { ...plan, signed: { ...plan.signed, signatures } };
}

/** The weight oracle's EIP-712 domain, checked against the connected chain, the record and the constants. */
export async function weightDomain(client: Client, record: DeploymentRecord): Promise<CheckedDomain> {
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, client.provider);
  try {
    return await checkedDomain(oracle, { kind: "weights", chainId: BigInt(await chainId(client)), verifyingContract: record.protocol.weightOracle });
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
  client: Client,
  record: DeploymentRecord,
  product: SsiProduct,
  universe: Universe,
  opts: { incumbents?: string[]; validFor: bigint },
): Promise<ReportPlan> {
  const provider = client.provider;
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
  const domain = await weightDomain(client, record);
  return { signed: { report, signatures: [], domain, symbols }, composition, incumbents };
}

/**
 * `ssi:sign-report`: ONE signer signs a weight report on its own machine. Checks the domain against
 * the chain and the record and the report against the deployment (its vault, the next round, a
 * validity the oracle accepts), shows both, then signs. Returns the signature file's content.
 */
export async function signWeightReport(
  client: Client,
  record: DeploymentRecord,
  product: SsiProduct,
  report: WeightReport,
  signer: Signer,
  log: Log = quiet,
): Promise<SignatureFile> {
  const provider = client.provider;
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, provider);
  const domain = await weightDomain(client, record);
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
  client: Client,
  record: DeploymentRecord,
  product: SsiProduct,
  files: readonly { source: string; file: SignatureFile }[],
  relayer?: Signer,
): Promise<{ signed: SignedReport; hash: string; signers: string[] }> {
  const domain = await weightDomain(client, record);
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
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, client.provider);
  const strangers: string[] = [];
  for (const s of merged.signers) if (!(await oracle.isSigner(s))) strangers.push(s);
  if (strangers.length > 0) fail(`signature files from ${strangers.join(", ")}, not in the oracle's signer set: refused, nothing was sent`);
  const quorum = await oracle.quorum();
  if (BigInt(merged.signers.length) < quorum) fail(`${merged.signers.length} of the ${quorum} signatures the oracle needs are there (${merged.signers.join(", ") || "none"}): wait for the other signers' files, nothing was sent`);
  const signed: SignedReport = { report, signatures: merged.signatures, domain };
  const hash = await submitReport(client, record, product, signed, relayer);
  return { signed, hash, signers: merged.signers };
}

/**
 * Checks a signed report off chain (domain, index, signers), submits it, and verifies the vault's
 * targets on chain. Anyone may relay.
 */
export async function submitReport(client: Client, record: DeploymentRecord, product: SsiProduct, signed: SignedReport, relayer?: Signer): Promise<string> {
  const sender = relayer ?? (await firstSigner(client));
  const oracle = WeightOracle__factory.connect(record.protocol.weightOracle, sender);
  const vault = vaultOf(record, product, sender);
  const { report, signatures, domain } = signed;
  const vaultAddress = await vault.getAddress();
  if (getAddress(report.index) !== vaultAddress) fail(`the report is for index ${report.index}, not the ${product} vault ${vaultAddress}`);
  if (getAddress(domain.verifyingContract) !== (await oracle.getAddress()) || domain.chainId !== BigInt(await chainId(client))) {
    fail(`the report was signed for oracle ${domain.verifyingContract} on chain ${domain.chainId}, not this deployment's oracle ${await oracle.getAddress()} on chain ${await chainId(client)}`);
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

export async function readStatus(client: Client, record: DeploymentRecord, product: IndexName): Promise<VaultStatus> {
  const provider = client.provider;
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
export async function refreshSampleFeeds(client: Client, record: DeploymentRecord, sender?: Signer): Promise<string[]> {
  if (!record.sampleMarket) fail(`network "${record.network}" has no sample market: its feeds are real Chainlink feeds and update themselves`);
  const who = sender ?? (await firstSigner(client));
  const mocks = Object.fromEntries((Object.entries(record.tokens) as [string, RecordToken][]).filter(([, t]) => t.feedKind !== "chainlink"));
  await refreshFeeds(who, { tokens: mocks });
  return Object.keys(mocks);
}

export async function faucet(client: Client, record: DeploymentRecord, to: string, usd: bigint, sender?: Signer): Promise<{ symbol: string; decimals: number; amount: bigint }[]> {
  if (!record.sampleMarket) fail(`network "${record.network}" has no sample market (its tokens are real): index:faucet only mints sample tokens (ssi:deploy --sample-market)`);
  const who = sender ?? (await firstSigner(client));
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
export async function oneSigner(client: Client, kind: "weights" | "signals" | "nav", account?: string): Promise<Signer> {
  const found = signerKeyFor(kind, (n) => useEnv(n));
  if (found !== undefined) {
    if (found.key.includes(",")) fail(`${found.from} holds more than one key: it is one signer's own key`);
    try {
      return new Wallet(found.key, client.provider);
    } catch {
      fail(`${found.from} is not a private key (0x followed by 64 hex digits)`);
    }
  }
  if (!client.local) fail(`set ${kind.toUpperCase()}_SIGNER_KEY (or ORACLE_SIGNER_KEY) to this signer's own private key`);
  if (account === undefined) fail(`on ${client.network} without ${kind.toUpperCase()}_SIGNER_KEY, name the local account that signs: --account ADDRESS`);
  let who: string;
  try {
    who = getAddress(account);
  } catch {
    fail(`--account "${account}" is not an address`);
  }
  const local = (await client.signers()).find((s) => s.address === who);
  if (local === undefined) fail(`--account ${who} is not one of this network's local accounts`);
  return local;
}
