// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ITradeAdapter} from "../interfaces/ITradeAdapter.sol";

/// @notice Test-only ITradeAdapter that takes only half of `amountIn` (leaving an allowance behind) and pays
/// that half 1:1 in tokenOut from its own inventory.
contract ShortSpendAdapter is ITradeAdapter {
    function swap(address tokenIn, address tokenOut, uint256 amountIn, uint256, bytes calldata, address recipient)
        external
        returns (uint256 amountOut)
    {
        amountOut = amountIn / 2;
        IERC20(tokenIn).transferFrom(msg.sender, address(this), amountOut);
        IERC20(tokenOut).transfer(recipient, amountOut);
    }
}
