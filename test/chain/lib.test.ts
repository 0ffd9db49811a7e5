import { expect } from "chai";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { Wallet } from "ethers";
import { InputError } from "../../src/lib/errors";
import { projectRedeemAmounts, WAD, YEAR } from "../../src/vault/fees";
import { assetMap, loadDeployment, tokenIndex, tokensForSymbols, type DeploymentRecord } from "../../chain/deployment";
import { parseSignedReport, recoverReportSigner, signedReportToJson, signReport, type SignedReport } from "../../chain/weight-reports";
import { MAG7VaultModule } from "../../ignition/modules/IndexVault";
import { ROLE } from "../../ignition/modules/roles";
import { TimelockController__factory } from "../../typechain-types";
import { executePending, pendingBatches } from "../../chain/governance";

const A = (n: number) => "0x" + n.toString(16).padStart(40, "0");

describe("chain layer: deployment record, weight reports, governance", () => {
  describe("#assetMap / #tokensForSymbols", () => {
    const tokens = { cbBTC: {}, WETH: {}, DOGE: {}, "1INCH": {}, WBTC: {} };
    it("maps token symbols case-insensitively and BTC -> cbBTC, ETH -> WETH", () => {
      expect(assetMap(tokens)).to.deep.equal({ CBBTC: "cbBTC", WETH: "WETH", DOGE: "DOGE", "1INCH": "1INCH", WBTC: "WBTC", BTC: "cbBTC", ETH: "WETH" });
    });
    it("falls back to WBTC for BTC when there is no cbBTC", () => {
      expect(assetMap({ WBTC: {} }).BTC).to.equal("WBTC");
    });
    const record = {
      network: "t",
      tokens: { cbBTC: { address: A(1) }, DOGE: { address: A(2) } },
      assets: { BTC: "cbBTC", CBBTC: "cbBTC", DOGE: "DOGE" },
    } as unknown as DeploymentRecord;
    it("returns checksummed addresses in order", () => {
      expect(tokensForSymbols(record, ["doge", "BTC"])).to.deep.equal([A(2), A(1)]);
    });
    it("names every symbol without a token", () => {
      expect(() => tokensForSymbols(record, ["BTC", "PEPE", "WIF"])).to.throw(InputError, /for PEPE, WIF/);
    });
    it("indexes tokens by address under their universe symbol", () => {
      expect(tokenIndex(record).get(A(1))!.asset).to.equal("BTC");
      expect(tokenIndex(record).get(A(2))!.asset).to.equal("DOGE");
    });
  });

  describe("#loadDeployment", () => {
    const root = mkdtempSync(path.join(tmpdir(), "ssi-record-"));
    mkdirSync(path.join(root, "deployments"));
    const write = (name: string, body: string) => writeFileSync(path.join(root, "deployments", `${name}.json`), body);
    const cases: [string, string | undefined, number, RegExp][] = [
      ["missing", undefined, 1, /no deployment record for network "missing".*run `npx hardhat ssi:deploy --network missing` first/],
      ["marketonly", JSON.stringify({ chainId: 1, tokens: {} }), 1, /holds a market but no SSI protocol: run/],
      ["otherchain", JSON.stringify({ chainId: 5, tokens: {}, protocol: {}, products: {} }), 1, /is for chain 5, connected to chain 1: run/],
      ["broken", "{", 1, /broken\.json is not valid JSON/],
    ];
    for (const [name, body, chain, message] of cases) {
      it(`refuses a ${name} record with a clear message`, () => {
        if (body !== undefined) write(name, body);
        expect(() => loadDeployment(name, chain, root)).to.throw(InputError, message);
      });
    }
  });

  describe("#parseSignedReport", () => {
    const domain = { name: "SSI Weight Oracle", version: "1", chainId: 31337n, verifyingContract: A(9) };
    const report = { index: A(7), round: 3n, validAfter: 100n, expiresAt: 200n, constituents: [A(1), A(2)], weights: [WAD / 2n, WAD / 2n] };
    it("round-trips the JSON form and recovers the signers", async () => {
      const signers = [Wallet.createRandom(), Wallet.createRandom()];
      const signed: SignedReport = { report, domain, signatures: await signReport(signers, domain, report) };
      const back = parseSignedReport(JSON.parse(JSON.stringify(signedReportToJson(signed))), "r.json");
      expect(back.report).to.deep.equal(report);
      const recovered = back.signatures.map((s) => recoverReportSigner(back.domain, back.report, s));
      expect(new Set(recovered)).to.deep.equal(new Set(signers.map((s) => s.address)));
    });
    const bad: [string, (j: any) => void, RegExp][] = [
      ["a weight that is not an integer string", (j) => (j.report.weights[1] = 0.5), /report\.weights\[1\] must be a decimal integer string/],
      ["a bad constituent", (j) => (j.report.constituents[0] = "0x12"), /report\.constituents\[0\] must be an address/],
      ["mismatched lengths", (j) => j.report.weights.pop(), /differ in length/],
      ["a short signature", (j) => (j.signatures = ["0x1234"]), /signatures\[0\] must be a 65-byte hex signature/],
      ["no report", (j) => delete j.report, /report must be an object/],
    ];
    for (const [what, mutate, message] of bad) {
      it(`refuses ${what}, naming the field`, () => {
        const j = JSON.parse(JSON.stringify(signedReportToJson({ report, domain, signatures: [] })));
        mutate(j);
        expect(() => parseSignedReport(j, "r.json")).to.throw(InputError, message);
      });
    }
  });

  describe("#projectRedeemAmounts", () => {
    const b = { storedUnits: [123_456_789n, 10n ** 18n, 7n], scale: WAD, feeRate: WAD / 100n, now: 1_000n };
    it("is the plain floor(shares * units / 1e18) at now or with a zero fee", () => {
      expect(projectRedeemAmounts(b, 3n * WAD, b.now)).to.deep.equal([370_370_367n, 3n * 10n ** 18n, 21n]);
      expect(projectRedeemAmounts({ ...b, feeRate: 0n }, 3n * WAD, b.now + YEAR)).to.deep.equal([370_370_367n, 3n * 10n ** 18n, 21n]);
    });
    it("takes about 1% of every unit after a year at 1%/year (per-second rate rounded down)", () => {
      // per second: floor(1e16 / 31,536,000) = 317,097,919; f = that * 31,536,000 = 9,999,999,973,584,000;
      // scale = 1e18 - f = 990,000,000,026,416,000; 123,456,789 * 0.990000000026416 = 122,222,221.1 -> 122,222,221.
      expect(projectRedeemAmounts(b, WAD, b.now + YEAR)).to.deep.equal([122_222_221n, 990_000_000_026_416_000n, 6n]);
    });
    it("never increases with time", () => {
      let prev = projectRedeemAmounts(b, 5n * WAD, b.now);
      for (const dt of [1n, 60n, 3600n, 86_400n, YEAR, 10n * YEAR]) {
        const next = projectRedeemAmounts(b, 5n * WAD, b.now + dt);
        next.forEach((x, i) => expect(x <= prev[i]!).to.equal(true));
        prev = next;
      }
    });
  });

  describe("Ignition: IndexVault module", () => {
    it("deploys a product vault with the parameters' name, fee and roles, and the oracle as ORACLE_ROLE", async () => {
      const [deployer, guardian, keeper, fees, s1, s2] = await hre.ethers.getSigners();
      const from = await hre.ethers.provider.getBlockNumber();
      const { vault, weightOracle, timelock } = await hre.ignition.deploy(MAG7VaultModule, {
        displayUi: false,
        parameters: {
          $global: { proposers: [deployer!.address], executors: [deployer!.address], guardian: guardian!.address, keeper: keeper!.address, feeRecipient: fees!.address, feeRate: 10n ** 16n, maxFeeRate: 5n * 10n ** 16n, initialNavPerShare: 100n * WAD },
          WeightOracle: { signers: [s1!.address, s2!.address], quorum: 2 },
          IndexVault_MAG7: { name: "Test MAG7", symbol: "tMAG7" },
        },
      });
      // The wiring is queued on the admin timelock: nothing is granted before its delay.
      expect(await vault.hasRole(ROLE.ORACLE, await weightOracle.getAddress())).to.equal(false);
      const tl = TimelockController__factory.connect(await timelock.getAddress(), deployer!);
      const queued = await pendingBatches(tl, from);
      expect(queued.map((b) => b.calls.length).sort()).to.deep.equal([1, 2]); // setMaxValidity; guardian + oracle grants
      // On a live network nothing runs before the delay: the batches come back as waiting.
      const early = await executePending(tl, queued, { local: false });
      expect([early.executed.length, early.waiting.length]).to.deep.equal([0, 2]);
      await executePending(tl, queued, { local: true });
      expect(await vault.name()).to.equal("Test MAG7");
      expect(await vault.symbol()).to.equal("tMAG7");
      expect(await vault.hasRole(ROLE.ORACLE, await weightOracle.getAddress())).to.equal(true);
      expect(await vault.hasRole(ROLE.GUARDIAN, guardian!.address)).to.equal(true);
      expect(await vault.hasRole(ROLE.KEEPER, keeper!.address)).to.equal(false); // the vault has no keeper: its Rebalancer has
      expect(await vault.hasRole(ROLE.DEFAULT_ADMIN, deployer!.address)).to.equal(false); // the admin is the timelock, never the deployer
      expect(await vault.hasRole(ROLE.DEFAULT_ADMIN, await timelock.getAddress())).to.equal(true);
      const fee = await vault.feeState();
      expect([fee.rate, fee.maxRate, fee.recipient]).to.deep.equal([10n ** 16n, 5n * 10n ** 16n, fees!.address]);
      expect(await weightOracle.maxValidity()).to.equal(86_400n);
    });
  });
});
