import { expect } from "chai";
import hre from "hardhat";
import { progress } from "../../tasks/report";
import { expectUserError } from "./fixtures";

describe("report (arguments and progress)", () => {
  it("requires --out", async () => {
    await expectUserError(hre, "report", {}, /--out DIR is required/);
  });

  it("refuses a --data folder that does not exist, before touching the chain", async () => {
    const block = await hre.ethers.provider.getBlockNumber();
    await expectUserError(hre, "report", { out: "out/never", data: "no/such/folder" }, /--data no\/such\/folder: no such folder/);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("keeps the progress bar off when stderr is not a terminal, and in CI", () => {
    const writes: string[] = [];
    const fake = { isTTY: false, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const p = progress(3, fake);
    p.step("a");
    p.stop();
    const ci = process.env["CI"];
    process.env["CI"] = "true";
    try {
      const q = progress(3, { ...fake, isTTY: true } as unknown as NodeJS.WriteStream);
      q.step("b");
      q.stop();
    } finally {
      if (ci === undefined) delete process.env["CI"];
      else process.env["CI"] = ci;
    }
    expect(writes).to.deep.equal([]);
  });
});
