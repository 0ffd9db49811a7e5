/**
 * Issue 13: signing that cannot be turned against the signers. The tool checks the EIP-712 domain
 * against the connected chain, the record and the constants before it signs (review point 5); each
 * signer signs with ONE key on its own machine and a relay merges the signature files (one key per signer).
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { IndexVault__factory } from "../../typechain-types";
import { loadDeployment, type DeploymentRecord } from "../../chain/deployment";
import { buildSignedReport, proposeReport, signWeightReport } from "../../chain/ssi";
import { loadUniverseFile } from "../../src/data/universe";
import { expectUserError, runTask } from "./fixtures";
import { clientFromHre } from "../../tasks/lib/client";

const root = path.resolve(__dirname, "../..");
const sample = path.join(root, "sample/universe.json");
const params = require(path.join(root, "ignition/parameters/hardhat.json"));

describe("signing weight reports (ssi:sign-report, ssi:push-weights --signatures)", function () {
  this.timeout(120_000);
  let record: DeploymentRecord;
  let deployed: SnapshotRestorer;
  const tmp = mkdtempSync(path.join(tmpdir(), "ssi-signing-"));
  const [s1, s2, s3] = params.WeightOracle.signers as string[];

  before(async () => {
    await runTask(hre, "ssi:deploy", { sampleMarket: true, reset: false, allowEoaAdmin: false });
    record = loadDeployment("hardhat", 31337);
    deployed = await takeSnapshot();
  });
  beforeEach(() => deployed.restore());

  // Review point 5: the domain came from the contract's own eip712Domain(), so a contract at the recorded
  // address reporting chain id 1 got a valid signature set for that foreign chain.
  it("gives no signature to a contract at the recorded address that reports chain id 1", async () => {
    const foreign = await hre.ethers.deployContract("ForeignDomainOracle", ["0x000000000000000000000000000000000000dEaD"]);
    const forged: DeploymentRecord = { ...record, protocol: { ...record.protocol, weightOracle: await foreign.getAddress() } };
    const universe = loadUniverseFile(sample);
    await expect(buildSignedReport(clientFromHre(hre), forged, "MAG7", universe, { validFor: 600n })).to.be.rejectedWith(
      /chain id 1, but the connected chain is 31337; verifying contract 0x000000000000000000000000000000000000dEaD, but the recorded address is .*refusing to sign/,
    );
    const honest = await proposeReport(clientFromHre(hre), record, "MAG7", universe, { validFor: 600n });
    const signer = (await hre.ethers.getSigners()).find((s) => s.address === s1)!;
    await expect(signWeightReport(clientFromHre(hre), forged, "MAG7", honest.signed.report, signer)).to.be.rejectedWith(/chain id 1, but the connected chain is 31337.*nothing was signed/);
  });

  it("prints the domain and the report (index, round, weights in percent) before signing", async () => {
    const out = path.join(tmp, "print.json");
    const text = await runTask(hre, "ssi:sign-report", { index: "MEME", universe: sample, validFor: "600", account: s1, out });
    expect(text).to.match(new RegExp(`EIP-712 domain: name "SSI Weight Oracle", version "1", chainId 31337, verifyingContract ${record.protocol.weightOracle}`));
    expect(text).to.match(new RegExp(`report: MEME \\(index ${record.products.MEME!.vault}\\), round 1, valid `));
    expect(text).to.match(/weights: [A-Z]+ \d+\.\d{2}%, /);
  });

  it("one key per signer: each signs on its own, the relay submits once m files are there, not before", async () => {
    const dir = mkdtempSync(path.join(tmp, "sigs-"));
    await runTask(hre, "ssi:sign-report", { index: "DEFI", universe: sample, validFor: "600", account: s2, out: path.join(dir, "a.json") });
    // One signature of a 2-of-3 set: the relay refuses and sends nothing.
    const b0 = await hre.ethers.provider.getBlockNumber();
    await expectUserError(hre, "ssi:push-weights", { index: "DEFI", validFor: "3600", signatures: dir, json: false }, /1 of the 2 signatures the oracle needs are there/);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(b0);
    // A second signer signs the same report from the first one's file.
    await runTask(hre, "ssi:sign-report", { index: "DEFI", report: path.join(dir, "a.json"), account: s3, out: path.join(dir, "b.json") });
    expect(readdirSync(dir).sort()).to.deep.equal(["a.json", "b.json"]);
    const text = await runTask(hre, "ssi:push-weights", { index: "DEFI", validFor: "3600", signatures: dir, json: false });
    expect(text).to.match(/merged 2 signature file\(s\): 2 distinct signer\(s\)/);
    expect((await IndexVault__factory.connect(record.products.DEFI!.vault, hre.ethers.provider).targets())[0]).to.equal(1n);
  });

  it("the keeper adds its own signature with its one key to the files others wrote (--sign)", async () => {
    const dir = mkdtempSync(path.join(tmp, "keeper-"));
    await runTask(hre, "ssi:sign-report", { index: "MEME", universe: sample, validFor: "600", account: s1, out: path.join(dir, "a.json") });
    const text = await runTask(hre, "ssi:push-weights", { index: "MEME", validFor: "3600", signatures: dir, sign: true, account: s3, json: false });
    expect(text).to.match(/merged 2 signature file\(s\): 2 distinct signer\(s\)/);
    expect((await IndexVault__factory.connect(record.products.MEME!.vault, hre.ethers.provider).targets())[0]).to.equal(1n);
  });

  it("refuses a signature file over another report, and a second key in one signer variable", async () => {
    const dir = mkdtempSync(path.join(tmp, "mixed-"));
    await runTask(hre, "ssi:sign-report", { index: "MAG7", universe: sample, validFor: "600", account: s1, out: path.join(dir, "a.json") });
    await runTask(hre, "ssi:sign-report", { index: "MAG7", universe: sample, validFor: "900", account: s2, out: path.join(dir, "b.json") });
    await expectUserError(hre, "ssi:push-weights", { index: "MAG7", validFor: "3600", signatures: dir, json: false }, /signs another report \(digest/);
    process.env.WEIGHTS_SIGNER_KEY = "0x" + "11".repeat(32) + ",0x" + "22".repeat(32);
    try {
      await expectUserError(hre, "ssi:sign-report", { index: "MAG7", universe: sample, validFor: "600", out: path.join(dir, "c.json") }, /WEIGHTS_SIGNER_KEY holds more than one key/);
    } finally {
      delete process.env.WEIGHTS_SIGNER_KEY;
    }
  });
});
