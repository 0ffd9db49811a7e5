/** Argument parsing and amount formatting shared by every task (tasks/lib/args.ts, src/lib/format.ts). */
import { expect } from "chai";
import { HardhatPluginError } from "hardhat/plugins";
import { parseAddressArg } from "../../tasks/lib/args";
import { formatTokenAmount } from "../../src/lib/format";

describe("tasks/lib/args and format", () => {
  describe("#parseAddressArg", () => {
    const good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; // EIP-55's own example
    it("takes a checksummed, an all-lower and an all-upper address, and returns the checksummed form", () => {
      expect(parseAddressArg(good, "to")).to.equal(good);
      expect(parseAddressArg(good.toLowerCase(), "to")).to.equal(good);
      expect(parseAddressArg("0x" + good.slice(2).toUpperCase(), "to")).to.equal(good);
    });
    it("reports a mixed-case address with a bad checksum as a checksum error", () => {
      const typo = good.slice(0, -1) + "D";
      expect(() => parseAddressArg(typo, "to")).to.throw(HardhatPluginError, /--to "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" has a bad checksum/);
    });
    it("reports what is not an address at all as such", () => {
      expect(() => parseAddressArg("0x1234", "to")).to.throw(HardhatPluginError, /is not an address \(0x followed by 40 hex digits\)/);
      expect(() => parseAddressArg(undefined, "to")).to.throw(HardhatPluginError, /is not an address/);
    });
  });

  describe("#formatTokenAmount", () => {
    const cases: [bigint, number, string | undefined, string][] = [
      [27_863_996_077n, 6, "USDC", "27,863.996077 USDC"],
      [8_847_381n, 6, "USDC", "8.847381 USDC"],
      [10n ** 18n, 18, "MAG7.ssi", "1 MAG7.ssi"],
      [1n, 18, "WETH", "0.000000000000000001 WETH"],
      [-1_234_500_000n, 6, undefined, "-1,234.5"],
      [0n, 8, "cbBTC", "0 cbBTC"],
    ];
    for (const [amount, decimals, symbol, text] of cases) {
      it(`${amount} with ${decimals} decimals is "${text}"`, () => expect(formatTokenAmount(amount, decimals, symbol)).to.equal(text));
    }
  });
});
