import { expect } from "chai";
import { parseCsv } from "../../../src/lib/csv";
import { InputError } from "../../../src/lib/errors";
import { rowsToMvrv } from "../../../src/mvrv/csv";
import { computeSignals } from "../../../src/mvrv/engine";

describe("#rowsToMvrv", function () {
  const read = (text: string) => rowsToMvrv(parseCsv(text, ["date", "mvrv"], "t.csv"), "t.csv");

  it("returns date and mvrv, ignoring other columns", function () {
    expect(read("date,price_usd,mvrv\n2021-01-01,5,1.25\n2021-01-02,6,1.5\n")).to.deep.equal([
      { date: "2021-01-01", mvrv: 1.25 },
      { date: "2021-01-02", mvrv: 1.5 },
    ]);
  });

  const bad: [string, string, RegExp][] = [
    ["a non-numeric value", "date,mvrv\n2021-01-01,1\n2021-01-02,abc\n", /t\.csv:3: mvrv on 2021-01-02 is "abc", not a finite number/],
    ["an empty value", "date,mvrv\n2021-01-01,\n", /mvrv on 2021-01-01 is ""/],
    ["a missing mvrv column", "date,value\n2021-01-01,1\n", /missing column\(s\) mvrv/],
  ];
  for (const [name, text, re] of bad) {
    it(`throws an InputError naming the date on ${name}`, function () {
      expect(() => read(text)).to.throw(InputError, re);
    });
  }

  it("leaves range errors (non-positive) to the engine's validation, which names the date", function () {
    const points = read("date,mvrv\n2021-01-01,1\n2021-01-02,-0.5\n");
    expect(() => computeSignals(points)).to.throw(InputError, /mvrv on 2021-01-02 is -0.5, not positive/);
  });
});
