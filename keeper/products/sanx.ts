/**
 * SANX: a day's MVRV signals (METHODOLOGY section 4, signed by the SignalOracle's quorum and relayed),
 * due ADD/REMOVE actions (section 5: executable by anyone once due, after the delay and the minimum
 * notice), the weight report through the SanxBasket gate after each membership change, its rebalance,
 * windows that are over, and fee accrual.
 *
 * Once-only from chain state: a signal is keyed by (asset, day) on the SignalOracle (`isRelayed`); a
 * signal the controller would ignore (OPPORTUNITY for a member, DANGER for a non-member, the same kind
 * already pending, a day before the asset's last applied one, the red button) is never sent, and counts
 * as done; an action is keyed by its asset and signal day (`pending`); the weight report by the gate's
 * change counter (`targetsDue`); the rebalance by the vault's targets round.
 */
import { getAddress } from "ethers";
import { IndexVault__factory, SanxBasket__factory, SanxController__factory, SignalOracle__factory } from "../../typechain-types";
import { formatDay } from "../../src/lib/csv";
import { computeSignals, type EventReport } from "../../src/mvrv/engine";
import { loadSanxData } from "../../src/sanx/data";
import { SIGNAL_EIP712_TYPES, type SignalZone } from "../../src/sanx/signalReport";
import { toSignalStruct } from "../../src/sanx/signals";
import { latestMarketCaps } from "../../src/sanx/targets";
import { tokensForSymbols, type DeploymentRecord } from "../../chain/deployment";
import { recordedDomain, signQuorum } from "../../chain/quorum";
import { WEIGHT_REPORT_TYPES } from "../../chain/weight-reports";
import { connectSanx, sanxWeightReport, type SanxContracts, type SanxPart } from "../../chain/sanx";
import type { Client } from "../../chain/client";
import type { Logger } from "../log-types";
import type { ProductKeeper, TxStep, Work } from "../work";
import type { SanxConfig } from "./config";
import { DAY, chainNow, lazyKeys, readOnly } from "./common";
import { NoTradeMemo, readRebalanceView, rebalanceWorks } from "./rebalance";
import { feeKeeper } from "./fees";

/** ISanxController.ActionKind. */
const ACTION = { None: 0n, Add: 1n, Remove: 2n } as const;
const KIND_OF_ZONE: Record<SignalZone, bigint> = { OPPORTUNITY: ACTION.Add, DANGER: ACTION.Remove };

interface DayEvent {
  symbol: string;
  asset: string;
  /** Chain day number (data day + shift). */
  day: number;
  event: EventReport & { zone: SignalZone };
}

export function sanxProductKeeper(client: Client, record: DeploymentRecord, config: SanxConfig, log: Logger): ProductKeeper {
  const part = (record as DeploymentRecord & { sanx?: SanxPart }).sanx;
  if (part === undefined) throw new Error(`deployments/${record.network}.json has no SANX deployment: run sanx:deploy first`);
  const provider = client.provider;
  const oracle = SignalOracle__factory.connect(part.signalOracle, provider);
  const controller = SanxController__factory.connect(part.controller, provider);
  const gate = SanxBasket__factory.connect(part.basket, provider);
  const vault = IndexVault__factory.connect(part.vault, provider);
  const universeTokens = tokensForSymbols(record, part.universe);
  const universe = part.universe.map((symbol, i) => ({ symbol: symbol.toUpperCase(), asset: getAddress(universeTokens[i]!) }));
  const symbolOf = new Map(universe.map((u) => [u.asset, u.symbol]));
  const signalSigners = lazyKeys(client, config.signalSigners, "SANX signal signers");
  const weightSigners = lazyKeys(client, config.weightSigners, "SANX weight signers");
  const memo = new NoTradeMemo();
  const fees = feeKeeper(client, "SANX", part.vault, part.block ?? 0);
  const maxTradeUsd = config.rebalance.maxTradeUsd === undefined ? undefined : BigInt(Math.round(config.rebalance.maxTradeUsd)) * 10n ** 18n;
  const shift = config.shiftDays;
  const fromDay = config.signalsFrom === undefined ? -Infinity : Date.parse(`${config.signalsFrom}T00:00:00Z`) / 86_400_000;

  // The data, read once: every signal of the series by chain day (the engine is causal: an event dated D
  // depends on data up to D only, so computing it over the whole file gives the same event).
  let loaded: { byDay: Map<number, DayEvent[]>; caps: (chainDay: number) => Map<string, bigint> } | undefined;
  function data() {
    if (loaded !== undefined) return loaded;
    const sanxData = loadSanxData(config.data.dir);
    const byDay = new Map<number, DayEvent[]>();
    for (const a of sanxData.assets) {
      const u = universe.find((x) => x.symbol === a.symbol);
      if (u === undefined) continue; // not in the SignalOracle's universe on this chain
      for (const e of computeSignals(a.mvrv, undefined, a.symbol).events) {
        if (e.zone !== "OPPORTUNITY" && e.zone !== "DANGER") continue;
        const day = Date.parse(`${e.date}T00:00:00Z`) / 86_400_000 + shift;
        const list = byDay.get(day) ?? [];
        list.push({ symbol: a.symbol, asset: u.asset, day, event: e as EventReport & { zone: SignalZone } });
        byDay.set(day, list.sort((x, y) => (x.symbol < y.symbol ? -1 : 1)));
      }
    }
    loaded = { byDay, caps: (chainDay: number) => latestMarketCaps(sanxData.assets, chainDay - shift) };
    return loaded;
  }

  // The assets that may have a pending action: every asset an ActionScheduled log names (read from the
  // deployment block once, then only the new blocks), dropped once `pending` shows nothing. So a tick reads
  // `pending` of those few assets, not of the whole universe.
  const candidates = new Set<string>();
  let searchedTo = (part.block ?? 0) - 1;
  async function pendingActions(): Promise<{ asset: string; kind: bigint; dueAt: bigint; signalDay: bigint }[]> {
    const head = await client.provider.getBlockNumber();
    if (head > searchedTo) {
      for (const l of await controller.queryFilter(controller.filters.ActionScheduled(), searchedTo + 1, head)) candidates.add(getAddress(l.args.asset));
      searchedTo = head;
    }
    const list = [...candidates];
    const read = await Promise.all(list.map((a) => controller.pending(a)));
    const out = [];
    for (const [i, [kind, dueAt, signalDay]] of read.entries()) {
      if (kind === ACTION.None) candidates.delete(list[i]!);
      else out.push({ asset: list[i]!, kind, dueAt, signalDay });
    }
    return out;
  }

  let contracts: Promise<SanxContracts> | undefined;
  const sanx = () => (contracts ??= connectSanx(readOnly(client), { signalOracle: part.signalOracle, basket: part.basket }));

  /** Logs a signal the controller would ignore, once per (asset, day) in this process (logs only). */
  const skipped = new Set<string>();
  function skipOnce(e: DayEvent, why: string): void {
    const k = `${e.asset}/${e.day}`;
    if (skipped.has(k)) return;
    skipped.add(k);
    const date = formatDay(e.day);
    log.info({ product: "SANX", symbol: e.symbol, date, zone: e.event.zone }, `SANX ${e.symbol} ${e.event.zone} of ${date} not sent: the controller would ignore it (${why})`);
  }

  /** Why the controller would ignore this signal now, or undefined when it would act on it. */
  async function wouldIgnore(e: DayEvent): Promise<string | undefined> {
    const [relayed, last, member, [kind], paused] = await Promise.all([
      oracle.isRelayed(e.asset, e.day),
      controller.lastSignalDay(e.asset),
      controller.isMember(e.asset),
      controller.pending(e.asset),
      controller.paused(),
    ]);
    if (relayed) return "relayed";
    if (paused) return "the red button is pressed (Paused)";
    if (BigInt(e.day) < last) return `dated before the asset's last applied signal (OutOfOrder)`;
    if (kind === KIND_OF_ZONE[e.event.zone]) return "the same kind is already pending (SameKindPending)";
    if (kind !== ACTION.None) return undefined; // the opposite kind: cancels the pending action
    if (e.event.zone === "OPPORTUNITY" && member) return "already a member (AlreadyMember)";
    if (e.event.zone === "DANGER" && !member) return "not a member (NotMember)";
    return undefined;
  }

  function signalsWork(day: number, events: DayEvent[]): Work {
    const date = formatDay(day);
    return {
      product: "SANX",
      kind: "signals",
      key: `SANX/signals/${date}`,
      dueAt: BigInt(day + 1) * DAY, // the day's data is complete at its close
      async nextStep() {
        for (const e of events) {
          const why = await wouldIgnore(e);
          if (why === "relayed") continue;
          if (why !== undefined) {
            skipOnce(e, why);
            continue;
          }
          const [[kind, dueAt], now] = await Promise.all([controller.pending(e.asset), chainNow(client)]);
          if (kind !== ACTION.None && dueAt <= now) return undefined; // its due action comes first (PendingActionDue)
          const expiresAt = now + (await oracle.maxValidity());
          const signal = toSignalStruct({ symbol: e.symbol, event: { ...e.event, date } }, e.asset, expiresAt);
          const domain = await recordedDomain(oracle, "signals");
          const signatures = await signQuorum(await signalSigners(), domain, SIGNAL_EIP712_TYPES, { ...signal });
          return {
            label: `SANX signal ${e.symbol} ${e.event.zone} of ${date}`,
            to: part!.signalOracle,
            data: oracle.interface.encodeFunctionData("submitSignal", [signal, signatures]),
          };
        }
        return undefined;
      },
    };
  }

  function actionWork(asset: string, signalDay: bigint, kind: bigint, dueAt: bigint): Work {
    const symbol = symbolOf.get(asset) ?? asset;
    const what = kind === ACTION.Add ? "ADD" : "REMOVE";
    return {
      product: "SANX",
      kind: "sanx-action",
      key: `SANX/action/${symbol}/${formatDay(Number(signalDay))}`,
      dueAt,
      async nextStep() {
        const [[k, due, day], paused, now] = await Promise.all([controller.pending(asset), controller.paused(), chainNow(client)]);
        if (k === ACTION.None || day !== signalDay || paused || due > now) return undefined;
        return { label: `SANX execute ${what} ${symbol} (signal of ${formatDay(Number(signalDay))})`, to: part!.controller, data: controller.interface.encodeFunctionData("execute", [asset]) };
      },
    };
  }

  function weightsWork(change: bigint, now: bigint): Work {
    return {
      product: "SANX",
      kind: "weights",
      key: `SANX/weights/change-${change}`,
      dueAt: now,
      async nextStep(): Promise<TxStep | undefined> {
        const [[round], targetsDue, [recorded]] = await Promise.all([vault.targets(), gate.targetsDue(), gate.changes()]);
        if (recorded !== change || !(round === 0n || targetsDue)) return undefined;
        const t = await chainNow(client);
        // Due actions first: the report is over the membership after them.
        const pendings = await pendingActions();
        if (pendings.some((p) => p.dueAt <= t) && !(await controller.paused())) return undefined;
        const c = await sanx();
        const caps = data().caps(Number(t / DAY) - 1);
        const symbols = new Map(universe.map((u) => [u.asset, u.symbol]));
        const reserve = getAddress(c.reserve);
        symbols.set(reserve, part!.reserve.toUpperCase());
        const { report, next } = await sanxWeightReport(readOnly(client), c, caps, symbols, BigInt(config.validFor));
        const domain = await recordedDomain(c.weightOracle, "weights");
        const signatures = await signQuorum(await weightSigners(), domain, WEIGHT_REPORT_TYPES, { ...report });
        return {
          label: `SANX weights (${next.kind}) after membership change ${change}: WeightOracle round ${report.round}`,
          to: await c.weightOracle.getAddress(),
          data: c.weightOracle.interface.encodeFunctionData("submit", [report, signatures]),
        };
      },
    };
  }

  return {
    product: "SANX",
    async due(now) {
      const today = Number(now / DAY);
      const [pendings, [round], targetsDue, [recorded], paused, view, feeWorks] = await Promise.all([
        pendingActions(),
        vault.targets(),
        gate.targetsDue(),
        gate.changes(),
        controller.paused(),
        readRebalanceView(client, record, "SANX"),
        config.fees.enabled ? fees.due(now) : [],
      ]);
      const works: Work[] = [];
      // 1. Due actions (before that day's signals, as the methodology orders them).
      if (!paused) {
        for (const p of pendings.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0))) if (p.dueAt <= now) works.push(actionWork(p.asset, p.signalDay, p.kind, p.dueAt));
      }
      // 2. The weight report over the membership (the reserve's at the start).
      if (round === 0n || targetsDue) works.push(weightsWork(recorded, now));
      // 3. Signals of complete days within the lookback, oldest first; only days with one that would act.
      const { byDay } = data();
      for (let day = Math.max(today - config.lookbackDays, fromDay); day <= today - 1; day++) {
        const events = byDay.get(day);
        if (events === undefined) continue;
        const live = [];
        for (const e of events) {
          const why = await wouldIgnore(e);
          if (why === undefined) live.push(e);
          else if (why !== "relayed") skipOnce(e, why);
        }
        if (live.length > 0) works.push(signalsWork(day, events));
      }
      // 4. Rebalance to the gate's targets, windows; the month's fee claim.
      works.push(...feeWorks);
      works.push(...rebalanceWorks(client, record, "SANX", view, now, { rebalance: config.rebalance.enabled, memo, ...(maxTradeUsd !== undefined ? { maxTradeUsd } : {}) }, log));
      return works;
    },
    async nextDue(now) {
      let next = (now / DAY + 1n) * DAY; // tomorrow's signals
      for (const p of await pendingActions()) if (p.dueAt > now && p.dueAt < next) next = p.dueAt;
      return next;
    },
  };
}
