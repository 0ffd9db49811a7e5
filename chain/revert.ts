/**
 * One decoder for every task: a revert (or a failed send) becomes words a user can act on.
 *
 * - `describeError(e)`: the whole story for any error a chain call throws: a custom error of any
 *   compiled contract in words, `Error(string)`, a panic, too little ETH for gas, a node that cannot
 *   be reached; undefined when it is none of these (a bug: keep its stack).
 * - `describeRevert(e)`: a revert in words (`RoundNotNext(index, 2, 3)` becomes "round 2 is not the
 *   next round (expected 3): this report (or a later one) was already relayed").
 *
 * The custom errors come from the ABIs of every compiled contract (TypeChain's factories), so an
 * error added to a contract decodes without touching this file (as `Name(arg=value, ...)` until it
 * has words below). TypeChain is loaded when a revert is decoded, never when Hardhat loads its config.
 */
import { AbiCoder, type ErrorFragment, type Result, Interface, ZeroHash, dataSlice, id } from "ethers";

/** A decoded revert: the error's name, its arguments by name (and by position), and the words. */
export interface DecodedRevert {
  name: string;
  signature: string;
  args: Record<string, unknown>;
  words: string;
}

/** Revert data somewhere in an ethers/Hardhat error (its shape differs in-process and over HTTP). */
export function revertData(e: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof e !== "object" || e === null) return undefined;
  const o = e as Record<string, unknown>;
  if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(o.data)) return o.data;
  for (const k of ["data", "error", "info", "cause", "revert", "parent"]) {
    const hit = revertData(o[k], depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

let bySelector: Map<string, ErrorFragment> | undefined;

/** Every custom error of every compiled contract (and its libraries), by 4-byte selector. */
function knownErrors(): Map<string, ErrorFragment> {
  if (bySelector !== undefined) return bySelector;
  const map = new Map<string, ErrorFragment>();
  let factories: Record<string, unknown> = {};
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    factories = require("../typechain-types");
  } catch {
    // not compiled: only Error(string) and panics decode
  }
  for (const f of Object.values(factories)) {
    const abi = (f as { abi?: unknown }).abi;
    if (typeof f !== "function" || !Array.isArray(abi)) continue;
    for (const frag of new Interface(abi as never).fragments) {
      if (frag.type === "error") map.set((frag as ErrorFragment).selector, frag as ErrorFragment);
    }
  }
  bySelector = map;
  return map;
}

const PANICS: Record<number, string> = {
  0x01: "an assertion failed",
  0x11: "an arithmetic overflow or underflow",
  0x12: "a division by zero",
  0x21: "an invalid enum value",
  0x32: "an array index out of bounds",
  0x41: "too much memory allocated",
};

/** Decodes revert data: a custom error of any compiled contract, Error(string) or Panic(uint256). */
export function decodeRevertData(data: string): DecodedRevert | undefined {
  const selector = data.slice(0, 10).toLowerCase();
  const coder = AbiCoder.defaultAbiCoder();
  try {
    if (selector === "0x08c379a0") {
      const [reason] = coder.decode(["string"], dataSlice(data, 4));
      return { name: "Error", signature: "Error(string)", args: { reason }, words: String(reason) };
    }
    if (selector === "0x4e487b71") {
      const [code] = coder.decode(["uint256"], dataSlice(data, 4));
      const what = PANICS[Number(code)] ?? `panic code 0x${BigInt(code).toString(16)}`;
      return { name: "Panic", signature: "Panic(uint256)", args: { code }, words: `the contract stopped on ${what} (a bug or an input outside its range)` };
    }
    const frag = knownErrors().get(selector);
    if (frag === undefined) return undefined;
    const values: Result = coder.decode(frag.inputs, dataSlice(data, 4));
    const args: Record<string, unknown> = {};
    frag.inputs.forEach((p, i) => {
      args[String(i)] = values[i];
      if (p.name) args[p.name] = values[i];
    });
    const generic = `${frag.name}(${frag.inputs.map((p, i) => (p.name ? `${p.name}=${String(values[i])}` : String(values[i]))).join(", ")})`;
    const explain = WORDS[frag.name];
    let words = generic;
    if (explain !== undefined) {
      const said = explain(args, frag.inputs.length);
      if (said !== undefined) words = `${said} [${generic}]`;
    }
    return { name: frag.name, signature: frag.format("sighash"), args, words };
  } catch {
    return undefined;
  }
}

/** A revert in words, or undefined when `e` carries no revert this decoder knows. */
export function describeRevert(e: unknown): string | undefined {
  const data = revertData(e);
  if (data !== undefined) return decodeRevertData(data)?.words;
  const text = messageOf(e);
  const custom = /reverted with custom error '([^']+)'/.exec(text);
  if (custom) return custom[1]!.replace(/"/g, "");
  const reason = /reverted with reason string '([^']*)'/.exec(text);
  if (reason) return reason[1]!;
  return undefined;
}

/**
 * Any error a chain call throws, in words: a revert, too little ETH for gas, a wrong nonce, a node
 * that does not answer. Undefined when the error is none of these (a bug: the caller rethrows it).
 */
export function describeError(e: unknown): string | undefined {
  const revert = describeRevert(e);
  if (revert !== undefined) return `the contract refused: ${revert}`;
  const text = messageOf(e);
  const code = (e as { code?: string }).code;
  if (code === "INSUFFICIENT_FUNDS" || /insufficient funds for (gas|intrinsic)|sender doesn't have enough funds/i.test(text)) {
    return "the sending account has too little ETH to pay for gas: fund it (on a testnet, from a faucet) and run again";
  }
  if (code === "NONCE_EXPIRED" || /nonce too low|nonce has already been used/i.test(text)) {
    return "the account's nonce was already used (another transaction from this account went first): run again";
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|could not detect network|cannot connect|connect ETIMEDOUT/i.test(text)) {
    const url = /(https?:\/\/[^\s"',)]+)/.exec(text)?.[1];
    return `cannot reach the node${url ? ` at ${url}` : ""}: is it running (for --network localhost: \`npx hardhat node\`), and is the RPC URL right?`;
  }
  if (code === "CALL_EXCEPTION") return `the call reverted without a reason the contracts' ABIs know (${(e as { shortMessage?: string }).shortMessage ?? text})`;
  return undefined;
}

function messageOf(e: unknown): string {
  const err = e as { shortMessage?: string; message?: string };
  return `${err?.shortMessage ?? ""} ${err?.message ?? String(e)}`;
}

/** The roles of the project's contracts (SSI, SANX, USSI) and of the TimelockController, by bytes32 id. */
const ROLE_NAMES = new Map<string, string>([
  [ZeroHash, "DEFAULT_ADMIN_ROLE"],
  ...["GUARDIAN_ROLE", "KEEPER_ROLE", "ORACLE_ROLE", "STRATEGY_ROLE", "RISK_ROLE", "PAUSER_ROLE", "REBALANCER_ROLE", "SIGNAL_SOURCE_ROLE", "GOVERNANCE_ROLE", "EXECUTOR_ROLE", "PROPOSER_ROLE", "CANCELLER_ROLE", "SIGNER_ROLE", "REPORTER_ROLE", "MANAGER_ROLE"].map(
    (r): [string, string] => [id(r), r],
  ),
]);

/** A role id as its bare name (e.g. "KEEPER_ROLE") when it is one of the known roles, else the id. */
export function bareRoleName(role: unknown): string {
  return ROLE_NAMES.get(String(role).toLowerCase()) ?? String(role);
}

/** A role id as its name for a message: the admin role says what holds it. */
export function roleName(role: unknown): string {
  const name = bareRoleName(role);
  return name === "DEFAULT_ADMIN_ROLE" ? "DEFAULT_ADMIN_ROLE (the admin: a timelock or multisig)" : name;
}

type Args = Record<string, unknown>;
const s = (v: unknown) => String(v);
const time = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) && n > 1e9 && n < 1e11 ? `${new Date(n * 1000).toISOString().replace(".000Z", "Z")}` : String(v);
};

/**
 * Words for the errors a user meets (the contracts' interfaces document every error; the names here
 * are their parameter names). Return undefined to fall back to the generic `Name(arg=value)`.
 */
const WORDS: Record<string, (a: Args, arity: number) => string | undefined> = {
  RoundNotNext: (a) =>
    `round ${s(a.round)} is not the next round (expected ${s(a.expected)}): ${
      BigInt(s(a.round)) < BigInt(s(a.expected)) ? "this report (or a later one) was already relayed" : "an earlier round has not been relayed yet"
    }`,
  TargetRoundNotNext: (a) => `target round ${s(a.round)} is not the vault's next round (expected ${s(a.expected)})`,
  SignalAlreadyRelayed: (a) => `a signal for ${s(a.asset)} on day ${s(a.day)} was already accepted: this signal (or another for that day) was already relayed`,
  NavMidStep: (a) =>
    `the last NAV report (round ${s(a.round)}) is an intermediate step of a move larger than one report may make: instant redemptions wait for the final report; request a redemption instead (drop --instant)`,
  TimestampNotIncreasing: (a) => `the report's time ${time(a.timestamp)} is not after the last accepted report's ${time(a.lastTimestamp)}`,
  QuorumNotMet: (a) => `only ${s(a.have)} valid signature(s), ${s(a.need)} needed`,
  UnknownSigner: (a) => `${s(a.signer)} is not one of the oracle's signers`,
  SignersNotAscending: () => `the signatures are not ordered by signer address (ascending), or one signer signed twice`,
  ReportExpired: (a) => `the report expired at ${time(a.expiresAt)} (chain time ${time(a.nowTs)}): sign a new one`,
  SignalExpired: (a) => `the signal expired at ${time(a.expiresAt)} (chain time ${time(a.nowTs)}): sign a new one`,
  ReportNotYetValid: (a) => `the report is valid only from ${time(a.validAfter)} (chain time ${time(a.nowTs)})`,
  ExpiryTooFar: (a) => `the report's expiry ${time(a.expiresAt)} is further ahead than the oracle allows: use a shorter validity`,
  FutureReport: (a) => `the report is dated ${time(a.timestamp)}, after the chain time ${time(a.nowTimestamp)}`,
  StaleReport: (a) => `the report (dated ${time(a.timestamp)}) is older than the maximum NAV age allows`,
  MintPaused: () => `minting is paused by the guardian (redemption stays open); governance can unpause`,
  RebalancePaused: () => `rebalancing is paused by the guardian; governance can unpause`,
  ControllerPaused: () => `SANX is stopped by the red button (the guardian's pause): no new actions or executions until governance lifts it`,
  PauseStateUnchanged: (a) => `the vault is already ${a.paused ? "paused" : "unpaused"}`,
  ActionNotDue: (a) => `the action for ${s(a.asset)} is due at ${time(a.dueAt)}, not yet (chain time ${time(a.nowTs)})`,
  NoPendingAction: (a) => `${s(a.asset)} has no pending action`,
  PendingActionDue: (a) => `${s(a.asset)} has an action due at ${time(a.dueAt)}: execute it first`,
  AmountInAboveMax: (a) => `the vault asks ${s(a.amount)} base units of ${s(a.token)}, more than the ${s(a.max)} allowed (the preview moved): run again`,
  AmountOutBelowMin: (a) => `the vault would pay ${s(a.amount)} base units of ${s(a.token)}, less than the ${s(a.min)} asked (the preview moved): run again`,
  ZeroAmounts: (a) => `every amount for ${s(a.shares)} share base units rounds to zero: use more shares`,
  ZeroAmount: () => `an amount, or the amount it rounds to, is zero`,
  TransferShortfall: (a) => `${s(a.token)} delivered ${s(a.received)} base units, ${s(a.expected)} sent (a fee-on-transfer or rebasing token)`,
  CollateralShortfall: (a) => `after paying out, the vault holds ${s(a.balance)} base units of ${s(a.token)}, less than the ${s(a.required)} the remaining shares need (the token charged the vault more than it sent): skip it with redeemSkipping`,
  NotAConstituent: (a) => `${s(a.token)} is not in the vault's held basket`,
  ConstituentTransfersWork: (a) => `${s(a.token)} still transfers cleanly: only a token whose transfers fail may be retired`,
  PairInCooldown: (a) => `the pair ${s(a.tokenA)}/${s(a.tokenB)} traded recently and cools off until ${time(a.until)}`,
  TradeAboveCap: (a) => `a trade of ${s(a.usdValue)} (1e18 USD) is above the Rebalancer's cap ${s(a.maxTradeUsd)}`,
  SellAboveBudget: (a) => `selling ${s(a.amountIn)} base units of ${s(a.token)} is above what is left of its sell budget for this round, ${s(a.budget)} base units`,
  RebalanceWindowExpired: (a) => `the rebalance window of round ${s(a.round)} expired at ${time(a.expiredAt)}`,
  SlippageAboveCap: (a) => `a slippage of ${s(a.bps)} bps is above the cap of ${s(a.cap)} bps`,
  IntermediateNotAllowed: (a) => `the route passes through ${s(a.token)}, which is not one of the adapter's hub tokens`,
  RebalanceAlreadyOpen: (a) => `a rebalance window is already open for round ${s(a.round)}`,
  RebalanceNotOpen: () => `no rebalance window is open`,
  NotRebalancing: () => `no rebalance window is open`,
  NoNewTargets: (a) => `the targets of round ${s(a.round)} were already traded to (completed round ${s(a.completedRound)}): nothing to rebalance`,
  WeightOutOfTolerance: (a) => `${s(a.token)} is at weight ${s(a.weight)} (WAD), outside the tolerance of its target ${s(a.target)}`,
  StalePrice: (a) => `the price feed ${s(a.feed)} was last updated at ${time(a.updatedAt)}, older than its ${s(a.heartbeat)} s heartbeat (on a sample market: npx hardhat index:refresh-feeds)`,
  NonPositivePrice: (a) => `the price feed ${s(a.feed)} answers ${s(a.answer)}, not a positive price`,
  FeedNotSet: (a) => `no price feed is registered for ${s(a.token)}`,
  NavStale: (a) => `the last NAV report (${time(a.navTimestamp)}) is older than ${s(a.maxNavAge)} s: push a new NAV report first`,
  NavChangeTooLarge: (a) => `the NAV per token moves from ${s(a.previousNavPerToken)} to ${s(a.navPerToken)}, more than ${s(a.maxNavChangeBps)} bps per report`,
  InsufficientBuffer: (a) => `the liquid buffer holds ${s(a.available)} base units, ${s(a.needed)} needed`,
  UnknownRequest: (a) => `there is no redemption request ${s(a.requestId)}`,
  NotRequestOwner: (a) => `request ${s(a.requestId)} belongs to ${s(a.owner)}, not ${s(a.caller)}`,
  RequestNotSettled: (a) => `request ${s(a.requestId)} waits for epoch ${s(a.epoch)} to be settled by a NAV report`,
  RequestNotFunded: (a) => `request ${s(a.requestId)} is priced but its epoch is not funded yet: ${s(a.shortfall)} base units of USDC must come in through fulfil first`,
  RequestTooSmall: (a) => `the request is worth ${s(a.valueUsd)} (1e18 USD), below the minimum ${s(a.minRequestUsd)}`,
  InstantCapReached: (a) => `an instant redemption of ${s(a.needed)} base units of USDC is above the ${s(a.remaining)} left of this epoch's instant cap: use requestRedeem`,
  AssetsBelowMinimum: (a) => `it would pay ${s(a.assets)} base units of USDC, less than the minimum ${s(a.minAssets)} asked`,
  DeltaLimitActive: (a) => `deposit requests are paused: report round ${s(a.round)} breached the net delta limit and no compliant report has been accepted since`,
  WithdrawalAboveBuffer: (a) => `a withdrawal of ${s(a.amount)} base units of USDC is above the ${s(a.available)} available above the buffer target and what settled redemptions are owed`,
  IndexWithdrawalAboveHeld: (a) => `a withdrawal of ${s(a.amount)} (1e18 MAG7.ssi) is above the ${s(a.available)} available`,
  VenueNotAllowed: (a) => `${s(a.venue)} is not a whitelisted withdrawal venue`,
  AlreadyClaimed: (a) => `request ${s(a.requestId)} was already claimed`,
  AdminNotTimelock: (a) => `the admin ${s(a.admin)} is not a TimelockController (no getMinDelay): every admin must be a timelock`,
  AdminDelayTooShort: (a) => `the admin timelock ${s(a.admin)} has a minimum delay of ${s(a.delay)} s, below the ${s(a.minDelay)} s required`,
  TimelockUnexpectedOperationState: (a) => `the timelock operation ${s(a.operationId)} is not in the state this call needs (not scheduled, not ready yet, or already done)`,
  TimelockInsufficientDelay: (a) => `a delay of ${s(a.delay)} s is below the timelock's minimum delay ${s(a.minDelay)} s`,
  AccessControlUnauthorizedAccount: (a) => `${s(a.account)} lacks the role ${roleName(a.neededRole)} this call needs`,
  EnforcedPause: () => `the contract is paused`,
  ExpectedPause: () => `the contract is not paused`,
  ERC20InsufficientBalance: (a) => `${s(a.sender)} holds ${s(a.balance)} base units of the token, ${s(a.needed)} needed`,
  ERC20InsufficientAllowance: (a) => `the allowance given to ${s(a.spender)} is ${s(a.allowance)} base units, ${s(a.needed)} needed`,
  WeightsSumNotOne: (a) => `the weights sum to ${s(a.sum)}, not 1e18`,
  DuplicateConstituent: (a) => `${s(a.token)} is listed twice`,
  TooManyConstituents: (a) => `${s(a.count)} constituents, at most ${s(a.max)} allowed`,
  ConstituentWithoutFeed: (a) => `${s(a.token)} has no price feed registered`,
};

/** The error names that have words (for tests and for helpers that want to know). */
export const EXPLAINED_ERRORS: readonly string[] = Object.keys(WORDS);
