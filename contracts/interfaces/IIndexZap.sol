// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "./IIndexVault.sol";

/// @title IIndexZap
/// @notice Mint an exact number of index shares paying with one token, and redeem an exact number of shares
/// into one token, in one transaction, through Uniswap V3. One deployment serves every IndexVault.
///
/// Mint: pulls `maxAmountIn` of the input from the caller (approval or EIP-2612 permit; native ETH is
/// wrapped through WETH9), buys every constituent's exact amount `previewMint(shares)` (rounded UP, as the
/// vault pulls it) with `exactOutput` along the caller's route, mints `shares` to `receiver` and refunds
/// every unspent base unit of the input to the caller. Redeem: pulls `shares` from the caller (approval or
/// permit on the index token), redeems in kind, sells every constituent's amount `previewRedeem(shares)`
/// (rounded DOWN, as the vault pays it) with `exactInput`, and pays the total, at least `minAmountOut`, to
/// `receiver`. A constituent equal to the input (output) token is not swapped.
///
/// Safety: no privileged role, no admin, no state between calls. Funds only ever come from `msg.sender`
/// (never a `from` argument), the router is an immutable, and every route is checked to start and end at the
/// constituent and the payment token, so a call can only move the caller's own funds. After every call the
/// zap holds zero of every token it touched. Minting refuses with `VaultPaused` while the vault's guardian
/// pause is on; redeeming works then. In an open rebalance window the vault's previews follow balances, and
/// the zap follows the previews.
///
/// Routes are Uniswap V3 encoded paths (token | fee (3 bytes) | token ...). For mint they are `exactOutput`
/// paths, which Uniswap encodes in reverse: constituent first, input token last. For redeem they are
/// `exactInput` paths: constituent first, output token last. One route per constituent, in basket order
/// (`previewMint`/`previewRedeem` order); a constituent equal to the payment token takes an empty route.
/// `NATIVE` (address(0)) as the payment token means native ETH: routes end (start) at WETH9.
interface IIndexZap {
    // == Errors ==
    /// @notice The call's `deadline` (unix s) is before the current block's timestamp.
    error DeadlineExpired(uint256 deadline, uint256 timestamp);
    /// @notice Minting while `vault`'s guardian pause is on (redeeming still works).
    error VaultPaused(address vault);
    /// @notice Zero shares.
    error ZeroShares();
    /// @notice A zero receiver.
    error ZeroReceiver();
    /// @notice `routes` has `given` entries; the basket has `constituents`.
    error RoutesLengthMismatch(uint256 given, uint256 constituents);
    /// @notice Route `index` is not a Uniswap V3 path of 20 + 23k bytes (k >= 1), or not empty where the
    /// constituent is the payment token itself (`length` bytes given).
    error MalformedRoute(uint256 index, uint256 length);
    /// @notice Route `index` runs from `routeStart` to `routeEnd`; it must run from `expectedStart` to
    /// `expectedEnd` (mint: constituent to payment token, as exactOutput encodes it; redeem: constituent to
    /// payment token).
    error RouteMismatch(uint256 index, address expectedStart, address expectedEnd, address routeStart, address routeEnd);
    /// @notice Native ETH sent where the payment token is an ERC-20, or `msg.value` different from
    /// `maxAmountIn` when paying in ETH ({wei}).
    error WrongValue(uint256 value, uint256 expected);
    /// @notice The swaps and the in-kind part need `amount` base units of the input; at most `max` allowed.
    error AmountInAboveMax(address token, uint256 amount, uint256 max);
    /// @notice Buying constituent `index` needs more of `tokenIn` than the `budget` left of maxAmountIn (the
    /// router's "Too much requested"): the pools moved against the caller beyond the bound.
    error SwapAboveBudget(uint256 index, address tokenIn, uint256 budget);
    /// @notice The redemption sold for `amount` base units of the output; the caller asked for at least `min`.
    error AmountOutBelowMin(address token, uint256 amount, uint256 min);
    /// @notice `token` delivered less than was transferred to the zap (fee-on-transfer or rebasing input).
    error TransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice Sending native ETH to `to` failed.
    error EthTransferFailed(address to, uint256 amount);
    /// @notice Native ETH from anyone but WETH9 (which pays it out on `withdraw`).
    error UnexpectedEth(address from);
    /// @notice A constructor argument is the zero address (named by `what`).
    error ZeroAddress(string what);

    // == Events ==
    /// @notice `payer` paid `amountIn` of `tokenIn` (NATIVE for ETH) for `shares` of `vault`, sent to `receiver`.
    event ZapMint(address indexed vault, address indexed payer, address receiver, address tokenIn, uint256 shares, uint256 amountIn);
    /// @notice `payer` redeemed `shares` of `vault` for `amountOut` of `tokenOut` (NATIVE for ETH), paid to `receiver`.
    event ZapRedeem(address indexed vault, address indexed payer, address receiver, address tokenOut, uint256 shares, uint256 amountOut);

    /// @notice Which router ABI `router` speaks.
    enum RouterKind {
        SwapRouter, // v3-periphery SwapRouter: params carry a `deadline`
        SwapRouter02 // swap-router-contracts SwapRouter02: no `deadline`
    }

    /// @notice A mint request.
    struct MintParams {
        IIndexVault vault;
        uint256 shares; // index shares to mint, 1e18 per whole token
        address receiver; // of the shares
        address tokenIn; // the ERC-20 paid, or NATIVE (address(0)) for ETH (then msg.value = maxAmountIn)
        uint256 maxAmountIn; // {tok of tokenIn} pulled up front; the unspent part is refunded
        uint256 deadline; // unix s, inclusive
        bytes[] routes; // per constituent, exactOutput paths (constituent ... tokenIn); empty for tokenIn itself
    }

    /// @notice A redeem request.
    struct RedeemParams {
        IIndexVault vault;
        uint256 shares; // index shares to redeem, 1e18 per whole token
        address receiver; // of the output
        address tokenOut; // the ERC-20 received, or NATIVE (address(0)) for ETH
        uint256 minAmountOut; // {tok of tokenOut} the least the receiver accepts
        uint256 deadline; // unix s, inclusive
        bytes[] routes; // per constituent, exactInput paths (constituent ... tokenOut); empty for tokenOut itself
    }

    /// @notice An EIP-2612 permit signed by the caller for this zap (value, deadline, signature).
    struct Permit {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice Mints exactly `p.shares` of `p.vault` to `p.receiver`, paying with `p.tokenIn` from the caller's
    /// approval (or native ETH as `msg.value`); refunds the unspent input to the caller.
    /// @return amountIn {tok of tokenIn} actually spent (maxAmountIn minus the refund).
    function mint(MintParams calldata p) external payable returns (uint256 amountIn);

    /// @notice `mint` after `permit(msg.sender, this, permit.value, ...)` on `p.tokenIn`. A permit already
    /// used (e.g. front-run) is ignored when the allowance suffices.
    function mintWithPermit(MintParams calldata p, Permit calldata permit) external returns (uint256 amountIn);

    /// @notice Redeems exactly `p.shares` of `p.vault` from the caller (approval on the index token) and pays
    /// the proceeds, at least `p.minAmountOut`, in `p.tokenOut` (or native ETH) to `p.receiver`.
    /// @return amountOut {tok of tokenOut} paid to the receiver.
    function redeem(RedeemParams calldata p) external returns (uint256 amountOut);

    /// @notice `redeem` after `permit` on the index token (the vault's EIP-2612), like `mintWithPermit`.
    function redeemWithPermit(RedeemParams calldata p, Permit calldata permit) external returns (uint256 amountOut);

    /// @notice The Uniswap V3 router every swap goes through (immutable).
    function router() external view returns (address);

    /// @notice The router's ABI flavour (immutable).
    function routerKind() external view returns (RouterKind);

    /// @notice WETH9, which wraps and unwraps native ETH (immutable).
    function weth() external view returns (address);
}
