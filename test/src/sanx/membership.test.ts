import { expect } from "chai";
import fc from "fast-check";
import {
  applySignal,
  INITIAL_STATE,
  replayMembership,
  type GovernanceInput,
  type ReplayInput,
  type SanxSignal,
} from "../../../src/sanx/membership";
import { InputError } from "../../../src/lib/errors";

const opp = (day: number, asset = "UNI"): SanxSignal => ({ day, asset, zone: "OPPORTUNITY" });
const danger = (day: number, asset = "UNI"): SanxSignal => ({ day, asset, zone: "DANGER" });

/** A compact trace: "day:KIND asset(signalDay)" for executions, "xday:KIND asset(reason)" for cancels. */
function trace(input: Partial<ReplayInput> & { signals: SanxSignal[] }) {
  const r = replayMembership({ from: 0, to: 40, delay: 3, ...input });
  return {
    executed: r.executed.map((e) => `${e.day}:${e.kind} ${e.asset}(${e.signalDay})`),
    cancelled: r.cancelled.map((c) => `${c.day}:${c.kind} ${c.asset}(${c.reason})`),
    pending: r.pendingAtEnd.map((p) => `${p.dueDay}:${p.kind} ${p.asset}`),
    held: [...r.state.held].sort(),
  };
}

describe("SANX membership", function () {
  describe("#replayMembership", function () {
    const cases: [string, Partial<ReplayInput> & { signals: SanxSignal[] }, Partial<ReturnType<typeof trace>>][] = [
      ["executes an ADD D days after its OPPORTUNITY signal", { signals: [opp(10)] }, { executed: ["13:ADD UNI(10)"], held: ["UNI"] }],
      ["honours a configurable delay", { signals: [opp(10)], delay: 7 }, { executed: ["17:ADD UNI(10)"] }],
      [
        "executes at the start of the due day, before that day's signals (DANGER on the due day schedules a REMOVE)",
        { signals: [opp(10), danger(13)] },
        { executed: ["13:ADD UNI(10)", "16:REMOVE UNI(13)"], held: [] },
      ],
      [
        "cancels a pending ADD at once on a DANGER signal and schedules nothing",
        { signals: [opp(10), danger(12)] },
        { executed: [], cancelled: ["12:ADD UNI(opposite-signal)"], pending: [], held: [] },
      ],
      [
        "cancels a pending REMOVE on an OPPORTUNITY signal",
        { signals: [opp(1), danger(10), opp(11)] },
        { executed: ["4:ADD UNI(1)"], cancelled: ["11:REMOVE UNI(opposite-signal)"], held: ["UNI"] },
      ],
      ["ignores a same-kind signal while pending (no re-dating)", { signals: [opp(10), opp(12)] }, { executed: ["13:ADD UNI(10)"] }],
      [
        "ignores DANGER for an asset not held and OPPORTUNITY for a held one",
        { signals: [danger(5), opp(10), opp(20)] },
        { executed: ["13:ADD UNI(10)"], pending: [] },
      ],
      [
        "decides per asset: one asset's signals never touch another's action",
        { signals: [opp(10, "AAVE"), danger(11, "UNI"), opp(11, "UNI"), danger(12, "UNI")] },
        { executed: ["13:ADD AAVE(10)"], cancelled: ["12:ADD UNI(opposite-signal)"], held: ["AAVE"] },
      ],
      [
        "schedules nothing while paused (red button) and nothing afterwards for that signal",
        { signals: [opp(10)], governance: [{ day: 5, kind: "pause" }, { day: 20, kind: "unpause" }] },
        { executed: [], pending: [] },
      ],
      [
        "holds a due action while paused and executes it at the start of the unpause day",
        { signals: [opp(10)], governance: [{ day: 12, kind: "pause" }, { day: 15, kind: "unpause" }] },
        { executed: ["15:ADD UNI(10)"] },
      ],
      [
        "still lets an opposite signal cancel while paused",
        { signals: [opp(10), danger(14)], governance: [{ day: 12, kind: "pause" }, { day: 15, kind: "unpause" }] },
        { executed: [], cancelled: ["14:ADD UNI(opposite-signal)"] },
      ],
      [
        "lets governance cancel a pending action",
        { signals: [opp(10)], governance: [{ day: 11, kind: "cancel", asset: "UNI" }] },
        { executed: [], cancelled: ["11:ADD UNI(governance)"] },
      ],
      [
        "ignores signals dated before `from` or after `to`",
        { signals: [opp(4), opp(31, "AAVE")], from: 5, to: 30 },
        { executed: [], pending: [] },
      ],
      [
        "executes an action due exactly on `to` but not one due after it",
        { signals: [opp(27, "AAVE"), opp(28, "UNI")], to: 30 },
        { executed: ["30:ADD AAVE(27)"], pending: ["31:ADD UNI"] },
      ],
      [
        "lets a due action wait while canExecute says no (e.g. no market data), then execute",
        { signals: [opp(10)], canExecute: (_a, day) => day >= 16 },
        { executed: ["16:ADD UNI(10)"] },
      ],
    ];
    for (const [name, input, expected] of cases) {
      it(name, function () {
        const got = trace(input);
        for (const [k, v] of Object.entries(expected)) expect((got as Record<string, unknown>)[k], k).to.deep.equal(v);
      });
    }

    it("throws an InputError when governance cancels an asset with nothing pending", function () {
      const governance: GovernanceInput[] = [{ day: 3, kind: "cancel", asset: "UNI" }];
      expect(() => replayMembership({ signals: [], governance, from: 0, to: 10, delay: 3 })).to.throw(InputError, /no pending action for UNI/);
    });

    for (const delay of [0, -1, 1.5]) {
      it(`throws an InputError when the delay is ${delay}`, function () {
        expect(() => replayMembership({ signals: [], from: 0, to: 10, delay })).to.throw(InputError, /delay/);
      });
    }
    it("throws an InputError when from > to", function () {
      expect(() => replayMembership({ signals: [], from: 10, to: 9, delay: 3 })).to.throw(InputError, /empty/);
    });
  });

  describe("#applySignal", function () {
    it("does not mutate the state it is given", function () {
      const r = applySignal(INITIAL_STATE, opp(1), 3);
      expect(r.outcome.type).to.equal("scheduled");
      expect(INITIAL_STATE.pending.size).to.equal(0);
      expect(r.state.pending.get("UNI")).to.deep.equal({ asset: "UNI", kind: "ADD", signalDay: 1, dueDay: 4 });
    });
  });

  describe("properties (fast-check)", function () {
    const signalsArb = fc.array(
      fc.record({ day: fc.integer({ min: 0, max: 60 }), asset: fc.constantFrom("AAVE", "COMP", "UNI"), zone: fc.constantFrom("DANGER", "OPPORTUNITY") }),
      { maxLength: 40 },
    ) as fc.Arbitrary<SanxSignal[]>;

    it("decides per asset: replaying one asset's signals alone gives that asset's actions", function () {
      fc.assert(
        fc.property(signalsArb, fc.integer({ min: 1, max: 6 }), (signals, delay) => {
          const all = replayMembership({ signals, from: 5, to: 50, delay });
          for (const asset of ["AAVE", "COMP", "UNI"]) {
            const alone = replayMembership({ signals: signals.filter((s) => s.asset === asset), from: 5, to: 50, delay });
            expect(all.executed.filter((e) => e.asset === asset)).to.deep.equal(alone.executed);
            expect(all.cancelled.filter((e) => e.asset === asset)).to.deep.equal(alone.cancelled);
          }
        }),
        { numRuns: 300 },
      );
    });

    it("alternates ADD and REMOVE per asset, each executed exactly D days after a signal inside the window", function () {
      fc.assert(
        fc.property(signalsArb, fc.integer({ min: 1, max: 6 }), (signals, delay) => {
          const r = replayMembership({ signals, from: 5, to: 50, delay });
          for (const asset of ["AAVE", "COMP", "UNI"]) {
            const kinds = r.executed.filter((e) => e.asset === asset).map((e) => e.kind);
            kinds.forEach((k, i) => expect(k).to.equal(i % 2 === 0 ? "ADD" : "REMOVE"));
          }
          for (const e of r.executed) {
            expect(e.day).to.equal(e.signalDay + delay);
            expect(e.signalDay).to.be.within(5, 50);
            expect(e.day).to.be.at.most(50);
            const zone = e.kind === "ADD" ? "OPPORTUNITY" : "DANGER";
            expect(signals.some((x) => x.asset === e.asset && x.day === e.signalDay && x.zone === zone)).to.equal(true);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
