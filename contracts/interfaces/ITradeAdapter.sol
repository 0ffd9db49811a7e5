// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITradeAdapter
/// @notice One venue through which a vault trades. The vault (caller) approves `amountIn` of `tokenIn`
/// to the adapter and calls `swap`; the adapter pulls exactly `amountIn` with `transferFrom`, trades it
/// on its venue along `routeData`, sends the output to `recipient` and returns how much it sent.
/// @dev Promises every adapter keeps, whatever the venue:
/// - it spends exactly `amountIn` of the caller's `tokenIn` or reverts (no partial fills);
/// - `recipient` receives `amountOut >= minAmountOut` of `tokenOut` or the call reverts;
/// - it holds no token balance after the call (nothing is left for the next caller to take);
/// - it reverts with the named errors below, never with a string or a panic for bad input.
/// The adapter enforces only the caller's `minAmountOut`; deriving it from oracle prices and a
/// slippage bound is the vault's job. `routeData` is venue-specific (for Uniswap V3 the encoded path
/// `tokenIn | fee | token | ... | tokenOut`), so other adapters (Uniswap V4, Curve, an aggregator) fit
/// the same interface.
interface ITradeAdapter {
    /// @notice `amountIn` is zero.
    error ZeroAmountIn();
    /// @notice `recipient` is the zero address.
    error ZeroRecipient();
    /// @notice `tokenIn` and `tokenOut` are the same token.
    error SameToken(address token);
    /// @notice `routeData` cannot be decoded by this adapter (wrong length or layout).
    error MalformedRoute(uint256 length);
    /// @notice `routeData` does not start with `tokenIn` or does not end with `tokenOut`.
    error RouteMismatch(address tokenIn, address tokenOut, address routeIn, address routeOut);
    /// @notice The trade returned less than the caller's floor.
    /// @param amountOut {tok of tokenOut} what the venue returned
    /// @param minAmountOut {tok of tokenOut} the caller's floor
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);

    /// @notice Sells exactly `amountIn` of `tokenIn` (pulled from the caller) for `tokenOut`, sent to `recipient`.
    /// @param tokenIn The token sold; the caller must have approved at least `amountIn` to this adapter.
    /// @param tokenOut The token bought.
    /// @param amountIn {tok of tokenIn} exact amount sold; must be > 0.
    /// @param minAmountOut {tok of tokenOut} the least `recipient` may receive, else the call reverts.
    /// @param routeData Venue-specific route; it must start at `tokenIn` and end at `tokenOut`.
    /// @param recipient Receives the output; must not be the zero address.
    /// @return amountOut {tok of tokenOut} what `recipient` received.
    function swap(
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minAmountOut,
        bytes calldata routeData,
        address recipient
    ) external returns (uint256 amountOut);
}
