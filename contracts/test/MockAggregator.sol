// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";

/// @notice Re-exports Chainlink's MockV3Aggregator so Hardhat compiles it and TypeChain types it.
// solhint-disable-next-line no-empty-blocks
contract MockAggregator is MockV3Aggregator {
    constructor(uint8 decimals_, int256 initialAnswer) MockV3Aggregator(decimals_, initialAnswer) {}
}
