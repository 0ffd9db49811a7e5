import { expect } from "chai";
import {
  determinationDate,
  determinationDateFor,
  determinationDates,
  effectiveDate,
  isDeterminationDate,
} from "../../../src/methodology/schedule";
import { MethodologyError } from "../../../src/lib/errors";

describe("#determinationDate", () => {
  const cases: [number, number, string][] = [
    [2024, 2, "2024-02-29"], // leap year
    [2025, 2, "2025-02-28"],
    [2100, 2, "2100-02-28"], // divisible by 100, not 400: not a leap year
    [2026, 4, "2026-04-30"],
    [2026, 12, "2026-12-31"],
  ];
  for (const [y, m, want] of cases) it(`returns ${want} for ${y}-${m}`, () => expect(determinationDate(y, m)).to.equal(want));
  it("throws for month 13", () => expect(() => determinationDate(2026, 13)).to.throw(MethodologyError));
});

describe("#determinationDateFor / #isDeterminationDate", () => {
  it("maps a day to its month's last day", () => {
    expect(determinationDateFor("2026-02-10")).to.equal("2026-02-28");
    expect(determinationDateFor("2026-03-31")).to.equal("2026-03-31");
  });
  it("is true only on the last day of a month", () => {
    expect(isDeterminationDate("2026-04-30")).to.equal(true);
    expect(isDeterminationDate("2026-04-29")).to.equal(false);
    expect(isDeterminationDate("2024-02-29")).to.equal(true);
  });
});

describe("#effectiveDate", () => {
  it("is the first day of the next month", () => {
    expect(effectiveDate("2026-09-30")).to.equal("2026-10-01");
    expect(effectiveDate("2026-12-31")).to.equal("2027-01-01");
    expect(effectiveDate("2024-02-29")).to.equal("2024-03-01");
  });
  it("throws for a day that is not a month's last day", () => {
    expect(() => effectiveDate("2026-09-29")).to.throw(MethodologyError, /not a determination date/);
  });
});

describe("#determinationDates", () => {
  it("lists the month ends within [from, to], inclusive", () => {
    expect(determinationDates("2026-01-15", "2026-04-30")).to.deep.equal(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]);
    expect(determinationDates("2026-01-31", "2026-02-27")).to.deep.equal(["2026-01-31"]);
    expect(determinationDates("2026-02-01", "2026-02-27")).to.deep.equal([]);
  });
});
