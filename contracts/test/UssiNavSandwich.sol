// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IUssiVault} from "../interfaces/IUssiVault.sol";

/// @notice Test-only: the one-transaction NAV sandwich of the USSI security review (issue 9), on
/// the settlement-at-next-NAV API. Holding borrowed USDC (a flash loan the test hands it), it
/// deposits, relays a signed report it has seen, claims its shares and redeems what the buffer and
/// the instant cap allow, queueing the rest; the test then compares USDC out with USDC in.
contract UssiNavSandwich {
    /// @notice Deposit `usdcIn`, relay `report`, claim, redeem instantly as much as allowed, queue the rest.
    /// @return depositId The deposit request.
    /// @return redeemId The redemption request for the rest (type(uint256).max when nothing was queued).
    /// @return instantOut {USDC} paid at once.
    function sandwich(
        IUssiVault vault,
        IERC20 usdc,
        uint256 usdcIn,
        IUssiVault.NavReport calldata report,
        bytes[] calldata signatures
    ) external returns (uint256 depositId, uint256 redeemId, uint256 instantOut) {
        usdc.approve(address(vault), usdcIn);
        depositId = vault.requestDeposit(usdcIn);
        vault.submitNavReport(report, signatures);
        uint256 shares = vault.claim(depositId);
        uint256 room = vault.instantCapacity(); // {USDC}
        uint256 worth = vault.previewRedeem(shares);
        uint256 instantShares = worth <= room ? shares : (shares * room) / worth; // down
        if (instantShares != 0 && vault.previewRedeem(instantShares) != 0) instantOut = vault.redeem(instantShares, 0);
        redeemId = type(uint256).max;
        if (shares > instantShares) redeemId = vault.requestRedeem(shares - instantShares);
    }

    /// @notice Claims a settled redemption request for this contract.
    function claim(IUssiVault vault, uint256 requestId) external returns (uint256) {
        return vault.claim(requestId);
    }

    /// @notice Sends this contract's USDC back (the flash loan's repayment) to `to`.
    function repay(IERC20 usdc, address to) external returns (uint256 balance) {
        balance = usdc.balanceOf(address(this));
        usdc.transfer(to, balance);
    }
}
