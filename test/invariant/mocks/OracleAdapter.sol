// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ITradeAdapter} from "../../../contracts/interfaces/ITradeAdapter.sol";
import {IPriceRegistry} from "../../../contracts/interfaces/IPriceRegistry.sol";

interface IMintable {
    function mint(address to, uint256 amount) external;
}

/// @notice A faithful mock venue: keeps every `ITradeAdapter` promise (pulls exactly `amountIn`, sends
/// `>= minAmountOut` or reverts, keeps no balance) and fills at the registry's oracle price less
/// `slippageBps`, which the handler sets per trade (a pool with depth the keeper chose badly). It mints
/// the output (test tokens have an open mint) and burns the input by sending it to a sink.
contract OracleAdapter is ITradeAdapter {
    address private constant SINK = address(0xdead);
    IPriceRegistry public immutable registry;
    uint256 public slippageBps;

    constructor(IPriceRegistry registry_) {
        registry = registry_;
    }

    function setSlippageBps(uint256 bps) external {
        slippageBps = bps;
    }

    /// @notice {tok of tokenOut} the fill for `amountIn` at the oracle price less the slippage, rounded down.
    function quote(address tokenIn, address tokenOut, uint256 amountIn) public view returns (uint256) {
        (uint256 pIn, uint8 dIn) = registry.priceAndDecimals(tokenIn);
        (uint256 pOut, uint8 dOut) = registry.priceAndDecimals(tokenOut);
        uint256 fair = Math.mulDiv(amountIn, pIn * 10 ** dOut, pOut * 10 ** dIn);
        return Math.mulDiv(fair, 10_000 - slippageBps, 10_000);
    }

    function swap(
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minAmountOut,
        bytes calldata,
        address recipient
    ) external returns (uint256 amountOut) {
        if (amountIn == 0) revert ZeroAmountIn();
        if (recipient == address(0)) revert ZeroRecipient();
        if (tokenIn == tokenOut) revert SameToken(tokenIn);
        amountOut = quote(tokenIn, tokenOut, amountIn);
        if (amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);
        IERC20(tokenIn).transferFrom(msg.sender, SINK, amountIn);
        IMintable(tokenOut).mint(recipient, amountOut);
    }
}
