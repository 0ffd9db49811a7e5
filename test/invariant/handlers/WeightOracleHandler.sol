// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IWeightOracle} from "../../../contracts/interfaces/IWeightOracle.sol";
import {WeightOracle} from "../../../contracts/oracles/WeightOracle.sol";
import {Env} from "./Env.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @notice Weight reports through the real WeightOracle: random non-empty subsets of the constituents with
/// random weights summing to 1e18, signed with `vm.sign` by a quorum of the test signers (ascending).
contract WeightOracleHandler is HandlerBase {
    WeightOracle internal immutable oracle;

    constructor(Env env_) HandlerBase(env_) {
        oracle = env_.oracle();
    }

    function submitReport(uint256 subsetSeed, uint256 weightSeed) external conserving("submitReport") {
        _submit(_report(subsetSeed, weightSeed), oracle.quorum());
    }

    /// @notice A report signed by fewer than the quorum: must be refused.
    function submitUnderQuorum(uint256 subsetSeed, uint256 weightSeed) external {
        IWeightOracle.WeightReport memory r = _report(subsetSeed, weightSeed);
        try this.submitSigned(r, oracle.quorum() - 1) {
            env.fail("weight oracle accepted a report under quorum");
        } catch {}
    }

    /// @dev External so `submitUnderQuorum` can try it; only this handler calls it meaningfully.
    function submitSigned(IWeightOracle.WeightReport memory r, uint256 signers) external {
        _submit(r, signers);
    }

    // == Wrapper around the oracle call ==
    function _submit(IWeightOracle.WeightReport memory r, uint256 signers) internal {
        bytes32 digest = oracle.reportDigest(r);
        bytes[] memory sigs = new bytes[](signers);
        for (uint256 i = 0; i < signers; ++i) {
            (uint8 v, bytes32 rr, bytes32 s) = vm.sign(env.signerKeys(i), digest); // keys sorted by address
            sigs[i] = abi.encodePacked(rr, s, v);
        }
        oracle.submit(r, sigs);
    }

    function _report(uint256 subsetSeed, uint256 weightSeed)
        internal
        view
        returns (IWeightOracle.WeightReport memory r)
    {
        uint256 n = env.tokenCount();
        uint256 mask = _bound(subsetSeed, 1, (1 << n) - 1);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) {
            if (mask & (1 << i) != 0) ++k;
        }
        r.constituents = new address[](k);
        r.weights = new uint256[](k);
        uint256 left = 1e18;
        uint256 j;
        for (uint256 i = 0; i < n; ++i) {
            if (mask & (1 << i) == 0) continue;
            r.constituents[j] = address(env.tokens(i));
            if (j == k - 1) {
                r.weights[j] = left;
            } else {
                // at least 1% each, leaving 1% per remaining constituent
                uint256 w = _bound(uint256(keccak256(abi.encode(weightSeed, i))), 0.01e18, left - (k - 1 - j) * 0.01e18);
                r.weights[j] = w;
                left -= w;
            }
            ++j;
        }
        (uint64 round,,) = vault.targets();
        r.index = address(vault);
        r.round = round + 1;
        r.validAfter = uint64(block.timestamp);
        r.expiresAt = uint64(block.timestamp + 1 hours);
    }

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](2);
        s[0] = this.submitReport.selector;
        s[1] = this.submitUnderQuorum.selector;
    }
}
