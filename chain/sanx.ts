/**
 * The chain-facing SANX operations behind the sanx:* tasks and the demo: sign signals from the
 * engine, relay them, execute due actions and push the follow-up weight report through the gate,
 * and read the status. Each takes a `Client` (chain/client.ts) first, never the Hardhat runtime;
 * tasks parse arguments and print. The Ignition deployment (`deploySanx`) is in tasks/lib/sanx-deploy.ts.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Wallet, getAddress, verifyTypedData, type BaseContract, type ContractTransactionResponse, type Signer, type TypedDataDomain } from "ethers";
import {
  IERC20Metadata__factory,
  IndexVault__factory,
  PriceRegistry__factory,
  SanxBasket__factory,
  SanxController__factory,
  SignalOracle__factory,
  WeightOracle__factory,
  type IndexVault,
  type PriceRegistry,
  type SanxBasket,
  type SanxController,
  type SignalOracle,
  type WeightOracle,
} from "../typechain-types";
import { useEnv } from "../src/env";
import { InputError } from "../src/lib/errors";
import { formatDay, parseDay } from "../src/lib/csv";
import { roundUsd } from "../src/methodology/ranking";
import { loadUniverseFile } from "../src/data/universe";
import { computeSignals, DEFAULT_PARAMS, type SignalParams } from "../src/mvrv/engine";
import { readMvrvCsv } from "../src/mvrv/csv";
import { defiSymbols, loadSanxData } from "../src/sanx/data";
import { chooseEvents, toSignalStruct, type ChosenEvent } from "../src/sanx/signals";
import { zoneFromCode, type SignalStruct, type SignalZone } from "../src/sanx/signalReport";
import { SIGNAL_EIP712_TYPES } from "../src/sanx/signalReport";
import type { SignalFile, SignedSignal } from "../src/sanx/signalFile";
import { latestMarketCaps, nextTargets, valueWeights, type MarketCaps, type NextTargets, type Weighted } from "../src/sanx/targets";
import { fail } from "./errors";
import { firstSigner } from "./client";
import { describeDomain, mergeSignatureFilesByReport, recordedDomain, signQuorum, signToFile, type CheckedDomain, type SignatureFile } from "./quorum";
import { runKeeper, type KeeperRun } from "./rebalance";
import { loadRecord } from "./ssi";
import { WEIGHT_REPORT_TYPES, parseSignedReport, type WeightReport } from "./weight-reports";
import { mergeSignatureFiles } from "./quorum";
import { TypedDataEncoder } from "ethers";
import type { Client } from "./client";
import type { DeploymentRecord, TimelockRecord } from "./deployment";

/** What sanx:deploy adds to the deployment record. */
export interface SanxPart {
  signalOracle: string;
  controller: string;
  basket: string;
  vault: string;
  /** The SANX vault's Rebalancer (holds its REBALANCER_ROLE; the keeper trades through it). */
  rebalancer: string;
  /** Reserve asset symbol (a key of `assets`). */
  reserve: string;
  /** SANX universe symbols (token-list `defi`, non-stablecoin, present in the market). */
  universe: string[];
  signers: string[];
  quorum: number;
  delayDays: number;
  block: number;
  /** SANX's admin TimelockController (its address; absent in records written before issue 13). */
  admin?: string;
  timelock?: TimelockRecord;
  /** Contract name -> address and every role's holders after the deployment. */
  roleHolders?: Record<string, Record<string, string[] | string>>;
  warnings?: string[];
}

export type SanxRecord = DeploymentRecord & { sanx: SanxPart };

export type Log = (line: string) => void;


// ---------------------------------------------------------------------------------------------
// Contracts and shared helpers
// ---------------------------------------------------------------------------------------------

/** Where the SANX contracts are: the two entry points; everything else is read from them. */
export interface SanxAddresses {
  signalOracle: string;
  basket: string;
}

export interface SanxContracts {
  signalOracle: SignalOracle;
  controller: SanxController;
  basket: SanxBasket;
  vault: IndexVault;
  weightOracle: WeightOracle;
  registry: PriceRegistry;
  reserve: string;
}

/**
 * The SANX addresses: `overrides` where given, else the `sanx` part of `deployments/<network>.json`.
 * @throws InputError when neither gives both addresses
 */
export function sanxAddresses(network: string, overrides: Partial<SanxAddresses>, root = process.cwd()): SanxAddresses {
  let recorded: Partial<SanxAddresses> = {};
  const file = path.join(root, "deployments", `${network}.json`);
  if (existsSync(file)) {
    try {
      recorded = (JSON.parse(readFileSync(file, "utf8")) as { sanx?: Partial<SanxAddresses> }).sanx ?? {};
    } catch (e) {
      throw new InputError(`${path.relative(root, file)} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const signalOracle = overrides.signalOracle ?? recorded.signalOracle;
  const basket = overrides.basket ?? recorded.basket;
  if (signalOracle === undefined || basket === undefined) {
    throw new InputError(
      `no SANX deployment for network "${network}": run \`npx hardhat sanx:deploy --network ${network}\` first, or pass --signal-oracle and --basket`,
    );
  }
  return { signalOracle: getAddress(signalOracle), basket: getAddress(basket) };
}

/** Connects to the SANX contracts (checked to have code) and the ones they point at. */
export async function connectSanx(client: Client, addresses: SanxAddresses, runner?: Signer): Promise<SanxContracts> {
  const r = runner ?? client.provider;
  for (const [name, a] of Object.entries(addresses)) {
    if ((await client.provider.getCode(a)) === "0x") {
      throw new InputError(
        `the SANX ${name} ${a} has no code on network "${client.network}"` +
          (client.network === "hardhat" ? " (the in-process network starts empty on every run: use --network localhost with `npx hardhat node`)" : "") +
          ": run sanx:deploy first",
      );
    }
  }
  const signalOracle = SignalOracle__factory.connect(addresses.signalOracle, r);
  const basket = SanxBasket__factory.connect(addresses.basket, r);
  const controller = SanxController__factory.connect(await basket.controller(), r);
  if ((await signalOracle.controller()) !== (await controller.getAddress())) {
    throw new InputError(`the SignalOracle ${addresses.signalOracle} feeds controller ${await signalOracle.controller()}, not the basket's ${await controller.getAddress()}`);
  }
  const vault = IndexVault__factory.connect(await basket.vault(), r);
  const weightOracle = WeightOracle__factory.connect(await basket.weightOracle(), r);
  const registry = PriceRegistry__factory.connect(await vault.priceRegistry(), r);
  return { signalOracle, controller, basket, vault, weightOracle, registry, reserve: await basket.reserveAsset() };
}

export async function chainNow(client: Client): Promise<bigint> {
  return BigInt((await client.provider.getBlock("latest"))!.timestamp);
}

/** Upper-case ERC-20 symbols of `tokens`, by checksummed address. */
export async function symbolsOf(client: Client, tokens: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of tokens) out.set(getAddress(t), (await IERC20Metadata__factory.connect(t, client.provider).symbol()).toUpperCase());
  return out;
}

/** Revert data somewhere in an ethers/Hardhat error (its shape differs in-process and over HTTP). */
function revertData(e: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof e !== "object" || e === null) return undefined;
  const o = e as Record<string, unknown>;
  if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(o.data)) return o.data;
  for (const k of ["data", "error", "info", "cause", "revert"]) {
    const hit = revertData(o[k], depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** A contract error as `Name(arg, ...)` when one of `contracts` knows it, else the node's words. */
export function describeRevert(contracts: readonly BaseContract[], e: unknown): string {
  const data = revertData(e);
  if (data !== undefined) {
    for (const c of contracts) {
      const parsed = c.interface.parseError(data);
      if (parsed !== null) return `${parsed.name}(${parsed.args.map((a) => String(a)).join(", ")})`;
    }
  }
  const err = e as { shortMessage?: string; message?: string };
  const text = err.shortMessage ?? err.message ?? String(e);
  const custom = /reverted with custom error '([^']+)'/.exec(text);
  return custom ? custom[1]!.replace(/"/g, "") : text;
}

/** Sends only after the same call succeeds statically; a revert is a user-facing error and nothing is sent. */
async function simulateThenSend(
  decoders: readonly BaseContract[],
  what: string,
  simulate: () => Promise<unknown>,
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionResponse> {
  try {
    await simulate();
  } catch (e) {
    fail(`${what} would revert: ${describeRevert(decoders, e)}; nothing was sent`);
  }
  const tx = await send();
  await tx.wait();
  return tx;
}

/**
 * The quorum signers of `verifier` (a SignalOracle or WeightOracle): ORACLE_SIGNER_KEYS (comma-separated
 * private keys, all of which must be signers), or on hardhat/localhost the first `quorum` local
 * accounts in the signer set.
 */
export async function quorumSigners(
  client: Client,
  verifier: { quorum(): Promise<bigint>; isSigner(a: string): Promise<boolean> },
  what: string,
): Promise<Signer[]> {
  const quorum = Number(await verifier.quorum());
  const raw = useEnv("ORACLE_SIGNER_KEYS");
  if (raw !== undefined) {
    const keys = raw.split(",").map((k, i) => {
      try {
        return new Wallet(k.trim());
      } catch {
        fail(`ORACLE_SIGNER_KEYS entry ${i + 1} is not a private key (0x followed by 64 hex digits)`);
      }
    });
    if (!client.local && keys.length > 1) {
      fail(
        `ORACLE_SIGNER_KEYS holds ${keys.length} keys: on ${client.network} no process holds several signers' keys; each signer signs with its own key ` +
          `(SIGNALS_SIGNER_KEY or ORACLE_SIGNER_KEY: sanx:sign-signals, then sanx:push-signals --signatures DIR)`,
      );
    }
    for (const k of keys) if (!(await verifier.isSigner(k.address))) fail(`ORACLE_SIGNER_KEYS holds ${k.address}, which is not a signer of the ${what}`);
    if (keys.length < quorum) fail(`ORACLE_SIGNER_KEYS holds ${keys.length} key(s), the ${what} needs ${quorum}`);
    return keys.slice(0, quorum);
  }
  if (!client.local) fail(`set ORACLE_SIGNER_KEYS (comma-separated private keys of ${quorum} ${what} signers) to sign on ${client.network}`);
  const mine: Signer[] = [];
  for (const s of await client.signers()) {
    if (mine.length === quorum) break;
    if (await verifier.isSigner(s.address)) mine.push(s);
  }
  if (mine.length < quorum) fail(`only ${mine.length} of the local accounts are ${what} signers, the quorum is ${quorum}: set ORACLE_SIGNER_KEYS`);
  return mine;
}

const isoOf = (ts: bigint): string => new Date(Number(ts) * 1000).toISOString().replace(".000Z", "Z");
const dateOf = (day: bigint): string => formatDay(Number(day));

// ---------------------------------------------------------------------------------------------
// sanx:signals
// ---------------------------------------------------------------------------------------------

export interface SignOptions {
  /** Folder with mvrv/<symbol>.csv. */
  dataDir: string;
  /** Day number: sign every event since it; default the latest event per asset. */
  fromDay?: number;
  params?: SignalParams;
}

export interface SignResult {
  file: SignalFile;
  /** Data symbols left out, with why. */
  skipped: { symbol: string; reason: string }[];
}

/**
 * Runs the engine over every SANX-universe asset in `DIR/mvrv` (token-list `defi`, no stablecoin,
 * and in the SignalOracle's on-chain universe, matched by ERC-20 symbol), picks the events and signs
 * them under the oracle's domain. Sends nothing.
 */
export async function chooseSignals(client: Client, c: SanxContracts, opts: SignOptions): Promise<{ toSign: EventToSign[]; skipped: { symbol: string; reason: string }[] }> {
  const mvrvDir = path.join(opts.dataDir, "mvrv");
  if (!existsSync(mvrvDir)) throw new InputError(`${opts.dataDir}: no mvrv/ folder inside it`);
  const defi = defiSymbols();
  const files = readdirSync(mvrvDir)
    .filter((f) => f.toLowerCase().endsWith(".csv"))
    .map((f) => ({ symbol: f.slice(0, -4).toUpperCase(), file: path.join(mvrvDir, f) }))
    .filter((x) => defi.has(x.symbol))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  if (files.length === 0) throw new InputError(`${mvrvDir}: no CSV of a SANX-universe (defi) token`);
  const bySymbol = new Map<string, string>();
  for (const [address, symbol] of await symbolsOf(client, await c.signalOracle.universe())) bySymbol.set(symbol, address);

  const toSign: EventToSign[] = [];
  const skipped: { symbol: string; reason: string }[] = [];
  for (const { symbol, file } of files) {
    const asset = bySymbol.get(symbol);
    if (asset === undefined) {
      skipped.push({ symbol, reason: "not in the SignalOracle's universe on this chain" });
      continue;
    }
    const report = computeSignals(readMvrvCsv(file), opts.params ?? DEFAULT_PARAMS, file);
    const events = chooseEvents(symbol, report, opts.fromDay);
    if (events.length === 0) skipped.push({ symbol, reason: opts.fromDay === undefined ? "no signal in the series" : "no signal since --from" });
    for (const e of events) toSign.push({ ...e, asset });
  }
  return { toSign, skipped };
}

/** `chooseSignals`, then signed with the quorum signers (`signEvents`). Sends nothing. */
export async function signSignals(client: Client, c: SanxContracts, opts: SignOptions): Promise<SignResult> {
  const { toSign, skipped } = await chooseSignals(client, c, opts);
  return { file: await signEvents(client, c, toSign), skipped };
}

/** An engine event to sign for the token `asset`. */
export interface EventToSign extends ChosenEvent {
  asset: string;
}

/**
 * Signs `events` under the SignalOracle's domain with its quorum signers, expiring at chain time +
 * the oracle's maxValidity, in relay order (by day, then symbol). `dayShift` moves every date by
 * that many days (the demo replays SAMPLE dates as recent days; real use leaves it at 0).
 */
export async function signEvents(client: Client, c: SanxContracts, events: readonly EventToSign[], dayShift = 0): Promise<SignalFile> {
  const now = await chainNow(client);
  const chosen = await unsignedSignals(client, c, events, dayShift);
  const domain = await recordedDomain(c.signalOracle, "signals");
  const signers = chosen.length > 0 ? await quorumSigners(client, c.signalOracle, "SignalOracle") : [];
  const signals: SignedSignal[] = [];
  for (const x of chosen) signals.push({ ...x, signatures: await signQuorum(signers, domain, SIGNAL_EIP712_TYPES, { ...x.signal }) });
  return {
    domain: { name: String(domain.name), version: String(domain.version), chainId: BigInt(domain.chainId!), verifyingContract: getAddress(String(domain.verifyingContract)) },
    signedAt: now,
    signals,
  };
}

/** A signal to sign, with its symbol, date and zone for people reading. */
export interface UnsignedSignal {
  symbol: string;
  date: string;
  zone: SignalZone;
  signal: SignalStruct;
}

/** The signals of `events`, expiring at chain time + the oracle's maxValidity, in relay order (by day, then symbol). */
export async function unsignedSignals(client: Client, c: SanxContracts, events: readonly EventToSign[], dayShift = 0): Promise<UnsignedSignal[]> {
  const now = await chainNow(client);
  const expiresAt = now + (await c.signalOracle.maxValidity());
  const chosen = events.map((e) => {
    const date = formatDay(parseDay(e.event.date, `${e.symbol} event`) + dayShift);
    const event = { ...e.event, date };
    return { symbol: e.symbol, date, zone: event.zone, signal: toSignalStruct({ symbol: e.symbol, event }, e.asset, expiresAt) };
  });
  return sortSignals(chosen);
}

/** Relay order: by day, then symbol. */
function sortSignals<T extends { symbol: string; signal: SignalStruct }>(xs: T[]): T[] {
  return xs.sort((a, b) => (a.signal.day !== b.signal.day ? (a.signal.day < b.signal.day ? -1 : 1) : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Issue 13: one key per signer (sanx:sign-signals), the relay merges signature files (sanx:push-signals --signatures)
// ---------------------------------------------------------------------------------------------

/** A signal struct from a signature file's JSON report (decimal strings). */
export function parseSignalFields(r: Record<string, unknown>, where: string): SignalStruct {
  const int = (k: string): bigint => {
    const x = r[k];
    if (typeof x !== "string" || !/^\d+$/.test(x)) throw new InputError(`${where}: signal.${k} must be a non-negative integer string`);
    return BigInt(x);
  };
  let asset: string;
  try {
    asset = getAddress(String(r["asset"]));
  } catch {
    throw new InputError(`${where}: signal.asset is not an address`);
  }
  zoneFromCode(int("zone"));
  return { asset, zone: int("zone"), day: int("day"), mvrv: int("mvrv"), threshold: int("threshold"), expiresAt: int("expiresAt") };
}

/** The signals a signature file (or bundle) carries, with the symbol/date/zone it notes. */
export function signalsOfFiles(files: readonly { source: string; file: SignatureFile }[]): UnsignedSignal[] {
  return files.map(({ source, file }) => {
    const signal = parseSignalFields(file.report, source);
    return { symbol: file.about?.["symbol"] ?? signal.asset, date: file.about?.["date"] ?? dateOf(signal.day), zone: zoneFromCode(signal.zone), signal };
  });
}

/**
 * `sanx:sign-signals`: ONE signer signs signals on its own machine (computed from the data, or proposed
 * by another signer). Checks the domain against the chain and the record, each signal against the oracle
 * (asset in its universe, not expired, not already relayed), shows both, then signs each. Returns the
 * bundle of signature files (one per signal).
 */
export async function signSignalsOne(client: Client, c: SanxContracts, signals: readonly UnsignedSignal[], signer: Signer, log: Log = () => undefined): Promise<{ kind: "signals"; files: SignatureFile[] }> {
  const domain = await recordedDomain(c.signalOracle, "signals");
  const me = getAddress(await signer.getAddress());
  if (!(await c.signalOracle.isSigner(me))) fail(`${me} is not a signer of the SignalOracle: nothing was signed`);
  if (signals.length === 0) fail(`no signal to sign: nothing was signed`);
  const universe = new Set((await c.signalOracle.universe()).map((a) => getAddress(a)));
  const now = await chainNow(client);
  for (const s of signals) {
    const what = `${s.symbol} ${s.date}`;
    if (!universe.has(getAddress(s.signal.asset))) fail(`${what}: ${s.signal.asset} is not in the SignalOracle's universe: nothing was signed`);
    if (s.signal.expiresAt <= now) fail(`${what}: the signal expired at ${isoOf(s.signal.expiresAt)} (chain time ${isoOf(now)}): nothing was signed`);
    if (await c.signalOracle.isRelayed(s.signal.asset, s.signal.day)) fail(`${what}: a signal of this asset and day was already relayed: nothing was signed`);
  }
  log(describeDomain(domain));
  for (const s of signals) log(`signal: ${s.symbol} (${s.signal.asset}) ${s.zone} on ${s.date} (day ${s.signal.day}), MVRV ${formatWad(s.signal.mvrv)} vs threshold ${formatWad(s.signal.threshold)}, expires ${isoOf(s.signal.expiresAt)}`);
  log(`signing ${signals.length} signal(s) as ${me}`);
  const files: SignatureFile[] = [];
  for (const s of sortSignals([...signals])) files.push(await signToFile(signer, "signals", domain, SIGNAL_EIP712_TYPES, { ...s.signal }, { symbol: s.symbol, date: s.date, zone: s.zone }));
  return { kind: "signals", files };
}

const formatWad = (x: bigint): string => (Number(x) / 1e18).toFixed(4);

/**
 * The relay's half: merges the signature files per signal (each re-hashed under the checked domain, each
 * signature recovering to its signer), requires a quorum of distinct SignalOracle signers for EVERY signal,
 * then relays them in order through `pushSignals`. Refuses (sending nothing) while any signal lacks m.
 */
export async function relaySignalSignatures(
  client: Client,
  c: SanxContracts,
  files: readonly { source: string; file: SignatureFile }[],
  relayer?: Signer,
): Promise<{ results: PushResult[]; signers: string[] }> {
  const domain: CheckedDomain = await recordedDomain(c.signalOracle, "signals");
  let groups: ReturnType<typeof mergeSignatureFilesByReport>;
  try {
    groups = mergeSignatureFilesByReport(files, { kind: "signals", domain, types: SIGNAL_EIP712_TYPES }, (r, where) => ({ ...parseSignalFields(r, where) }));
  } catch (e) {
    fail(`${(e as Error).message}: nothing was sent`);
  }
  const quorum = await c.signalOracle.quorum();
  const all = new Set<string>();
  const short: string[] = [];
  const signals: SignedSignal[] = [];
  for (const g of groups) {
    const signal = g.report as unknown as SignalStruct;
    const label = `${g.about?.["symbol"] ?? signal.asset} ${g.about?.["date"] ?? dateOf(signal.day)}`;
    for (const s of g.signers) {
      if (!(await c.signalOracle.isSigner(s))) fail(`signal ${label}: a signature file from ${s}, not in the SignalOracle's signer set: refused, nothing was sent`);
      all.add(s);
    }
    if (BigInt(g.signers.length) < quorum) short.push(`${label} has ${g.signers.length}`);
    signals.push({ symbol: g.about?.["symbol"] ?? signal.asset, date: g.about?.["date"] ?? dateOf(signal.day), zone: zoneFromCode(signal.zone), signal, signatures: g.signatures });
  }
  if (short.length > 0) fail(`the SignalOracle needs ${quorum} signatures per signal: ${short.join(", ")}: wait for the other signers' files, nothing was sent`);
  const file: SignalFile = {
    domain: { name: domain.name, version: domain.version, chainId: domain.chainId, verifyingContract: getAddress(domain.verifyingContract) },
    signedAt: await chainNow(client),
    signals: sortSignals(signals),
  };
  return { results: await pushSignals(client, c, file, relayer), signers: [...all].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)) };
}

// ---------------------------------------------------------------------------------------------
// sanx:push-signals
// ---------------------------------------------------------------------------------------------

export type PushOutcome = "accepted" | "ignored" | "refused";

export interface PushResult {
  symbol: string;
  date: string;
  zone: string;
  outcome: PushOutcome;
  detail: string;
  txHash?: string;
}

const IGNORE_REASONS = ["AlreadyMember", "NotMember", "SameKindPending", "Paused", "OutOfOrder"] as const;
const IGNORE_HINTS: Record<string, string> = {
  OutOfOrder: "dated before the asset's last applied signal: relay signals in date order",
};
const KINDS = ["None", "ADD", "REMOVE"] as const;
const REFUSAL_HINTS: Record<string, string> = {
  PendingActionDue: "this asset's pending action comes first: run sanx:execute once it is due (sanx:status), then relay again",
  SignalAlreadyRelayed: "already relayed (the oracle accepts one signal per asset and day)",
  SignalExpired: "sign it again (sanx:signals)",
};

/**
 * Checks the file against this deployment (domain, signers), then relays each signal in order:
 * a signal whose call would revert is reported `refused` with the contract error and not sent;
 * one the controller ignores is `ignored` with the reason; one that schedules or cancels is `accepted`.
 */
export async function pushSignals(client: Client, c: SanxContracts, file: SignalFile, relayer?: Signer): Promise<PushResult[]> {
  const sender = relayer ?? (await firstSigner(client));
  const oracle = c.signalOracle.connect(sender);
  const domain = await recordedDomain(c.signalOracle, "signals");
  if (getAddress(file.domain.verifyingContract) !== getAddress(String(domain.verifyingContract)) || file.domain.chainId !== BigInt(domain.chainId!)) {
    fail(
      `the signals were signed for SignalOracle ${file.domain.verifyingContract} on chain ${file.domain.chainId}, ` +
        `not this deployment's ${String(domain.verifyingContract)} on chain ${String(domain.chainId)}: refused, nothing was sent`,
    );
  }
  for (const [i, s] of file.signals.entries()) {
    for (const [j, sig] of s.signatures.entries()) {
      let who: string;
      try {
        who = verifyTypedData(domain as TypedDataDomain, SIGNAL_EIP712_TYPES, { ...s.signal }, sig);
      } catch {
        fail(`signal ${i + 1} (${s.symbol} ${s.date}): signature ${j + 1} is malformed: refused, nothing was sent`);
      }
      if (!(await c.signalOracle.isSigner(who))) fail(`signal ${i + 1} (${s.symbol} ${s.date}) is signed by ${who}, not a SignalOracle signer: refused, nothing was sent`);
    }
  }
  const decoders = [c.signalOracle, c.controller] as BaseContract[];
  const results: PushResult[] = [];
  for (const s of file.signals) {
    const base = { symbol: s.symbol, date: s.date, zone: s.zone };
    try {
      await oracle.submitSignal.staticCall(s.signal, s.signatures);
    } catch (e) {
      const why = describeRevert(decoders, e);
      const hint = REFUSAL_HINTS[why.split("(")[0]!];
      results.push({ ...base, outcome: "refused", detail: hint ? `${why}: ${hint}` : why });
      continue;
    }
    const tx = await oracle.submitSignal(s.signal, s.signatures);
    const receipt = (await tx.wait())!;
    let outcome: PushOutcome = "accepted";
    let detail = "accepted (no controller event)";
    for (const log of receipt.logs) {
      const parsed = c.controller.interface.parseLog(log);
      if (parsed === null) continue;
      if (parsed.name === "ActionScheduled") detail = `${KINDS[Number(parsed.args.kind)]} scheduled, due ${isoOf(parsed.args.dueAt)}`;
      else if (parsed.name === "ActionCancelled") detail = `cancelled the pending ${KINDS[Number(parsed.args.kind)]} (opposite signal)`;
      else if (parsed.name === "SignalIgnored") {
        outcome = "ignored";
        const reason = IGNORE_REASONS[Number(parsed.args.reason)] ?? String(parsed.args.reason);
        detail = `ignored by the controller: ${reason}${IGNORE_HINTS[reason] ? ` (${IGNORE_HINTS[reason]})` : ""}`;
      }
    }
    results.push({ ...base, outcome, detail, txHash: tx.hash });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// sanx:status
// ---------------------------------------------------------------------------------------------

export interface PendingInfo {
  symbol: string;
  asset: string;
  kind: "ADD" | "REMOVE";
  signalDate: string;
  dueAt: number;
  dueIso: string;
  due: boolean;
}

export interface SanxStatus {
  now: number;
  controller: string;
  basket: string;
  vault: string;
  paused: { controller: boolean; vault: boolean };
  delayDays: number;
  reserve: { symbol: string; address: string };
  members: { symbol: string; address: string }[];
  targets: { round: string; entries: { symbol: string; address: string; weight: string }[] };
  targetsDue: boolean;
  changes: { recorded: number; answered: number };
  pending: PendingInfo[];
  supply: string;
}

/** Every asset the controller may have state for: the oracle's universe and the members. */
async function trackedAssets(c: SanxContracts): Promise<string[]> {
  return [...new Set([...(await c.signalOracle.universe()), ...(await c.controller.members())].map((a) => getAddress(a)))];
}

async function pendingActions(client: Client, c: SanxContracts, now: bigint, symbols: Map<string, string>): Promise<PendingInfo[]> {
  const out: PendingInfo[] = [];
  for (const asset of await trackedAssets(c)) {
    const [kind, dueAt, signalDay] = await c.controller.pending(asset);
    if (kind === 0n) continue;
    out.push({
      symbol: symbols.get(asset) ?? asset,
      asset,
      kind: kind === 1n ? "ADD" : "REMOVE",
      signalDate: dateOf(signalDay),
      dueAt: Number(dueAt),
      dueIso: isoOf(dueAt),
      due: dueAt <= now,
    });
  }
  return out.sort((a, b) => a.dueAt - b.dueAt || (a.symbol < b.symbol ? -1 : 1));
}

export async function readStatus(client: Client, c: SanxContracts): Promise<SanxStatus> {
  const now = await chainNow(client);
  const members = (await c.controller.members()).map((a) => getAddress(a));
  const [round, tTokens, tWeights] = await c.vault.targets();
  const symbols = await symbolsOf(client, [...new Set([...(await trackedAssets(c)), ...tTokens.map((t) => getAddress(t)), c.reserve])]);
  const [recorded, answered] = await c.basket.changes();
  const named = (a: string) => ({ symbol: symbols.get(getAddress(a)) ?? a, address: getAddress(a) });
  return {
    now: Number(now),
    controller: await c.controller.getAddress(),
    basket: await c.basket.getAddress(),
    vault: await c.vault.getAddress(),
    paused: { controller: await c.controller.paused(), vault: await c.vault.paused() },
    delayDays: Number(await c.controller.delayDays()),
    reserve: named(c.reserve),
    members: members.map(named),
    targets: { round: round.toString(), entries: tTokens.map((t, i) => ({ ...named(t), weight: tWeights[i]!.toString() })) },
    targetsDue: await c.basket.targetsDue(),
    changes: { recorded: Number(recorded), answered: Number(answered) },
    pending: await pendingActions(client, c, now, symbols),
    supply: (await c.vault.totalSupply()).toString(),
  };
}

// ---------------------------------------------------------------------------------------------
// sanx:execute
// ---------------------------------------------------------------------------------------------

/** Market caps {whole USD} by upper-case symbol: the latest rows of `DIR/marketcap`, or a universe file. */
export function loadMarketCaps(source: { dataDir?: string; universeFile?: string }): Map<string, bigint> {
  if (source.universeFile !== undefined) {
    const u = loadUniverseFile(source.universeFile);
    const out = new Map<string, bigint>();
    for (const a of u.assets) if (a.marketCapUsd !== undefined) out.set(a.symbol.toUpperCase(), roundUsd(a.marketCapUsd));
    return out;
  }
  if (source.dataDir !== undefined) return latestMarketCaps(loadSanxData(source.dataDir).assets);
  throw new InputError("give --data DIR (latest rows of DIR/marketcap) or --universe FILE for the market caps of the new weights");
}

export interface ExecuteResult {
  paused: boolean;
  /** With signature files: the weight report is not pushed yet (no file signs it, or fewer than m do). */
  weightsPending?: { round: string; signers: string[]; quorum: string; reason: string };
  executed: { symbol: string; asset: string; kind: "ADD" | "REMOVE"; signalDate: string; dueIso: string; txHash: string }[];
  notDue: PendingInfo[];
  weights?: {
    kind: NextTargets["kind"];
    added: string[];
    removed: string[];
    current: Weighted[];
    targets: (Weighted & { address: string })[];
    round: string;
    txHash: string;
  };
}

/**
 * The weight report the SANX gate needs now (the next WeightOracle round for the gate), from the
 * membership on chain and `caps`. Signs and sends nothing.
 */
export async function sanxWeightReport(client: Client, c: SanxContracts, caps: MarketCaps, symbols?: Map<string, string>, validFor = 3600n) {
  const syms = symbols ?? (await symbolsOf(client, [...new Set([...(await trackedAssets(c)), ...(await c.vault.targets())[1].map((t) => getAddress(t)), c.reserve])]));
  const current = await currentWeights(c, syms);
  const memberSymbols = (await c.controller.members()).map((a) => syms.get(getAddress(a))!);
  const missing = memberSymbols.filter((s) => !caps.has(s));
  if (missing.length > 0) fail(`no market cap for ${missing.join(", ")} in the given data: nothing was signed or sent`);
  const reserveSymbol = syms.get(getAddress(c.reserve))!;
  const next = nextTargets({ current, members: memberSymbols, caps, reserve: reserveSymbol });
  const addressOf = new Map([...syms].map(([a, s]) => [s, a]));
  const targets = next.targets.map((t) => ({ ...t, address: addressOf.get(t.asset)! }));
  const gate = await c.basket.getAddress();
  const maxValidity = await c.weightOracle.maxValidity();
  const after = await chainNow(client);
  // The gate forwards every report as the vault's current round + 1 (the report's round is the WeightOracle's).
  const vaultRound = (await c.vault.targets())[0] + 1n;
  const report: WeightReport = {
    index: gate,
    round: (await c.weightOracle.lastRound(gate)) + 1n,
    validAfter: after,
    expiresAt: after + (validFor < maxValidity ? validFor : maxValidity),
    constituents: targets.map((t) => t.address),
    weights: targets.map((t) => t.weight),
  };
  return { report, next, targets, current, vaultRound, symbols: syms };
}

const sameTargets = (a: WeightReport, b: WeightReport): boolean =>
  getAddress(a.index) === getAddress(b.index) &&
  a.round === b.round &&
  a.constituents.length === b.constituents.length &&
  a.constituents.every((t, i) => getAddress(t) === getAddress(b.constituents[i]!)) &&
  a.weights.every((w, i) => w === b.weights[i]);

/**
 * The relay's half for the SANX weight report: of the signature files, those over a report with the
 * targets `want` (same gate, round, tokens, weights) are merged (checked domain, one digest, each
 * signature recovered to a WeightOracle signer). Returns the signatures once m are there, else why not.
 */
async function mergeSanxWeightFiles(c: SanxContracts, want: WeightReport, files: readonly { source: string; file: SignatureFile }[]) {
  const domain = await recordedDomain(c.weightOracle, "weights");
  const quorum = await c.weightOracle.quorum();
  const matching = files.filter((f) => f.file.kind === "weights" && sameTargets(parseSignedReport({ report: f.file.report, domain: f.file.domain, signatures: [] }, f.source).report, want));
  const pending = (signers: string[], reason: string) => ({ pending: { round: want.round.toString(), signers, quorum: quorum.toString(), reason } });
  if (matching.length === 0) return pending([], "no signature file signs this report yet: each signer runs sanx:sign-weights");
  const first = matching[0]!;
  const report = parseSignedReport({ report: first.file.report, domain: first.file.domain, signatures: [] }, first.source).report;
  const digest = TypedDataEncoder.hash(domain, WEIGHT_REPORT_TYPES, { ...report });
  let merged: { signers: string[]; signatures: string[] };
  try {
    merged = mergeSignatureFiles(matching, { kind: "weights", domain, digest });
  } catch (e) {
    fail(`${(e as Error).message}: the weight report was not sent`);
  }
  for (const s of merged.signers) if (!(await c.weightOracle.isSigner(s))) fail(`a signature file from ${s}, not a WeightOracle signer: the weight report was not sent`);
  if (BigInt(merged.signers.length) < quorum) return pending(merged.signers, `${merged.signers.length} of the ${quorum} signatures are there`);
  return { signatures: merged.signatures, report };
}

/**
 * `sanx:sign-weights`: ONE WeightOracle signer signs the SANX gate's next weight report. Proposer (no
 * `proposed`): computes it from `caps`; others: sign `proposed` after checking it is the report `caps`
 * give (same gate, round, tokens, weights). Refuses while a due action waits (sanx:execute first).
 */
export async function signSanxWeights(client: Client, c: SanxContracts, caps: MarketCaps, signer: Signer, proposed?: WeightReport, log: Log = () => undefined): Promise<SignatureFile> {
  const now = await chainNow(client);
  const syms = await symbolsOf(client, [...new Set([...(await trackedAssets(c)), ...(await c.vault.targets())[1].map((t) => getAddress(t)), c.reserve])]);
  const due = (await pendingActions(client, c, now, syms)).filter((p) => p.due);
  if (due.length > 0) fail(`${due.map((d) => `${d.kind} ${d.symbol}`).join(", ")} due: run sanx:execute first (it executes them), then sign the report over the new membership; nothing was signed`);
  const noTargets = (await c.vault.targets())[0] === 0n;
  if (!noTargets && !(await c.basket.targetsDue())) fail(`the SANX gate needs no weight report now (no membership change waits for its weights): nothing was signed`);
  const { report: computed, symbols } = await sanxWeightReport(client, c, caps, syms);
  const report = proposed ?? computed;
  if (proposed !== undefined && !sameTargets(proposed, computed)) {
    fail(`the proposed report (round ${proposed.round}, ${proposed.constituents.length} tokens) is not the one the membership on chain and the given market caps give (round ${computed.round}): nothing was signed`);
  }
  if (report.expiresAt <= now) fail(`the report expired at ${isoOf(report.expiresAt)}: nothing was signed`);
  return signSanxWeightsFor(c, report, signer, symbols, log);
}

/** Checks the domain and the signer, shows both with the report, and signs it with ONE key. */
async function signSanxWeightsFor(c: SanxContracts, report: WeightReport, signer: Signer, symbols: Map<string, string>, log: Log): Promise<SignatureFile> {
  const domain = await recordedDomain(c.weightOracle, "weights");
  const me = getAddress(await signer.getAddress());
  if (!(await c.weightOracle.isSigner(me))) fail(`${me} is not a signer of the WeightOracle: nothing was signed`);
  log(describeDomain(domain));
  log(`report: SANX (gate ${report.index}), round ${report.round}, valid ${isoOf(report.validAfter)} .. ${isoOf(report.expiresAt)}`);
  log(`weights: ${report.constituents.map((t, i) => `${symbols.get(getAddress(t)) ?? t} ${(Number((report.weights[i]! * 10_000n) / 10n ** 18n) / 100).toFixed(2)}%`).join(", ")}`);
  log(`signing as ${me}`);
  return signToFile(signer, "weights", domain, WEIGHT_REPORT_TYPES, { ...report });
}

/** The basket's current weights by symbol: value weights of what it holds, or its targets (see `currentWeights`). */
async function currentWeights(c: SanxContracts, symbols: Map<string, string>): Promise<Weighted[]> {
  const [round, tTokens, tWeights] = await c.vault.targets();
  if (round === 0n) return [];
  const sym = (a: string) => symbols.get(getAddress(a))!;
  const [bTokens, units] = await c.vault.basket();
  const sameSet = bTokens.length === tTokens.length && bTokens.every((t) => tTokens.some((u) => getAddress(u) === getAddress(t)));
  // The held basket's value weights when it holds the target set (a REMOVE then sells only the
  // removed position); the targets while the vault is empty or a rebalance is still outstanding.
  if ((await c.vault.effectiveSupply()) > 0n && sameSet) {
    const holdings = [];
    for (const [i, t] of bTokens.entries()) {
      const [priceWad, decimals] = await c.registry.priceAndDecimals(t);
      holdings.push({ asset: sym(t), units: units[i]!, priceWad, decimals: Number(decimals) });
    }
    return valueWeights(holdings);
  }
  return tTokens.map((t, i) => ({ asset: sym(t), weight: tWeights[i]! }));
}

/**
 * Executes every due action (in due order), then, when a membership change waits for its weights
 * (or the vault has no targets yet: the reserve asset's),
 * computes the new targets from `caps` and pushes a quorum-signed report through the WeightOracle to
 * the gate, and checks the vault's targets on chain. Checks everything it can before sending.
 */
export async function executeDue(
  client: Client,
  c: SanxContracts,
  caps: MarketCaps,
  opts: { sender?: Signer; validFor?: bigint; log?: Log; signatureFiles?: readonly { source: string; file: SignatureFile }[]; ownSigner?: Signer } = {},
): Promise<ExecuteResult> {
  const log = opts.log ?? (() => undefined);
  const sender = opts.sender ?? (await firstSigner(client));
  const now = await chainNow(client);
  const tracked = await trackedAssets(c);
  const [, tTokens] = await c.vault.targets();
  const symbols = await symbolsOf(client, [...new Set([...tracked, ...tTokens.map((t) => getAddress(t)), c.reserve])]);
  const allSymbols = [...symbols.values()];
  if (new Set(allSymbols).size !== allSymbols.length) fail(`two SANX tokens share a symbol (${allSymbols.join(", ")}): cannot key market caps by symbol`);
  const pending = await pendingActions(client, c, now, symbols);
  const due = pending.filter((p) => p.due);
  const notDue = pending.filter((p) => !p.due);
  if (await c.controller.paused()) return { paused: true, executed: [], notDue: pending };

  // == Checks before sending: the membership after the due actions has a market cap for each member ==
  const members = new Set((await c.controller.members()).map((a) => getAddress(a)));
  for (const d of due) {
    if (d.kind === "ADD") members.add(d.asset);
    else members.delete(d.asset);
  }
  // A weight report is needed after any change, and once at the start (no targets yet: the reserve).
  const noTargets = (await c.vault.targets())[0] === 0n;
  const weightsNeeded = due.length > 0 || noTargets || (await c.basket.targetsDue());
  if (weightsNeeded) {
    const missing = [...members].map((a) => symbols.get(a)!).filter((s) => !caps.has(s));
    if (missing.length > 0) fail(`no market cap for ${missing.join(", ")} in the given data: nothing was sent`);
  }

  const executed: ExecuteResult["executed"] = [];
  const controller = c.controller.connect(sender);
  for (const d of due) {
    const tx = await simulateThenSend(
      [c.controller, c.basket],
      `execute(${d.symbol})`,
      () => controller.execute.staticCall(d.asset),
      () => controller.execute(d.asset),
    );
    executed.push({ symbol: d.symbol, asset: d.asset, kind: d.kind, signalDate: d.signalDate, dueIso: d.dueIso, txHash: tx.hash });
    log(`executed ${d.kind} ${d.symbol} (signal ${d.signalDate}, due ${d.dueIso}): ${tx.hash}`);
  }
  if (!noTargets && !(await c.basket.targetsDue())) return { paused: false, executed, notDue };

  // == The weight report over the new membership ==
  const { report, next, targets, current, vaultRound } = await sanxWeightReport(client, c, caps, symbols, opts.validFor);
  let signatures: string[];
  if (opts.signatureFiles !== undefined) {
    // One key per signer: the report others signed (sanx:sign-weights) must be this one; relay once m are there.
    const files = [...opts.signatureFiles];
    if (opts.ownSigner !== undefined) {
      // The keeper's own signature (its one key) over the report the files carry, or the one computed here.
      const proposed = files.map((f) => parseSignedReport({ report: f.file.report, domain: f.file.domain, signatures: [] }, f.source).report).find((r) => sameTargets(r, report));
      files.push({ source: "the keeper's own signature", file: await signSanxWeightsFor(c, proposed ?? report, opts.ownSigner, symbols, log) });
    }
    const merged = await mergeSanxWeightFiles(c, report, files);
    if ("pending" in merged) return { paused: false, executed, notDue, weightsPending: merged.pending };
    signatures = merged.signatures;
    Object.assign(report, merged.report);
  } else {
    signatures = await signQuorum(await quorumSigners(client, c.weightOracle, "WeightOracle"), await recordedDomain(c.weightOracle, "weights"), WEIGHT_REPORT_TYPES, { ...report });
  }
  const oracle = c.weightOracle.connect(sender);
  const tx = await simulateThenSend(
    [c.weightOracle, c.basket, c.vault],
    "WeightOracle.submit (SANX report through the gate)",
    () => oracle.submit.staticCall(report, signatures),
    () => oracle.submit(report, signatures),
  );
  const [round, onTokens, onWeights] = await c.vault.targets();
  const same =
    round === vaultRound &&
    onTokens.length === report.constituents.length &&
    onTokens.every((t, i) => getAddress(t) === report.constituents[i]) &&
    onWeights.every((w, i) => w === report.weights[i]);
  if (!same) fail(`submitted, but the SANX vault's targets on chain are not the report's (round ${round}): check the gate's ORACLE_ROLE on the vault`);
  log(`weights (${next.kind}) round ${round} pushed through the gate: ${tx.hash}`);
  return { paused: false, executed, notDue, weights: { kind: next.kind, added: next.added, removed: next.removed, current, targets, round: round.toString(), txHash: tx.hash } };
}

// ---------------------------------------------------------------------------------------------
// sanx:execute --rebalance
// ---------------------------------------------------------------------------------------------

/** The keeper's run, or why there was none. */
export type SanxRebalance = KeeperRun | { status: "skipped"; reason: string };

/**
 * Trades the SANX vault to its latest targets through its Rebalancer: `runKeeper` with index SANX,
 * the same code as `ssi:rebalance --index SANX` (plan, oracle floors, open, trades, close, verify).
 * Skipped, with the reason, while the vault is paused (the red button) or holds nothing (no shares:
 * the first mint pays the targets in kind). The Rebalancer is the record's (`sanx.rebalancer`), so `c`
 * must be the recorded deployment.
 */
export async function rebalanceSanx(client: Client, c: SanxContracts, opts: { json: boolean; log?: Log }): Promise<SanxRebalance> {
  const log = opts.log ?? (() => undefined);
  const record = await loadRecord(client);
  const recorded = (record as { sanx?: { vault?: string } }).sanx?.vault;
  const vault = await c.vault.getAddress();
  if (recorded === undefined || getAddress(recorded) !== vault) {
    fail(`the SANX vault ${vault} is not the one in deployments/${record.network}.json (${recorded ?? "none"}): the keeper trades through the recorded Rebalancer; run ssi:rebalance --index SANX on the recorded deployment`);
  }
  if (await c.vault.paused()) return { status: "skipped", reason: "the SANX vault is paused (red button): no trading until governance unpauses" };
  if ((await c.vault.totalSupply()) === 0n) return { status: "skipped", reason: "the SANX vault holds nothing (no shares): the first mint pays the targets in kind" };
  return runKeeper(client, record, "SANX", { dryRun: false, json: opts.json }, log);
}
