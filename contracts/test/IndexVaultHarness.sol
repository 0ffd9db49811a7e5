// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IndexVault} from "../IndexVault.sol";

/// @notice Test-only: exposes the rebalancing seam `_replaceBasket` that issue 3's keeper path builds on.
contract IndexVaultHarness is IndexVault {
    constructor(Config memory c) IndexVault(c) {}

    function replaceBasket(address[] memory tokens, uint256[] memory units) external {
        _replaceBasket(tokens, units);
    }
}
