/**
 * The chain-facing USSI operations behind the ussi:* tasks, the keeper and the demo section: sign and
 * relay NAV reports, mint, redeem, fulfil, claim, status. Each takes a `Client` (chain/client.ts)
 * first, never the Hardhat runtime; tasks parse arguments and print, the demo prints its own summary.
 * Everything is checked (and simulated) before anything is sent. The Ignition deployment
 * (`deployUssi`) is in tasks/lib/ussi-deploy.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { TypedDataEncoder, getAddress, id, verifyTypedData, type BaseContract, type Signer } from "ethers";
import {
  IERC20Metadata__factory,
  IIndexValuation__factory,
  UssiVault__factory,
  type UssiVault,
} from "../typechain-types";
import { InputError } from "../src/lib/errors";
import { NAV_REPORT_TYPES, NAV_STEP_TYPES, type NavReport } from "../src/ussi/navReport";
import { describeDomain, mergeSignatureFiles, recordedDomain, signQuorum, signToFile, type CheckedDomain, type SignatureFile } from "./quorum";
import { fail } from "./errors";
import { firstSigner } from "./client";
import { formatNavPerToken, formatUnitsExact, formatUsd } from "../src/lib/format";
import { signerKeysFromEnv, oneSigner } from "./ssi";

import type { Client } from "./client";
export { oneSigner };

export type Log = (line: string) => void;
const quiet: Log = () => undefined;
const WAD = 10n ** 18n;
const ZERO_HASH = "0x" + "00".repeat(32);

/** AccessControl role ids of the UssiVault (as the contract defines them). */
export const USSI_ROLES = { DEFAULT_ADMIN: ZERO_HASH, STRATEGY: id("STRATEGY_ROLE"), RISK: id("RISK_ROLE") } as const;
export const TIMELOCK_ROLES = { PROPOSER: id("PROPOSER_ROLE"), EXECUTOR: id("EXECUTOR_ROLE"), CANCELLER: id("CANCELLER_ROLE") };

// ---------------------------------------------------------------------------------------------
// The deployment record (deployments/<network>.json, `ussi` key)
// ---------------------------------------------------------------------------------------------

/** What `ussi:deploy` adds to `deployments/<network>.json` under the key `ussi`. */
export interface UssiPart {
  vault: string;
  timelock: string;
  usdc: string;
  usdcDecimals: number;
  mag7: string;
  minDelay: number;
  proposers: string[];
  executors: string[];
  /** Present when --allow-eoa-admin let a plain key or the deployer run the timelock. */
  warnings?: string[];
  strategy: string;
  risk: string;
  signers: string[];
  quorum: number;
  limits: {
    maxNavAge: number;
    maxNavChangeBps: number;
    maxNetDeltaBps: number;
    bufferTargetBps: number;
    indexHaircutBps: number;
    instantCapBps: number;
    /** {1e18 USD}, as a decimal string (JSON has no bigint). */
    minRequestUsd: string;
  };
  /** Block of the deployment. */
  block: number;
}

export type RawRecord = Record<string, unknown> & { chainId?: unknown; ussi?: UssiPart };

export function recordFile(network: string, root = process.cwd()): string {
  return path.join(root, "deployments", `${network}.json`);
}

export function readRecord(network: string, root = process.cwd()): RawRecord | undefined {
  const file = recordFile(network, root);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`${path.relative(root, file)} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InputError(`${path.relative(root, file)}: expected a JSON object`);
  return raw as RawRecord;
}

async function chainIdOf(client: Client): Promise<number> {
  return Number((await client.provider.getNetwork()).chainId);
}

/** The USDC and MAG7.ssi addresses the record names (tokens.USDC, products.MAG7), or undefined. */
export function recordInputs(record: RawRecord | undefined): { usdc?: string; mag7?: string } {
  const tokens = (record?.["tokens"] ?? {}) as Record<string, { address?: string }>;
  const products = (record?.["products"] ?? {}) as Record<string, { vault?: string }>;
  const usdcKey = Object.keys(tokens).find((k) => k.toUpperCase() === "USDC");
  const usdc = usdcKey === undefined ? undefined : tokens[usdcKey]?.address;
  const mag7 = products["MAG7"]?.vault;
  return { ...(usdc !== undefined ? { usdc } : {}), ...(mag7 !== undefined ? { mag7 } : {}) };
}

/** The USSI part of the connected network's record, checked against the chain (code at the vault). */
export async function loadUssi(client: Client): Promise<UssiPart> {
  const network = client.network;
  const hint = `run \`npx hardhat ussi:deploy --network ${network}\` first`;
  const record = readRecord(network);
  if (record === undefined) throw new InputError(`no deployment record for network "${network}" (deployments/${network}.json): ${hint}`);
  if (record.ussi === undefined) throw new InputError(`deployments/${network}.json has no USSI deployment: ${hint}`);
  const id = await chainIdOf(client);
  if (record.chainId !== undefined && record.chainId !== id) {
    throw new InputError(`deployments/${network}.json is for chain ${String(record.chainId)}, connected to chain ${id}: ${hint}`);
  }
  if ((await client.provider.getCode(record.ussi.vault)) === "0x") {
    throw new InputError(
      `deployments/${network}.json points at a USSI vault that is not on this chain` +
        (network === "hardhat"
          ? " (the in-process network starts empty on every run; use --network localhost with `npx hardhat node`)"
          : "") +
        `: ${hint}`
    );
  }
  return record.ussi;
}

export function ussiVault(part: UssiPart, runner: Signer | import("ethers").Provider): UssiVault {
  return UssiVault__factory.connect(part.vault, runner);
}

// ---------------------------------------------------------------------------------------------
// Helpers: reverts, parameters, signers
// ---------------------------------------------------------------------------------------------

/** A revert as `ErrorName(arg, ...)` when the contract's ABI knows it. */
export function describeRevert(contract: BaseContract, e: unknown): string {
  const err = e as {
    data?: string;
    info?: { error?: { data?: string } };
    shortMessage?: string;
    message?: string;
    revert?: { name: string; args: unknown[] };
  };
  if (err.revert !== undefined && err.revert !== null) return `${err.revert.name}(${err.revert.args.map(String).join(", ")})`;
  const data = err.data ?? err.info?.error?.data;
  if (typeof data === "string" && data.length >= 10) {
    const parsed = contract.interface.parseError(data);
    if (parsed !== null) return `${parsed.name}(${parsed.args.map((a) => String(a)).join(", ")})`;
  }
  return err.shortMessage ?? err.message ?? String(e);
}

/** Runs `send` only after the same call succeeds as a static call; a revert fails naming the error, nothing sent. */
export async function simulateThenSend<R>(
  contract: BaseContract,
  what: string,
  simulate: () => Promise<R>,
  send: () => Promise<{ wait(): Promise<unknown>; hash: string }>
) {
  let result: R;
  try {
    result = await simulate();
  } catch (e) {
    fail(`${what} would revert: ${describeRevert(contract, e)}; nothing was sent`);
  }
  const tx = await send();
  const receipt = (await tx.wait()) as import("ethers").TransactionReceipt;
  return { result, hash: tx.hash, receipt };
}

function bigintReviver(_key: string, value: unknown): unknown {
  return typeof value === "string" && /^\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value;
}

/** The `Ussi` section of `ignition/parameters/<network>.json` (bigint strings "123n" revived). */
export function loadUssiParameters(network: string, root = process.cwd()): Record<string, unknown> {
  const file = path.join(root, "ignition", "parameters", `${network}.json`);
  const rel = path.relative(root, file);
  if (!existsSync(file))
    fail(`no Ignition parameters for network "${network}": create ${rel} with a "Ussi" section (see ignition/parameters/hardhat.json)`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"), bigintReviver);
  } catch (e) {
    fail(`${rel} is not valid JSON: ${(e as Error).message}`);
  }
  const section = raw["Ussi"];
  if (typeof section !== "object" || section === null) fail(`${rel} has no "Ussi" section (see ignition/parameters/hardhat.json)`);
  // The admin timelock's parameters, as Ignition resolves them: the module's own, else `$global`.
  const global = (raw["$global"] ?? {}) as Record<string, unknown>;
  const inherited = Object.fromEntries(["minDelay", "proposers", "executors"].filter((k) => global[k] !== undefined).map((k) => [k, global[k]]));
  return Object.fromEntries(Object.entries({ ...inherited, ...(section as Record<string, unknown>) }).filter(([k]) => !k.startsWith("_")));
}


/** The local account (of this network's configured accounts) holding `role` on the vault. */
export async function localRoleHolder(client: Client, vault: UssiVault, role: string, roleName: string): Promise<Signer> {
  for (const s of await client.signers()) if (await vault.hasRole(role, s.address)) return s;
  fail(`none of this network's accounts holds ${roleName} on the USSI vault ${await vault.getAddress()}: run this with that account's key`);
}

/** The NAV signers: ORACLE_SIGNER_KEYS, or on hardhat/localhost the first `quorum` local accounts in the signer set. */
export async function navSigners(client: Client, vault: UssiVault): Promise<Signer[]> {
  const quorum = Number(await vault.quorum());
  const keys = signerKeysFromEnv();
  if (keys !== undefined) {
    if (!client.local && keys.length > 1)
      fail(
        `ORACLE_SIGNER_KEYS holds ${keys.length} keys: on ${client.network} no process holds several signers' keys; each signer runs ussi:sign-nav with its own key (NAV_SIGNER_KEY or ORACLE_SIGNER_KEY) and the relay runs ussi:push-nav --signatures DIR`
      );
    for (const k of keys)
      if (!(await vault.isSigner(k.address))) fail(`ORACLE_SIGNER_KEYS holds ${k.address}, which is not a NAV signer of the USSI vault`);
    if (keys.length < quorum) fail(`ORACLE_SIGNER_KEYS holds ${keys.length} key(s), the USSI vault needs ${quorum}`);
    return keys.slice(0, quorum);
  }
  if (!client.local) {
    fail(
      `set ORACLE_SIGNER_KEYS (comma-separated private keys of ${quorum} NAV signers) to sign on ${client.network}, or relay a signed report with ussi:push-nav --report FILE`
    );
  }
  const mine: Signer[] = [];
  for (const s of await client.signers()) {
    if (mine.length === quorum) break;
    if (await vault.isSigner(s.address)) mine.push(s);
  }
  if (mine.length < quorum)
    fail(`only ${mine.length} of the local accounts are NAV signers, the quorum is ${quorum}: set ORACLE_SIGNER_KEYS`);
  return mine;
}

// ---------------------------------------------------------------------------------------------
// NAV reports: sign, read, relay
// ---------------------------------------------------------------------------------------------

export interface SignedNavReport {
  chainId: bigint;
  vault: string;
  report: NavReport;
  /**
   * An intermediate step of a NAV move larger than maxNavChangeBps: signed as EIP-712 `NavStep`,
   * relayed with `submitNavStep`; it settles nothing and closes the instant path until the final report.
   */
  step: boolean;
  /** In ascending signer order, as the vault requires. */
  signatures: string[];
  signers: string[];
}

const REPORT_FIELDS = ["round", "nav", "navPerToken", "spotValue", "perpPnl", "fundingAccrued", "netDeltaBps", "timestamp"] as const;

export function signedReportToJson(s: SignedNavReport): Record<string, unknown> {
  return {
    kind: s.step ? "ussi-nav-step" : "ussi-nav-report",
    chainId: s.chainId.toString(),
    vault: s.vault,
    report: Object.fromEntries(REPORT_FIELDS.map((k) => [k, s.report[k].toString()])),
    signatures: s.signatures,
    signers: s.signers,
    signed: true,
  };
}

/** Validates a signed report file's shape (not its signatures: see `relayNavReport`). */
export function parseSignedReport(value: unknown, where: string): SignedNavReport {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== "object" || v === null || (v["kind"] !== "ussi-nav-report" && v["kind"] !== "ussi-nav-step")) {
    throw new InputError(`${where}: not a signed USSI NAV report (written by ussi:nav --out FILE)`);
  }
  const int = (x: unknown, name: string, signed = false): bigint => {
    if (typeof x !== "string" || !(signed ? /^-?\d+$/ : /^\d+$/).test(x))
      throw new InputError(`${where}: ${name} must be ${signed ? "an" : "a non-negative"} integer string`);
    return BigInt(x);
  };
  const r = v["report"] as Record<string, unknown> | undefined;
  if (typeof r !== "object" || r === null) throw new InputError(`${where}: report is missing`);
  const report = Object.fromEntries(
    REPORT_FIELDS.map((k) => [k, int(r[k], `report.${k}`, k === "perpPnl" || k === "fundingAccrued")])
  ) as unknown as NavReport;
  const sigs = v["signatures"];
  if (!Array.isArray(sigs) || sigs.some((s) => typeof s !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(s))) {
    throw new InputError(`${where}: signatures must be a list of 65-byte hex signatures`);
  }
  let vault: string;
  try {
    vault = getAddress(String(v["vault"]));
  } catch {
    throw new InputError(`${where}: vault is not an address`);
  }
  return {
    chainId: int(v["chainId"], "chainId"),
    vault,
    report,
    step: v["kind"] === "ussi-nav-step",
    signatures: sigs as string[],
    signers: (v["signers"] as string[] | undefined) ?? [],
  };
}

/**
 * The NAV-report EIP-712 domain, read from `navReportDomain()` (`eip712Domain()` is the token's permit
 * domain) and checked against the connected chain, the recorded address and the constants (issue 13).
 */
export async function navDomain(vault: UssiVault): Promise<CheckedDomain> {
  const navReport = { eip712Domain: () => vault.navReportDomain(), getAddress: () => vault.getAddress(), runner: vault.runner };
  try {
    return await recordedDomain(navReport, "nav");
  } catch (e) {
    fail(`${(e as Error).message}; nothing was signed`);
  }
}

/**
 * Checks a report against the vault's verified state (round, timestamp, staleness, future) before
 * signing: a report the vault would refuse for those reasons is not signed. Returns nothing or fails.
 */
export async function precheckReport(client: Client, vault: UssiVault, report: NavReport): Promise<void> {
  const { round: lastRound, timestamp: lastTimestamp } = await vault.lastAcceptedReport();
  const now = BigInt((await client.provider.getBlock("latest"))!.timestamp);
  const { maxNavAge } = await vault.limits();
  if (report.round !== lastRound + 1n)
    fail(`round ${report.round} is not the vault's next round (its last accepted round is ${lastRound}; rounds advance by one): use round ${lastRound + 1n}`);
  if (report.timestamp <= lastTimestamp) fail(`timestamp ${report.timestamp} is not after the last accepted report's ${lastTimestamp}`);
  if (report.timestamp > now + 300n) fail(`timestamp ${report.timestamp} is more than 5 minutes after the chain's time ${now}`);
  if (report.timestamp + maxNavAge < now)
    fail(`timestamp ${report.timestamp} is older than the vault's maxNavAge (${maxNavAge} s) at chain time ${now}`);
}

/** Signs `report` for the deployed vault with the NAV signers (see `navSigners`). Sends nothing. */
export async function signNavReport(client: Client, part: UssiPart, report: NavReport, step = false): Promise<SignedNavReport> {
  const vault = ussiVault(part, client.provider);
  await precheckReport(client, vault, report);
  const signers = await navSigners(client, vault);
  const domain = await navDomain(vault);
  const signatures = await signQuorum(signers, domain, step ? NAV_STEP_TYPES : NAV_REPORT_TYPES, { ...report });
  const addresses = (await Promise.all(signers.map((s) => s.getAddress()))).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return { chainId: BigInt(domain.chainId!), vault: part.vault, report, step, signatures, signers: addresses };
}

// ---------------------------------------------------------------------------------------------
// Issue 13: one key per NAV signer (ussi:sign-nav), the relay merges signature files (ussi:push-nav --signatures)
// ---------------------------------------------------------------------------------------------

/** A NAV report's fields from JSON (decimal strings), e.g. another signer's signature file or `ussi:nav --unsigned --json`. */
export function parseNavReportFields(r: unknown, where: string): NavReport {
  if (typeof r !== "object" || r === null) throw new InputError(`${where}: report is missing`);
  const o = r as Record<string, unknown>;
  return Object.fromEntries(
    REPORT_FIELDS.map((k) => {
      const signed = k === "perpPnl" || k === "fundingAccrued";
      const x = o[k];
      if (typeof x !== "string" || !(signed ? /^-?\d+$/ : /^\d+$/).test(x)) throw new InputError(`${where}: report.${k} must be ${signed ? "an" : "a non-negative"} integer string`);
      return [k, BigInt(x)];
    })
  ) as unknown as NavReport;
}

/** What a NAV signer reads before signing: the domain and the report (round, NAV per token, breakdown). */
export function describeNavReport(report: NavReport, domain: CheckedDomain, step: boolean): string[] {
  return [
    describeDomain(domain),
    `${step ? "NAV step (NavStep: an intermediate step, settles nothing)" : "NAV report (NavReport: settles the epoch)"}: round ${report.round}, ` +
      `timestamp ${report.timestamp} (${new Date(Number(report.timestamp) * 1000).toISOString()}), NAV per token ${formatNavPerToken(report.navPerToken)}`,
    `breakdown: NAV ${formatUsd(report.nav)} = spot ${formatUsd(report.spotValue)} + perp PnL ${formatUsd(report.perpPnl)} + funding ${formatUsd(report.fundingAccrued)} + cash; ` +
      `|net delta| ${report.netDeltaBps} bps`,
  ];
}

/**
 * `ussi:sign-nav`: ONE NAV signer signs a report (or, with `step`, an intermediate NavStep) on its own
 * machine. Checks the domain (navReportDomain() against the chain, the record and the constants) and
 * the report against the vault (next round, fresh timestamp), shows both, then signs.
 */
export async function signNavOne(client: Client, part: UssiPart, report: NavReport, step: boolean, signer: Signer, log: Log = quiet): Promise<SignatureFile> {
  const vault = ussiVault(part, client.provider);
  const domain = await navDomain(vault);
  await precheckReport(client, vault, report);
  const me = getAddress(await signer.getAddress());
  if (!(await vault.isSigner(me))) fail(`${me} is not a NAV signer of the USSI vault: nothing was signed`);
  for (const line of describeNavReport(report, domain, step)) log(line);
  log(`signing as ${me}`);
  return signToFile(signer, "nav", domain, step ? NAV_STEP_TYPES : NAV_REPORT_TYPES, { ...report });
}

/**
 * The relay's half: merges NAV signature files for one report (same domain, same digest, each signature
 * recovers to its signer), requires a quorum of distinct NAV signers, then relays through `relaySignedNav`.
 * Refuses (sending nothing) while fewer than m are there.
 */
export async function relayNavSignatures(
  client: Client,
  part: UssiPart,
  files: readonly { source: string; file: SignatureFile }[],
  relayer?: Signer
): Promise<{ result: PushOutcome | StepOutcome; signers: string[] }> {
  const vault = ussiVault(part, client.provider);
  const domain = await navDomain(vault);
  const first = files[0]!;
  const report = parseNavReportFields(first.file.report, first.source);
  const step = first.file.primaryType === "NavStep";
  const digest = TypedDataEncoder.hash(domain, step ? NAV_STEP_TYPES : NAV_REPORT_TYPES, { ...report });
  let merged: { signers: string[]; signatures: string[] };
  try {
    merged = mergeSignatureFiles(files, { kind: "nav", domain, digest });
  } catch (e) {
    fail(`${(e as Error).message}: nothing was sent`);
  }
  const strangers: string[] = [];
  for (const a of merged.signers) if (!(await vault.isSigner(a))) strangers.push(a);
  if (strangers.length > 0) fail(`signature files from ${strangers.join(", ")}, not in the vault's NAV signer set: refused, nothing was sent`);
  const quorum = await vault.quorum();
  if (BigInt(merged.signers.length) < quorum)
    fail(`${merged.signers.length} of the ${quorum} signatures the vault needs are there (${merged.signers.join(", ") || "none"}): wait for the other signers' files, nothing was sent`);
  const signed: SignedNavReport = { chainId: domain.chainId, vault: part.vault, report, step, signatures: merged.signatures, signers: merged.signers };
  return { result: await relaySignedNav(client, part, signed, relayer), signers: merged.signers };
}

/** A relayed intermediate step: the NAV the next report is bounded against; no epoch settled. */
export interface StepOutcome {
  outcome: "accepted-step";
  hash: string;
  report: NavReport;
}

export interface PushOutcome {
  outcome: "accepted";
  hash: string;
  report: NavReport;
  /** The epoch the report settled (its requests' price is the report's navPerToken). */
  settledEpoch: bigint;
  /** Requests settled: deposits (USDC, MAG7.ssi) and redemptions, with what they get. */
  settled: { sharesMinted: bigint; sharesBurned: bigint; assetsOwed: bigint; indexNetPerShare: bigint };
  /** Set when the report's |net delta| is above the limit: accepted, deposit requests paused. */
  deltaBreach?: { netDeltaBps: bigint; maxNetDeltaBps: bigint };
}

/**
 * Relays a signed report: checks the chain, vault, signatures and quorum off chain, checks it was
 * not already relayed, simulates (a refusal fails naming the contract error; nothing is sent), sends,
 * and reads the settlement back from the receipt.
 */
export async function relayNavReport(
  client: Client,
  part: UssiPart,
  signed: SignedNavReport,
  relayer?: Signer
): Promise<PushOutcome> {
  if (signed.step) fail(`round ${signed.report.round} is signed as an intermediate step (NavStep), not a report: relay it with relaySignedNav; nothing was sent`);
  return (await relaySignedNav(client, part, signed, relayer)) as PushOutcome;
}

/** `relayNavReport` for a signed report or an intermediate step (`submitNavStep`: settles nothing). */
export async function relaySignedNav(
  client: Client,
  part: UssiPart,
  signed: SignedNavReport,
  relayer?: Signer
): Promise<PushOutcome | StepOutcome> {
  const sender = relayer ?? (await firstSigner(client));
  const vault = ussiVault(part, sender);
  const domain = await navDomain(vault);
  if (signed.chainId !== BigInt(domain.chainId!) || getAddress(signed.vault) !== part.vault) {
    fail(
      `the report was signed for vault ${signed.vault} on chain ${signed.chainId}, not this deployment's vault ${part.vault} on chain ${domain.chainId}: refused, nothing was sent`
    );
  }
  const last = await vault.lastAcceptedReport();
  if (signed.report.round === last.round && signed.report.timestamp === last.timestamp)
    fail(`round ${signed.report.round} was already relayed and accepted (it is the vault's current NAV): nothing to do, nothing was sent`);
  if (signed.report.round < last.round)
    fail(`round ${signed.report.round} is older than the vault's NAV (round ${last.round}): a newer report was accepted; nothing was sent`);
  if (signed.report.round > last.round + 1n)
    fail(`round ${signed.report.round} skips rounds: the vault's last accepted round is ${last.round} and rounds advance by one (sign round ${last.round + 1n}); nothing was sent`);
  const recovered = signed.signatures.map((s, i) => {
    try {
      return verifyTypedData(domain, signed.step ? NAV_STEP_TYPES : NAV_REPORT_TYPES, { ...signed.report }, s);
    } catch {
      fail(`signature ${i + 1} of the report is malformed: refused, nothing was sent`);
    }
  });
  const strangers: string[] = [];
  for (const a of recovered) if (!(await vault.isSigner(a))) strangers.push(a);
  if (strangers.length > 0)
    fail(`the report is signed by ${strangers.join(", ")}, not in the vault's NAV signer set: refused, nothing was sent`);
  const quorum = await vault.quorum();
  if (BigInt(new Set(recovered).size) < quorum)
    fail(`the report carries ${new Set(recovered).size} distinct signer(s), the quorum is ${quorum}: refused, nothing was sent`);

  if (signed.step) {
    try {
      await vault.submitNavStep.staticCall(signed.report, signed.signatures);
    } catch (e) {
      fail(`refused: ${describeRevert(vault, e)}; nothing was sent`);
    }
    const sent = await vault.submitNavStep(signed.report, signed.signatures);
    await sent.wait();
    const now = await vault.lastAcceptedReport();
    if (now.round !== signed.report.round)
      fail(`sent (tx ${sent.hash}), but the vault's NAV is round ${now.round}, not ${signed.report.round}`);
    return { outcome: "accepted-step", hash: sent.hash, report: signed.report };
  }
  let settledEpoch: bigint;
  try {
    settledEpoch = await vault.submitNavReport.staticCall(signed.report, signed.signatures);
  } catch (e) {
    fail(`refused: ${describeRevert(vault, e)}; nothing was sent`);
  }
  const tx = await vault.submitNavReport(signed.report, signed.signatures);
  const receipt = (await tx.wait())!;
  const accepted = await vault.lastAcceptedReport();
  if (accepted.round !== signed.report.round)
    fail(`sent (tx ${tx.hash}), but the vault's NAV is round ${accepted.round}, not ${signed.report.round}`);
  let settled: PushOutcome["settled"] | undefined;
  let deltaBreach: PushOutcome["deltaBreach"];
  for (const log of receipt.logs) {
    const parsed = vault.interface.parseLog(log);
    if (parsed?.name === "EpochSettled")
      settled = {
        indexNetPerShare: parsed.args[3] as bigint,
        sharesMinted: parsed.args[4] as bigint,
        sharesBurned: parsed.args[5] as bigint,
        assetsOwed: parsed.args[6] as bigint,
      };
    if (parsed?.name === "DeltaLimitBreached")
      deltaBreach = { netDeltaBps: parsed.args[1] as bigint, maxNetDeltaBps: parsed.args[2] as bigint };
  }
  if (settled === undefined) fail(`sent (tx ${tx.hash}), but the receipt has no EpochSettled event`);
  return { outcome: "accepted", hash: tx.hash, report: signed.report, settledEpoch, settled, ...(deltaBreach ? { deltaBreach } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Deposit and redemption requests, fulfilment, claims
// ---------------------------------------------------------------------------------------------

/** What a request settles at, in words: the next accepted report's navPerToken (unknown until then). */
export function settlementWords(epoch: bigint): string {
  return `it settles at the NAV per USSI of the next accepted NAV report (the one that ends epoch ${epoch}), which nobody knows yet`;
}

/** Fails (nothing sent) unless deposit requests are open now: not paused, no delta-limit pause. */
async function requireDepositsOpen(vault: UssiVault): Promise<void> {
  if (await vault.paused()) fail(`deposits are paused by the risk role (redemption requests, settlement and claims stay open)`);
  const breach = await vault.deltaBreachRound();
  if (breach !== 0n)
    fail(
      `deposits are paused: report round ${breach} breached the net delta limit; they reopen when a compliant NAV report is accepted (ussi:push-nav)`
    );
}

export interface DepositPlan {
  asset: "USDC" | "MAG7";
  token: string;
  amount: bigint;
  decimals: number;
  epoch: bigint;
  /** The last accepted report's navPerToken, as of its valuation time: an indication, not the price. */
  lastNavPerToken: bigint;
  lastNavTime: bigint;
  /** USSI the deposit would get at the last NAV (indicative; MAG7.ssi at today's navPerShare less the haircut). */
  indicativeShares: bigint;
}

/** Checks a deposit request (open, minimum size, balance) and what it would get at the last NAV. Sends nothing. */
export async function planUssiDeposit(part: UssiPart, who: Signer, asset: "USDC" | "MAG7", amount: bigint): Promise<DepositPlan> {
  const vault = ussiVault(part, who);
  await requireDepositsOpen(vault);
  const token = asset === "USDC" ? part.usdc : part.mag7;
  const erc = IERC20Metadata__factory.connect(token, who);
  const decimals = Number(await erc.decimals());
  const me = await who.getAddress();
  const name = asset === "USDC" ? "USDC" : "MAG7.ssi";
  const balance = await erc.balanceOf(me);
  if (balance < amount)
    fail(`${me} holds ${formatUnitsExact(balance, decimals)} ${name}, cannot deposit ${formatUnitsExact(amount, decimals)}`);
  const { minRequestUsd, indexHaircutBps: limitHaircut } = await vault.limits();
  // The open epoch keeps the haircut of its first MAG7.ssi deposit (a later change applies from the next epoch).
  const open = await vault.epochInfo(await vault.currentEpoch());
  const indexHaircutBps = open.depositIndex !== 0n ? open.indexHaircutBps : limitHaircut;
  let valueUsd: bigint; // {1e18 USD}
  let netUsd: bigint;
  if (asset === "USDC") {
    valueUsd = amount * 10n ** BigInt(18 - decimals);
    netUsd = valueUsd;
  } else {
    let navPerShare: bigint;
    try {
      navPerShare = await IIndexValuation__factory.connect(part.mag7, who).navPerShare();
    } catch (e) {
      fail(`cannot value MAG7.ssi now: ${describeRevert(vault, e)} (it prices its basket through the Chainlink feeds)`);
    }
    valueUsd = (amount * navPerShare) / WAD;
    netUsd = (valueUsd * (10_000n - indexHaircutBps)) / 10_000n;
  }
  if (valueUsd < minRequestUsd)
    fail(`${formatUnitsExact(amount, decimals)} ${name} is worth ${formatUsd(valueUsd)}, below the minimum request of ${formatUsd(minRequestUsd)}`);
  const last = await vault.lastAcceptedReport();
  return {
    asset,
    token,
    amount,
    decimals,
    epoch: await vault.currentEpoch(),
    lastNavPerToken: last.navPerToken,
    lastNavTime: last.timestamp,
    indicativeShares: (netUsd * WAD) / last.navPerToken,
  };
}

/** Approves exactly the amount (unless the allowance already equals it) and requests the deposit. */
export async function executeUssiDeposit(
  part: UssiPart,
  who: Signer,
  plan: DepositPlan
): Promise<{ hash: string; requestId: bigint; epoch: bigint }> {
  const vault = ussiVault(part, who);
  const erc = IERC20Metadata__factory.connect(plan.token, who);
  const me = await who.getAddress();
  if ((await erc.allowance(me, part.vault)) !== plan.amount) await (await erc.approve(part.vault, plan.amount)).wait();
  const { result, hash } =
    plan.asset === "USDC"
      ? await simulateThenSend(
          vault,
          "UssiVault.requestDeposit",
          () => vault.requestDeposit.staticCall(plan.amount),
          () => vault.requestDeposit(plan.amount)
        )
      : await simulateThenSend(
          vault,
          "UssiVault.requestDepositIndex",
          () => vault.requestDepositIndex.staticCall(plan.amount),
          () => vault.requestDepositIndex(plan.amount)
        );
  const r = await vault.request(result);
  if (r.owner !== me || r.amount !== plan.amount) fail(`requested (tx ${hash}), but request ${result} on chain is not ${me}'s deposit`);
  return { hash, requestId: result, epoch: r.epoch };
}

export interface RedeemResult {
  route: "instant" | "queued";
  hash: string;
  shares: bigint;
  /** Instant: USDC paid. Queued: the USDC the shares are worth at the last NAV (indicative only). */
  assets: bigint;
  /** Queued: the request and its epoch. */
  requestId?: bigint;
  epoch?: bigint;
  /** Instant: the discount from the last NAV {bps} (the largest move one report may make). */
  discountBps?: bigint;
}

/**
 * Redeems `shares`: by default a request settled at the next NAV (claim it after, once funded);
 * with `instant`, at once from the liquid buffer at the last NAV less maxNavChangeBps, within the
 * per-epoch cap (fails, naming the limit, when it does not fit).
 */
export async function ussiRedeem(part: UssiPart, who: Signer, shares: bigint, instant = false): Promise<RedeemResult> {
  const vault = ussiVault(part, who);
  const me = await who.getAddress();
  const balance = await vault.balanceOf(me);
  if (balance < shares) fail(`${me} holds ${formatUnitsExact(balance, 18)} USSI, cannot redeem ${formatUnitsExact(shares, 18)}`);
  const last = await vault.lastAcceptedReport();
  if (instant) {
    const assets = await vault.previewRedeem(shares);
    const room = await vault.instantCapacity();
    const { maxNavChangeBps } = await vault.limits();
    if (!(await vault.isNavFresh()))
      fail(`instant redemption needs a fresh NAV and the last one (round ${last.round}) is stale: request a redemption instead (drop --instant)`);
    if (assets === 0n) fail(`${formatUnitsExact(shares, 18)} USSI round to 0 USDC at the instant price: redeem more`);
    if (room === 0n) {
      // Closed (mid-step after an intermediate NAV report) or used up: the vault's own error says which.
      try {
        await vault.redeem.staticCall(shares, assets);
      } catch (e) {
        const why = describeRevert(vault, e);
        if (why.startsWith("NavMidStep"))
          fail(
            `instant redemption is closed: the last NAV report (round ${last.round}) is an intermediate step of a larger move, and it reopens at the final report; request a redemption instead (drop --instant)`
          );
        fail(`instant redemption refused: ${why}; request a redemption instead (drop --instant)`);
      }
    }
    if (assets > room)
      fail(
        `instant redemption of ${formatUnitsExact(assets, part.usdcDecimals)} USDC does not fit: ${formatUnitsExact(
          room,
          part.usdcDecimals
        )} USDC left this epoch (per-epoch cap and liquid buffer); request a redemption instead (drop --instant)`
      );
    const { hash } = await simulateThenSend(
      vault,
      "UssiVault.redeem",
      () => vault.redeem.staticCall(shares, assets),
      () => vault.redeem(shares, assets)
    );
    return { route: "instant", hash, shares, assets, discountBps: maxNavChangeBps };
  }
  const { minRequestUsd } = await vault.limits();
  const valueUsd = (shares * last.navPerToken) / WAD;
  if (shares !== balance && valueUsd < minRequestUsd)
    fail(
      `${formatUnitsExact(shares, 18)} USSI are worth ${formatUsd(valueUsd)} at the last NAV, below the minimum request of ${formatUsd(
        minRequestUsd
      )} (redeeming the whole balance is always allowed)`
    );
  const { result, hash } = await simulateThenSend(
    vault,
    "UssiVault.requestRedeem",
    () => vault.requestRedeem.staticCall(shares),
    () => vault.requestRedeem(shares)
  );
  const r = await vault.request(result);
  if (r.owner !== me || r.amount !== shares) fail(`requested (tx ${hash}), but request ${result} on chain is not ${me}'s ${shares} USSI`);
  const assets = (shares * last.navPerToken) / (WAD * 10n ** BigInt(18 - part.usdcDecimals));
  return { route: "queued", hash, shares, assets, requestId: result, epoch: r.epoch };
}

export interface FulfilResult {
  hash: string;
  caller: string;
  /** {USDC} moved from the vault's liquid buffer. */
  fromBuffer: bigint;
  /** {USDC} deposited by the caller. */
  assetsIn: bigint;
  owed: bigint;
  funded: bigint;
}

/**
 * Funds settled redemptions (anyone may; the strategy normally does): first from the vault's liquid
 * buffer, then the rest (up to `max`) from the caller. When the caller cannot pay, fails saying how
 * much is missing and how to fund the strategy.
 */
export async function ussiFulfil(
  client: Client,
  part: UssiPart,
  max?: bigint,
  strategySigner?: Signer
): Promise<FulfilResult> {
  const reader = ussiVault(part, client.provider);
  const [owed, funded] = await reader.redemptionFunding();
  const outstanding = owed - funded;
  if (outstanding === 0n) fail(`every settled redemption is already funded: nothing to fulfil (requests settle at the next NAV report)`);
  const who = strategySigner ?? (await localRoleHolder(client, reader, USSI_ROLES.STRATEGY, "STRATEGY_ROLE"));
  const caller = await who.getAddress();
  const liquid = await reader.liquidAssets();
  const fromBuffer = liquid < outstanding ? liquid : outstanding;
  const rest = outstanding - fromBuffer;
  const want = max === undefined || max > rest ? rest : max;
  const usdc = IERC20Metadata__factory.connect(part.usdc, who);
  const balance = await usdc.balanceOf(caller);
  const fmt = (x: bigint) => `${formatUnitsExact(x, part.usdcDecimals)} USDC`;
  if (balance < want)
    fail(
      `settled redemptions are owed ${fmt(outstanding)}; the vault's liquid buffer covers ${fmt(fromBuffer)} and ${caller} holds ${fmt(
        balance
      )} of the ${fmt(want)} needed. Fund the strategy first: close or reduce hedge positions on the venue and withdraw ` +
        `${fmt(want - balance)} (or more) of USDC to ${caller}, then run ussi:fulfil again; or fund part now with --max ${formatUnitsExact(
          balance,
          part.usdcDecimals
        )}. Nothing was sent.`
    );
  if (want > 0n && (await usdc.allowance(caller, part.vault)) < want) await (await usdc.approve(part.vault, want)).wait();
  const vault = reader.connect(who);
  const { result, hash } = await simulateThenSend(
    vault,
    "UssiVault.fulfil",
    () => vault.fulfil.staticCall(want),
    () => vault.fulfil(want)
  );
  const [owedAfter, fundedAfter] = await reader.redemptionFunding();
  return { hash, caller, fromBuffer, assetsIn: result, owed: owedAfter, funded: fundedAfter };
}

export interface ClaimResult {
  id: bigint;
  kind: "deposit (USDC)" | "deposit (MAG7.ssi)" | "redemption";
  hash: string;
  /** Paid: USSI for a deposit, USDC for a redemption (MAG7.ssi for a deposit returned unvalued). */
  amount: bigint;
  unit: "USSI" | "USDC" | "MAG7.ssi";
  navPerToken: bigint;
  epoch: bigint;
}

const KINDS = ["deposit (USDC)", "deposit (MAG7.ssi)", "redemption"] as const;

/** Why request `id` of `me` cannot be claimed now, in words, or undefined when it can. */
async function claimBlocker(vault: UssiVault, id: bigint, me: string): Promise<string | undefined> {
  const r = await vault.request(id);
  if (r.owner !== me) return `request ${id} belongs to ${r.owner}, not ${me}: only its owner may claim it`;
  if (r.claimed) return `request ${id} was already claimed`;
  const ep = await vault.epochInfo(r.epoch);
  if (ep.navPerToken === 0n)
    return `request ${id} waits for settlement: ${settlementWords(r.epoch)}; relay the next report (ussi:push-nav), then claim`;
  if (Number(r.kind) === 2) {
    const [, funded] = await vault.redemptionFunding();
    if (funded < ep.owedEnd)
      return `request ${id} is priced but not funded yet (${ep.owedEnd - funded} USDC units short): the strategy funds it with ussi:fulfil, then claim`;
  }
  return undefined;
}

/** Claims request `id`, or every claimable request of the caller when `id` is undefined. */
export async function ussiClaim(part: UssiPart, who: Signer, id?: bigint): Promise<ClaimResult[]> {
  const vault = ussiVault(part, who);
  const me = await who.getAddress();
  const count = await vault.requestCount();
  let ids: bigint[];
  if (id !== undefined) {
    if (id >= count) fail(count === 0n ? `there is no request ${id} (no request was ever made)` : `there is no request ${id} (requests 0..${count - 1n} exist)`);
    const why = await claimBlocker(vault, id, me);
    if (why !== undefined) fail(why);
    ids = [id];
  } else {
    ids = [];
    for (let i = 0n; i < count; i++) if ((await claimBlocker(vault, i, me)) === undefined) ids.push(i);
    if (ids.length === 0) fail(`${me} has no request ready to claim (see ussi:status for pending ones)`);
  }
  const out: ClaimResult[] = [];
  for (const i of ids) {
    const r = await vault.request(i);
    const ep = await vault.epochInfo(r.epoch);
    const kind = KINDS[Number(r.kind)]!;
    const unit = kind === "redemption" ? "USDC" : kind === "deposit (MAG7.ssi)" && ep.indexNetPerShare === 0n ? "MAG7.ssi" : "USSI";
    const { result, hash } = await simulateThenSend(vault, "UssiVault.claim", () => vault.claim.staticCall(i), () => vault.claim(i));
    out.push({ id: i, kind, hash, amount: result, unit, navPerToken: ep.navPerToken, epoch: r.epoch });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------

export interface UssiStatus {
  vault: string;
  timelock: string;
  totalSupply: bigint;
  /** The last accepted report, as of its valuation time (not a current price). */
  nav: {
    round: bigint;
    timestamp: bigint;
    /** Seconds since the valuation time (undefined before the first report). */
    age: bigint | undefined;
    fresh: boolean;
    nav: bigint;
    navPerToken: bigint;
    spotValue: bigint;
    perpPnl: bigint;
    fundingAccrued: bigint;
    /** nav - spot - perpPnl - funding {1e18 USD}. */
    cash: bigint;
    netDeltaBps: bigint;
  };
  /** The open epoch: its requests settle at the next accepted report's navPerToken. */
  epoch: { current: bigint; depositUsdc: bigint; depositIndex: bigint; redeemShares: bigint };
  buffer: { target: bigint; liquid: bigint; reserved: bigint; usdcHeld: bigint; mag7Held: bigint; instantCapacity: bigint };
  funding: { owed: bigint; funded: bigint; outstanding: bigint };
  /** Requests not yet claimed (at most STATUS_MAX_REQUESTS, newest first). */
  requests: {
    id: bigint;
    owner: string;
    kind: string;
    amount: bigint;
    epoch: bigint;
    /** "pending (next NAV)", "settled", "settled, awaiting funding". */
    state: string;
    /** The settlement price, or undefined while pending (it will be the next accepted report's). */
    navPerToken: bigint | undefined;
  }[];
  limits: {
    maxNavAge: bigint;
    maxNavChangeBps: bigint;
    maxNetDeltaBps: bigint;
    bufferTargetBps: bigint;
    indexHaircutBps: bigint;
    instantCapBps: bigint;
    minRequestUsd: bigint;
  };
  paused: boolean;
  deltaBreachRound: bigint;
  depositsOpen: boolean;
  usdcDecimals: number;
}

/** At most this many unclaimed requests are listed. */
export const STATUS_MAX_REQUESTS = 50n;

export async function readUssiStatus(client: Client, part: UssiPart): Promise<UssiStatus> {
  const vault = ussiVault(part, client.provider);
  const now = BigInt((await client.provider.getBlock("latest"))!.timestamp);
  const r = await vault.lastAcceptedReport();
  const current = await vault.currentEpoch();
  const open = await vault.epochInfo(current);
  const [owed, funded] = await vault.redemptionFunding();
  const requests: UssiStatus["requests"] = [];
  const count = await vault.requestCount();
  for (let i = count - 1n; i >= 0n && BigInt(requests.length) < STATUS_MAX_REQUESTS; i--) {
    const q = await vault.request(i);
    if (q.claimed) continue;
    const ep = await vault.epochInfo(q.epoch);
    const kind = KINDS[Number(q.kind)]!;
    const state =
      ep.navPerToken === 0n ? "pending (next NAV)" : kind === "redemption" && funded < ep.owedEnd ? "settled, awaiting funding" : "settled, claimable";
    requests.push({ id: i, owner: q.owner, kind, amount: q.amount, epoch: q.epoch, state, navPerToken: ep.navPerToken === 0n ? undefined : ep.navPerToken });
  }
  const l = await vault.limits();
  const paused = await vault.paused();
  const deltaBreachRound = await vault.deltaBreachRound();
  return {
    vault: part.vault,
    timelock: part.timelock,
    totalSupply: await vault.totalSupply(),
    nav: {
      round: r.round,
      timestamp: r.timestamp,
      age: r.timestamp === 0n ? undefined : now - r.timestamp,
      fresh: await vault.isNavFresh(),
      nav: r.nav,
      navPerToken: r.navPerToken,
      spotValue: r.spotValue,
      perpPnl: r.perpPnl,
      fundingAccrued: r.fundingAccrued,
      cash: r.nav - r.spotValue - r.perpPnl - r.fundingAccrued,
      netDeltaBps: r.netDeltaBps,
    },
    epoch: { current, depositUsdc: open.depositUsdc, depositIndex: open.depositIndex, redeemShares: open.redeemShares },
    buffer: {
      target: await vault.bufferTarget(),
      liquid: await vault.liquidAssets(),
      reserved: await vault.reservedAssets(),
      usdcHeld: await IERC20Metadata__factory.connect(part.usdc, client.provider).balanceOf(part.vault),
      mag7Held: await IERC20Metadata__factory.connect(part.mag7, client.provider).balanceOf(part.vault),
      instantCapacity: await vault.instantCapacity(),
    },
    funding: { owed, funded, outstanding: owed - funded },
    requests,
    limits: {
      maxNavAge: l.maxNavAge,
      maxNavChangeBps: l.maxNavChangeBps,
      maxNetDeltaBps: l.maxNetDeltaBps,
      bufferTargetBps: l.bufferTargetBps,
      indexHaircutBps: l.indexHaircutBps,
      instantCapBps: l.instantCapBps,
      minRequestUsd: l.minRequestUsd,
    },
    paused,
    deltaBreachRound,
    depositsOpen: !paused && deltaBreachRound === 0n,
    usdcDecimals: part.usdcDecimals,
  };
}

export { formatNavPerToken, formatUnitsExact, formatUsd, jsonify } from "../src/lib/format";
export { WAD };
