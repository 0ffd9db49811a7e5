// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only: a contract at a deployment's recorded oracle address that answers the WeightOracle
/// views a signing tool reads, but reports the EIP-712 domain of another chain (chain id 1) and another
/// verifying contract. A tool that trusted `eip712Domain()` would sign a report valid there (issue 13).
contract ForeignDomainOracle {
    address private immutable _foreign;

    constructor(address foreign) {
        _foreign = foreign;
    }

    function eip712Domain()
        external
        view
        returns (bytes1, string memory, string memory, uint256, address, bytes32, uint256[] memory)
    {
        return (hex"0f", "SSI Weight Oracle", "1", 1, _foreign, bytes32(0), new uint256[](0));
    }

    function lastRound(address) external pure returns (uint64) {
        return 0;
    }

    function maxValidity() external pure returns (uint256) {
        return 1 days;
    }

    function quorum() external pure returns (uint256) {
        return 2;
    }

    function isSigner(address) external pure returns (bool) {
        return true;
    }
}
