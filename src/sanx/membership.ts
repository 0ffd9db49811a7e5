/**
 * SANX membership (METHODOLOGY.md section 5) as a pure state machine, decided per asset.
 *
 *  - OPPORTUNITY for an asset not held schedules an ADD; DANGER for a held asset schedules a REMOVE;
 *    every other signal is ignored.
 *  - A scheduled action is due D days after its signal (D >= 1) and executes at the start of that
 *    day, before that day's signals are read.
 *  - While an action is pending, a signal of the same kind (the one that would schedule it again) is
 *    ignored, and a signal of the opposite kind cancels it at once and schedules nothing.
 *  - Governance may cancel a pending action; the guardian's pause (red button) stops new actions
 *    (signals schedule nothing) and executions (due actions wait) until unpause. Cancellations, by
 *    governance or by an opposite signal, still apply while paused: they only remove work.
 *  - A due action that cannot execute (paused, or the caller's `canExecute` says no, e.g. an asset
 *    has no market data that day) stays pending and executes on the first day it can.
 *
 * Order within one day d: governance inputs of day d (in the order given), then due executions
 * (by due day, then asset symbol), then the signals of day d (by asset symbol).
 * Days are integers (days since 1970-01-01, see src/lib/csv.ts `parseDay`).
 */
import { InputError } from "../lib/errors";

export type ActionKind = "ADD" | "REMOVE";
export type SignalZone = "DANGER" | "OPPORTUNITY";

export interface SanxSignal {
  readonly day: number;
  readonly asset: string;
  readonly zone: SignalZone;
}

export type GovernanceInput =
  | { readonly day: number; readonly kind: "cancel"; readonly asset: string }
  | { readonly day: number; readonly kind: "pause" }
  | { readonly day: number; readonly kind: "unpause" };

export interface PendingAction {
  readonly asset: string;
  readonly kind: ActionKind;
  readonly signalDay: number;
  readonly dueDay: number;
}

export interface ExecutedAction extends PendingAction {
  /** The day it executed (>= dueDay; later when paused or not executable on dueDay). */
  readonly day: number;
}

export interface CancelledAction extends PendingAction {
  readonly day: number;
  readonly reason: "opposite-signal" | "governance";
}

export interface MembershipState {
  readonly held: ReadonlySet<string>;
  readonly pending: ReadonlyMap<string, PendingAction>;
  readonly paused: boolean;
}

export const INITIAL_STATE: MembershipState = { held: new Set(), pending: new Map(), paused: false };

/** What a signal does to the state: schedules, cancels or is ignored (with why). */
export type SignalOutcome =
  | { readonly type: "scheduled"; readonly action: PendingAction }
  | { readonly type: "cancelled"; readonly action: PendingAction }
  | { readonly type: "ignored"; readonly why: "paused" | "same-kind-pending" | "not-applicable" };

/** Applies one signal (pure). */
export function applySignal(state: MembershipState, signal: SanxSignal, delay: number): { state: MembershipState; outcome: SignalOutcome } {
  const kind: ActionKind = signal.zone === "OPPORTUNITY" ? "ADD" : "REMOVE";
  const pending = state.pending.get(signal.asset);
  if (pending !== undefined) {
    if (pending.kind === kind) return { state, outcome: { type: "ignored", why: "same-kind-pending" } };
    const rest = new Map(state.pending);
    rest.delete(signal.asset);
    return { state: { ...state, pending: rest }, outcome: { type: "cancelled", action: pending } };
  }
  const held = state.held.has(signal.asset);
  if ((kind === "ADD") === held) return { state, outcome: { type: "ignored", why: "not-applicable" } };
  if (state.paused) return { state, outcome: { type: "ignored", why: "paused" } };
  const action: PendingAction = { asset: signal.asset, kind, signalDay: signal.day, dueDay: signal.day + delay };
  const next = new Map(state.pending);
  next.set(signal.asset, action);
  return { state: { ...state, pending: next }, outcome: { type: "scheduled", action } };
}

/** Applies one governance input (pure). Cancelling an asset with nothing pending is an error. */
export function applyGovernance(state: MembershipState, input: GovernanceInput): { state: MembershipState; cancelled?: PendingAction } {
  if (input.kind === "pause") return { state: { ...state, paused: true } };
  if (input.kind === "unpause") return { state: { ...state, paused: false } };
  const pending = state.pending.get(input.asset);
  if (pending === undefined) throw new InputError(`governance cancel on day ${input.day}: no pending action for ${input.asset}`);
  const rest = new Map(state.pending);
  rest.delete(input.asset);
  return { state: { ...state, pending: rest }, cancelled: pending };
}

/** Executes one pending action (pure): ADD puts the asset in `held`, REMOVE takes it out. */
export function executeAction(state: MembershipState, action: PendingAction): MembershipState {
  const held = new Set(state.held);
  if (action.kind === "ADD") held.add(action.asset);
  else held.delete(action.asset);
  const pending = new Map(state.pending);
  pending.delete(action.asset);
  return { ...state, held, pending };
}

export interface ReplayInput {
  /** Signals of every asset (any order; those dated outside [from, to] are ignored). */
  readonly signals: readonly SanxSignal[];
  readonly governance?: readonly GovernanceInput[];
  readonly from: number;
  readonly to: number;
  /** D: days from a signal to its execution (integer >= 1). */
  readonly delay: number;
  /**
   * May the action execute at the start of `day`, given the held set before it? (e.g. the backtest
   * says no when an asset it must trade has no price that day). Default: always.
   */
  readonly canExecute?: (action: PendingAction, day: number, held: ReadonlySet<string>) => boolean;
  /** Called after each execution, in order, with the held set before it (the backtest trades here). */
  readonly onExecute?: (action: ExecutedAction, heldBefore: ReadonlySet<string>) => void;
  /** Called at the end of each day with the state after that day's signals. */
  readonly onDayEnd?: (day: number, state: MembershipState) => void;
}

export interface ReplayResult {
  readonly executed: ExecutedAction[];
  readonly cancelled: CancelledAction[];
  /** Actions still pending after `to` (due after `to`, or blocked until the end). */
  readonly pendingAtEnd: PendingAction[];
  readonly state: MembershipState;
}

/**
 * Replays the rules day by day over [from, to], every asset starting not held. Only signals dated
 * within the window schedule; only actions due on or before `to` execute.
 */
export function replayMembership(input: ReplayInput): ReplayResult {
  const { from, to, delay } = input;
  if (!Number.isInteger(delay) || delay < 1) throw new InputError(`delay must be an integer >= 1 day, got ${delay}`);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) throw new InputError(`window [${from}, ${to}] is empty or not in whole days`);
  const byDay = <T extends { day: number }>(items: readonly T[]): Map<number, T[]> => {
    const m = new Map<number, T[]>();
    for (const it of items) {
      if (it.day < from || it.day > to) continue;
      const list = m.get(it.day) ?? [];
      list.push(it);
      m.set(it.day, list);
    }
    return m;
  };
  const signals = byDay(input.signals);
  for (const list of signals.values()) list.sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
  const governance = byDay(input.governance ?? []);
  const canExecute = input.canExecute ?? (() => true);

  let state = INITIAL_STATE;
  const executed: ExecutedAction[] = [];
  const cancelled: CancelledAction[] = [];
  for (let day = from; day <= to; day++) {
    for (const g of governance.get(day) ?? []) {
      const r = applyGovernance(state, g);
      state = r.state;
      if (r.cancelled) cancelled.push({ ...r.cancelled, day, reason: "governance" });
    }
    if (!state.paused) {
      const due = [...state.pending.values()]
        .filter((a) => a.dueDay <= day)
        .sort((a, b) => a.dueDay - b.dueDay || (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
      for (const action of due) {
        if (!canExecute(action, day, state.held)) continue;
        const before = state.held;
        state = executeAction(state, action);
        const done: ExecutedAction = { ...action, day };
        executed.push(done);
        input.onExecute?.(done, before);
      }
    }
    for (const s of signals.get(day) ?? []) {
      const r = applySignal(state, s, delay);
      state = r.state;
      if (r.outcome.type === "cancelled") cancelled.push({ ...r.outcome.action, day, reason: "opposite-signal" });
    }
    input.onDayEnd?.(day, state);
  }
  return { executed, cancelled, pendingAtEnd: [...state.pending.values()], state };
}
