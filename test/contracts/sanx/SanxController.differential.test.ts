import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, DNG, Kind, OPP, controllerFixture, today } from "./fixtures";

/**
 * A reference model of METHODOLOGY section 5, written from the text, independent of the contract:
 * per asset a held bit and at most one pending action; actions execute at the start of their due
 * day (signal day + D), before that day's signals; OPPORTUNITY for a non-held asset schedules ADD,
 * DANGER for a held one schedules REMOVE, anything else is ignored; while pending, same kind is
 * ignored and opposite kind cancels and schedules nothing; governance cancels; the red button stops
 * scheduling and execution (cancellation still works). On-chain consequences modelled as well: a
 * signal dated on or after a pending action's due day cannot be applied before that action executes,
 * so it is refused (while the red button is pressed it is recorded as ignored instead: after the
 * execution it could only schedule, which the pause stops, or be ignored); and an action is due no
 * sooner than the minimum notice (1 day) after its signal was relayed.
 */
type Zone = "OPPORTUNITY" | "DANGER";
type ActionKind = "ADD" | "REMOVE";
interface Pending { kind: ActionKind; signalDay: number; dueDay: number; dueAt: bigint }
const NOTICE = 86_400n; // {s} SanxController.DEFAULT_MIN_NOTICE
type Outcome = "scheduled" | "ignored" | "cancelled" | "refused";

class Section5Model {
  readonly held = new Set<number>();
  readonly pending = new Map<number, Pending>();
  paused = false;
  constructor(readonly delay: number) {}

  /** Start of `day` (the keeper runs at chain time `now`): every due action executes (unless paused). */
  startOfDay(day: number, now: bigint): number[] {
    if (this.paused) return [];
    const done: number[] = [];
    for (const [asset, p] of [...this.pending]) {
      if (p.dueDay > day || p.dueAt > now) continue;
      if (p.kind === "ADD") this.held.add(asset);
      else this.held.delete(asset);
      this.pending.delete(asset);
      done.push(asset);
    }
    return done;
  }

  signal(asset: number, zone: Zone, day: number, relayAt: bigint): Outcome {
    const p = this.pending.get(asset);
    if (p) {
      if (p.dueDay <= day) return this.paused ? "ignored" : "refused";
      const kindOfSignal: ActionKind = zone === "OPPORTUNITY" ? "ADD" : "REMOVE";
      if (kindOfSignal === p.kind) return "ignored";
      this.pending.delete(asset);
      return "cancelled";
    }
    const held = this.held.has(asset);
    let kind: ActionKind;
    if (zone === "OPPORTUNITY" && !held) kind = "ADD";
    else if (zone === "DANGER" && held) kind = "REMOVE";
    else return "ignored";
    if (this.paused) return "ignored";
    const dayStart = BigInt(day + this.delay) * DAY;
    const dueAt = relayAt + NOTICE > dayStart ? relayAt + NOTICE : dayStart;
    this.pending.set(asset, { kind, signalDay: day, dueDay: day + this.delay, dueAt });
    return "scheduled";
  }

  cancel(asset: number): boolean {
    return this.pending.delete(asset);
  }
}

type Step =
  | { op: "signal"; advance: number; asset: number; zone: Zone }
  | { op: "cancel"; advance: number; asset: number }
  | { op: "pause" | "unpause"; advance: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant("signal" as const), advance: fc.integer({ min: 0, max: 3 }), asset: fc.integer({ min: 0, max: 2 }), zone: fc.constantFrom<Zone>("OPPORTUNITY", "DANGER") }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const), advance: fc.integer({ min: 0, max: 2 }), asset: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("pause" as const, "unpause" as const), advance: fc.integer({ min: 0, max: 2 }) }) },
);

describe("SanxController (differential against a section 5 model)", function () {
  it("matches the model's membership, pending actions and per-signal outcome on random sequences", async function () {
    const totals = { scheduled: 0, executed: 0, cancelled: 0, ignored: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(stepArb, { minLength: 5, maxLength: 30 }), async (delay, steps) => {
        const { controller, gov, guardian, source, assets } = await loadFixture(controllerFixture);
        const admin = await gov.asTimelock(); // the timelock's own calls, without its delay: this model counts days
        await controller.connect(admin).setDelayDays(delay);
        const model = new Section5Model(delay);
        let day = Number(await today()) + 1;

        const executeDue = async () => {
          // The keeper's view: execute whatever the chain says is due.
          const now = BigInt(await time.latest());
          const executed = model.startOfDay(day, now);
          totals.executed += executed.length;
          for (let a = 0; a < assets.length; a++) {
            const [kind, dueAt] = await controller.pending(assets[a]!);
            const due = kind !== Kind.None && dueAt <= now;
            expect(due && !model.paused, `asset ${a} due on chain vs model`).to.equal(executed.includes(a));
            if (due && !model.paused) await controller.execute(assets[a]!);
          }
        };
        const compare = async () => {
          const onChain = [...(await controller.members())].map((m) => assets.indexOf(m)).sort();
          expect(onChain).to.deep.equal([...model.held].sort());
          for (let a = 0; a < assets.length; a++) {
            const p = model.pending.get(a);
            const expected = p
              ? [p.kind === "ADD" ? Kind.Add : Kind.Remove, p.dueAt, BigInt(p.signalDay)]
              : [Kind.None, 0n, 0n];
            expect(await controller.pending(assets[a]!)).to.deep.equal(expected);
          }
          expect(await controller.paused()).to.equal(model.paused);
        };

        for (const step of steps) {
          day += step.advance;
          const t = BigInt(day) * DAY + 3600n; // one hour into the day
          if (t > BigInt(await time.latest())) await time.increaseTo(t);
          await executeDue();

          if (step.op === "signal") {
            const asset = assets[step.asset]!;
            const zone = step.zone === "OPPORTUNITY" ? OPP : DNG;
            const relayAt = BigInt(await time.latest()) + 1n;
            await time.setNextBlockTimestamp(relayAt);
            const outcome = model.signal(step.asset, step.zone, day, relayAt);
            totals[outcome]++;
            const tx = controller.connect(source).onSignal(asset, zone, day);
            if (outcome === "refused") await expect(tx).to.be.revertedWithCustomError(controller, "PendingActionDue");
            else if (outcome === "scheduled") await expect(tx).to.emit(controller, "ActionScheduled");
            else if (outcome === "cancelled") await expect(tx).to.emit(controller, "ActionCancelled");
            else await expect(tx).to.emit(controller, "SignalIgnored");
          } else if (step.op === "cancel") {
            const had = model.cancel(step.asset);
            const tx = controller.connect(admin).cancel(assets[step.asset]!);
            if (had) await expect(tx).to.emit(controller, "ActionCancelled");
            else await expect(tx).to.be.revertedWithCustomError(controller, "NoPendingAction");
          } else if (step.op === "pause" && !model.paused) {
            model.paused = true;
            await controller.connect(guardian).pause();
          } else if (step.op === "unpause" && model.paused) {
            model.paused = false;
            await controller.connect(admin).unpause();
          }
          await compare();
        }

        // Lift the red button and let every remaining action come due.
        if (model.paused) {
          model.paused = false;
          await controller.connect(admin).unpause();
        }
        day += delay + 1;
        await time.increaseTo(BigInt(day) * DAY + 3600n);
        await executeDue();
        await compare();
        expect(model.pending.size).to.equal(0);
      }),
      // A fixed seed keeps the run reproducible, so the path-coverage guard below cannot flake;
      // change the seed to explore other sequences.
      { numRuns: 40, seed: 20261204 },
    );
    // The sequences exercised every path (a guard against a generator that never reaches them).
    for (const [k, v] of Object.entries(totals)) expect(v, k).to.be.greaterThan(0);
  });
});
