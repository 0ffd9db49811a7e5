/**
 * The shared decoder (chain/revert.ts): every custom error of every compiled contract decodes;
 * the errors with words name each of their arguments (a renamed parameter would print "undefined").
 */
import { expect } from "chai";
import { AbiCoder, Interface, ZeroAddress, id, type ErrorFragment, type ParamType } from "ethers";
import * as typechain from "../../typechain-types";
import { EXPLAINED_ERRORS, decodeRevertData, describeError, describeRevert } from "../../chain/revert";
import { IndexVault__factory, UssiVault__factory, WeightOracle__factory } from "../../typechain-types";

/** Every custom error fragment of every compiled contract, by selector. */
function allErrors(): Map<string, ErrorFragment> {
  const map = new Map<string, ErrorFragment>();
  for (const f of Object.values(typechain) as unknown[]) {
    const abi = (f as { abi?: unknown }).abi;
    if (typeof f !== "function" || !Array.isArray(abi)) continue;
    for (const frag of new Interface(abi as never).fragments) if (frag.type === "error") map.set((frag as ErrorFragment).selector, frag as ErrorFragment);
  }
  return map;
}

function sample(p: ParamType): unknown {
  if (p.baseType === "array") return [];
  if (p.baseType === "tuple") return p.components!.map(sample);
  if (p.type === "address") return ZeroAddress;
  if (p.type === "bool") return true;
  if (p.type === "string") return "x";
  if (p.type.startsWith("bytes")) return p.type === "bytes" ? "0x" : "0x" + "00".repeat(Number(p.type.slice(5)));
  return 7n;
}

describe("shared revert decoder", () => {
  const errors = allErrors();

  it("decodes every custom error of every compiled contract, in words where it has them, naming every argument", () => {
    expect(errors.size).to.be.greaterThan(80);
    for (const frag of errors.values()) {
      const data = frag.selector + AbiCoder.defaultAbiCoder().encode(frag.inputs, frag.inputs.map(sample)).slice(2);
      const d = decodeRevertData(data);
      expect(d, frag.format()).not.to.equal(undefined);
      expect(d!.name).to.equal(frag.name);
      expect(d!.words, frag.format()).not.to.match(/undefined/);
    }
    const names = new Set([...errors.values()].map((f) => f.name));
    for (const n of EXPLAINED_ERRORS) expect(names.has(n), `${n} has words but no contract defines it`).to.equal(true);
  });

  it("puts a relayed-twice report into words, and a report that skips a round", () => {
    const oracle = WeightOracle__factory.createInterface();
    const twice = oracle.encodeErrorResult("RoundNotNext", [ZeroAddress, 2n, 3n]);
    expect(describeRevert({ data: twice })).to.match(/^round 2 is not the next round \(expected 3\): this report \(or a later one\) was already relayed/);
    const skips = oracle.encodeErrorResult("RoundNotNext", [ZeroAddress, 5n, 3n]);
    expect(describeRevert({ data: skips })).to.match(/^round 5 is not the next round \(expected 3\): an earlier round has not been relayed yet/);
    const ussi = UssiVault__factory.createInterface(); // USSI's NAV rounds follow the same rule
    const ussiSkip = ussi.encodeErrorResult("RoundNotNext", [5n, 3n]);
    expect(describeRevert({ data: ussiSkip })).to.match(/^round 5 is not the next round \(expected 3\): an earlier round has not been relayed yet/);
  });

  it("names a missing role", () => {
    const vault = IndexVault__factory.createInterface();
    const data = vault.encodeErrorResult("AccessControlUnauthorizedAccount", [ZeroAddress, id("GUARDIAN_ROLE")]);
    expect(describeError({ info: { error: { data } } })).to.match(/lacks the role GUARDIAN_ROLE this call needs/);
  });

  it("decodes Error(string) and panics, and leaves unknown data alone", () => {
    const err = new Interface(["error Error(string)"]).encodeErrorResult("Error", ["nope"]);
    expect(describeRevert({ data: err })).to.equal("nope");
    const panic = "0x4e487b71" + AbiCoder.defaultAbiCoder().encode(["uint256"], [0x11]).slice(2);
    expect(describeRevert({ error: { data: panic } })).to.match(/arithmetic overflow/);
    expect(decodeRevertData("0xdeadbeef")).to.equal(undefined);
    expect(describeError(new TypeError("x is not a function"))).to.equal(undefined);
  });

  it("says what to do about gas money and an unreachable node", () => {
    expect(describeError({ code: "INSUFFICIENT_FUNDS", message: "insufficient funds for intrinsic transaction cost" })).to.match(/too little ETH to pay for gas/);
    expect(describeError(new Error("connect ECONNREFUSED 127.0.0.1:8545 (http://127.0.0.1:8545)"))).to.match(/cannot reach the node at http:\/\/127\.0\.0\.1:8545/);
  });
});
