// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {QuorumVerifier} from "../oracles/QuorumVerifier.sol";

/// @notice Test-only: exposes `_verifyQuorum` for a `Ping(uint256 value)` struct.
contract QuorumVerifierHarness is QuorumVerifier {
    bytes32 public constant PING_TYPEHASH = keccak256("Ping(uint256 value)");

    constructor(address admin, address[] memory signers, uint256 quorum_)
        QuorumVerifier("Harness", "1", admin, signers, quorum_)
    {}

    function verify(uint256 value, bytes[] calldata signatures) external view returns (bool) {
        _verifyQuorum(keccak256(abi.encode(PING_TYPEHASH, value)), signatures);
        return true;
    }
}
