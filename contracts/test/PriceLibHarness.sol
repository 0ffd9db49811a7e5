// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {PriceLib} from "../libraries/PriceLib.sol";

/// @notice Test-only: exposes `PriceLib.read`.
contract PriceLibHarness {
    function read(address feed, uint256 heartbeat) external view returns (uint256) {
        return PriceLib.read(AggregatorV3Interface(feed), heartbeat);
    }
}
