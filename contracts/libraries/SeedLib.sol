// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPriceRegistry} from "../interfaces/IPriceRegistry.sol";
import {IIndexVault} from "../interfaces/IIndexVault.sol";

/// @title SeedLib
/// @notice The units an empty index vault starts from (METHODOLOGY section 3), shared by the vault's first
/// mint and the lens's `previewMint`, so the two can never disagree.
library SeedLib {
    /// @notice q_i = floor(w_i * NAV0 * 10^dec_i / (1e18 * p_i)) {tok/1e18 shares}, with w_i {WAD},
    /// NAV0 {1e18 USD/1e18 shares} and p_i {1e18 USD/whole tok}. Rounded down ("q_i ... rounded down");
    /// this cannot under-collateralise the vault, because mint pulls ceil(shares * q_i / 1e18) of each.
    /// A unit that rounds to zero reverts (`IIndexVault.ZeroUnit`, section 7). Reverts on a stale or unsafe feed.
    function units(IPriceRegistry registry, address[] memory tokens, uint256[] memory weights, uint256 nav0)
        internal
        view
        returns (uint256[] memory q)
    {
        q = new uint256[](tokens.length);
        for (uint256 i = 0; i < tokens.length; ++i) {
            (uint256 price, uint8 decimals) = registry.priceAndDecimals(tokens[i]);
            // w <= 1e18 and NAV0 <= 1e36: the numerator's first factor stays below 2^180.
            q[i] = Math.mulDiv(weights[i] * nav0, 10 ** decimals, 1e18 * price, Math.Rounding.Floor);
            if (q[i] == 0) revert IIndexVault.ZeroUnit(tokens[i]);
        }
    }
}
