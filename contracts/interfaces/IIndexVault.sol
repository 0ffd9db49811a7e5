// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IIndexVault
/// @notice An index token (ERC-20 with EIP-2612 permit) backed in kind by a basket of ERC-20 constituents
/// that the vault itself holds. One deployment per product (MAG7.ssi, MEME.ssi, DEFI.ssi, SANX).
///
/// Units: `units[i]` is the amount of constituent i, in its base units, that backs 1e18 shares
/// (one whole index token). Anyone may mint by bringing ceil(shares * units / 1e18) of every
/// constituent and redeem for floor(shares * units / 1e18) of each (METHODOLOGY section 7).
///
/// Invariant (after every operation, for every constituent i):
///   balanceOf(vault)_i >= ceil(effectiveSupply * units_i / 1e18),
/// where effectiveSupply = totalSupply + pendingFeeShares and units_i is the exact rational
/// storedUnits_i * scale / 1e18 (see `rawBasket`); in a rebalance window units_i = balance_i * 1e18 /
/// effectiveSupply, so the invariant holds by construction while trades move balances.
///
/// Rebalance window (issue 3): `beginRebalance` writes a basket record listing the held basket and the
/// new targets, and sets the rebalancing mode; while it is on, every read of the basket (mint, redeem,
/// previews, `basket`, NAV per share) derives units from balances: mint pulls ceil(shares * balance_i / S)
/// and redeem pays floor(shares * balance_i / S) (S = effectiveSupply), the exact pro-rata share, and
/// `basket`/`rawBasket` report floor(balance_i * 1e18 / S) with scale 1e18 for every token of the record
/// (a balance below S / 1e18 base units counts as 0: a donated speck is not part of the basket, and the
/// list's length and order stay fixed for the whole window). Mint and redeem stay open (a redeemer gets a bought token pro rata). `executeTrades`
/// only trades; `endRebalance` writes the final basket from balances, rounded down.
///
/// Management fee: an annual rate (WAD, 1e18 = 100%/year, capped at deployment) streams to the fee
/// recipient. Before every mint and redeem (and any rate or recipient change) the vault accrues:
/// f = floor(rate / 365 days) * elapsed seconds {WAD}; every constituent's units are multiplied by
/// (1 - f) through one global `scale` (one storage write, not N), and effectiveSupply * f / (1 - f)
/// new shares are credited to the recipient as pending fee shares (minted by `claimFees`, or when the
/// recipient changes). Both round down, so the collateral invariant survives every accrual.
///
/// Roles: DEFAULT_ADMIN_ROLE (timelock / multisig): fee rate and recipient, unpause, role grants.
/// ORACLE_ROLE (the WeightOracle, later the SANX controller): `setTargets`. REBALANCER_ROLE (the
/// Rebalancer module, see IRebalancer): `beginRebalance`, `executeTrades`, `endRebalance`. GUARDIAN_ROLE:
/// `pause`, which stops mint and trading but never redemption.

interface IIndexVault {
    // == Errors ==
    /// @notice Zero shares.
    error ZeroShares();
    /// @notice An empty vault's unit for `token` rounds to zero (weight too small for its price and decimals).
    error ZeroUnit(address token);
    /// @notice Every amount rounds to zero for this many shares (a dust mint or redeem).
    error ZeroAmounts(uint256 shares);
    /// @notice `maxAmountsIn`/`minAmountsOut` is not in basket order with one entry per constituent.
    error AmountsLengthMismatch(uint256 given, uint256 constituents);
    /// @notice Mint would pull more of `token` than the caller allowed.
    error AmountInAboveMax(address token, uint256 amount, uint256 max);
    /// @notice Redeem would pay less of `token` than the caller asked for.
    error AmountOutBelowMin(address token, uint256 amount, uint256 min);
    /// @notice `token` delivered less than was transferred (fee-on-transfer or rebasing down).
    error TransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice After a redeem's transfer the vault holds `balance` of `token`, less than the `required`
    /// ceil(effectiveSupply * unit / 1e18) the remaining shares need (a fee on the sender, or a balance that
    /// fell): the redeem would leave the vault under-collateralised. {tok}
    error CollateralShortfall(address token, uint256 balance, uint256 required);
    /// @notice `token` is not in the held basket.
    error NotAConstituent(address token);
    /// @notice `retireConstituent` for a token that still transfers cleanly (only a failing token may leave so).
    error ConstituentTransfersWork(address token);
    /// @notice Mint while the guardian's pause is on.
    error MintPaused();
    /// @notice Pause while paused, or unpause while not paused.
    error PauseStateUnchanged(bool paused);
    /// @notice The vault is empty and has no target basket to derive units from.
    error NoTargets();
    /// @notice A target round other than the current round plus one.
    error TargetRoundNotNext(uint64 round, uint64 expected);
    /// @notice The vault's own share token as a constituent.
    error SelfAsConstituent();
    /// @notice A fee rate above the cap fixed at deployment.
    error FeeRateAboveMax(uint256 rate, uint256 max);
    /// @notice A zero fee recipient.
    error ZeroFeeRecipient();
    /// @notice A constructor argument out of range (named by `what`).
    error InvalidConfig(string what);
    /// @notice A zero receiver for minted shares or redeemed constituents.
    error ZeroReceiver();
    /// @notice A basket unit above 2^192 base units per 1e18 shares.
    error UnitTooLarge(address token, uint256 unit);
    /// @notice `token.balanceOf` failed or returned no value.
    error BalanceQueryFailed(address token);
    /// @notice A rebalance trade while the guardian's pause is on.
    error RebalancePaused();
    /// @notice A trade, or `endRebalance`, with no rebalance window open on the vault.
    error NotRebalancing();
    /// @notice `endRebalance` found no token with a non-zero unit: the final basket would be empty.
    error EmptyBasket();
    /// @notice A trade spent other than exactly `amountIn` of `tokenIn`.
    error TradeInputMismatch(address tokenIn, uint256 spent, uint256 amountIn);
    /// @notice A trade delivered less of `tokenOut` than its floor.
    error TradeOutputBelowMin(address tokenOut, uint256 received, uint256 minAmountOut);

    /// @notice One trade of a rebalance batch (see `executeTrades`).
    struct TradeCall {
        address adapter; // ITradeAdapter
        address tokenIn;
        address tokenOut;
        uint256 amountIn; // {tok of tokenIn}, spent exactly
        uint256 minAmountOut; // {tok of tokenOut}, the floor (the Rebalancer's oracle-derived bound)
        bytes routeData; // adapter-specific route
    }

    // == Events ==
    // Mint and redeem emit no event of their own, for gas: the share token's Transfer from/to the zero
    // address and the constituents' Transfer events to/from the vault record them completely.
    /// @notice The basket (constituents and units per 1e18 shares) was replaced.
    event BasketUpdated(address[] tokens, uint256[] units);
    /// @notice A new target basket from an accepted report (or the SANX controller).
    event TargetsUpdated(uint64 indexed round, address[] tokens, uint256[] weights);
    /// @notice Pending fee shares were minted to `recipient`.
    event FeesClaimed(address indexed recipient, uint256 shares);
    /// @notice The annual fee rate changed (fees up to now were accrued at the old rate first).
    event FeeRateUpdated(uint256 rate);
    /// @notice The fee recipient changed (pending fees were paid to the old one first).
    event FeeRecipientUpdated(address indexed recipient);
    /// @notice `owner` redeemed `shares` for `receiver` while skipping `tokens`, forgoing `amounts` {tok} of
    /// them: that share stays in the vault, backing the remaining shares.
    event RedeemSkipped(address indexed owner, address indexed receiver, uint256 shares, address[] tokens, uint256[] amounts);
    /// @notice The admin took `token`, which fails transfers, out of the held basket (its balance stays in the vault).
    event ConstituentRetired(address indexed token);
    /// @notice The guardian paused mint and trading.
    event Paused(address indexed guardian);
    /// @notice The admin lifted the pause.
    event Unpaused(address indexed admin);

    // == Users ==
    /// @notice Mints `shares` to `receiver`, pulling ceil(shares * units_i / 1e18) of every constituent
    /// from the caller (who must have approved this vault). On an empty vault the units first come from
    /// the target weights, the feed prices and `initialNavPerShare` (see `previewMint`).
    /// @param shares Index tokens to mint, in 1e18 per whole token.
    /// @param maxAmountsIn Per constituent, in basket order, the most the caller will pay (base units). In a
    /// rebalance window the basket is the window's whole record (see `basket`): a token not held is listed,
    /// costs nothing, and a donated speck of it (below one base unit per 1e18 shares) still costs nothing.
    /// A mint is correctly formed when `maxAmountsIn` has one entry per record token, in basket order, each
    /// at least `previewMint(shares)` of the state it was sized on. Window dust rule (review R-4): in a
    /// window with shares outstanding (an empty vault's first mint is strict), where the amount owed
    /// exceeds the bound and the vault's whole balance of that token is worth less than $10
    /// (floor(balance * price / 10^decimals) < 10e18 at the PriceRegistry's price), the mint pays the bound
    /// instead, so no donation worth less than $10 can revert a correctly formed mint (a token
    /// previewed as 0 may stay 0). What a mint leaves unpaid is at most its pro-rata share,
    /// shares / (S + shares), of a holding worth under $10: all mints of a window together take at most the
    /// holding itself, whatever their number. A stale, non-positive or missing feed grants no exemption (the
    /// registry's error). Outside a window, and for any token worth $10 or more, the bound is strict:
    /// a donation of a held token in a window raises its amount pro rata, so a caller's slack of x% on
    /// it can be beaten only by a donation of x% of the vault's holding, which the holders keep.
    /// @dev Returns nothing, for gas: the amounts pulled equal `previewMint(shares)` in the same block
    /// (or less, by the window dust rule).
    function mint(uint256 shares, address receiver, uint256[] calldata maxAmountsIn) external;

    /// @notice Burns `shares` of the caller and sends `receiver` floor(shares * units_i / 1e18) of every
    /// constituent. Never paused; needs no price feed. A constituent whose amount rounds down to zero is
    /// not sent (it stays as backing for the remaining shares), so dust never blocks an exit; only a redeem
    /// whose amounts ALL round to zero reverts (`ZeroAmounts`). Checks what left: after each transfer the
    /// vault's balance must still be at least ceil((effectiveSupply - shares) * units_i / 1e18), the backing
    /// of the remaining shares, or the redeem reverts (`CollateralShortfall`: a token charging the sender, or
    /// a balance that fell outside the vault's control; the holder may skip such a token).
    /// @param minAmountsOut Per constituent, in basket order, the least the caller accepts (base units).
    /// In a rebalance window the basket is the window's whole record (see `basket`), so a donation cannot
    /// change its length.
    /// @dev Returns nothing, for gas: the amounts sent equal `previewRedeem(shares)` in the same block.
    function redeem(uint256 shares, address receiver, uint256[] calldata minAmountsOut) external;

    /// @notice `redeem`, except that nothing is sent of the constituents listed in `skip` (a token that
    /// is paused, blacklists the receiver or the vault, or reverts): the caller forgoes that share, which
    /// stays in the vault for the remaining holders, and `RedeemSkipped` records what was forgone. A token
    /// of `skip` that is not in the basket is ignored. `minAmountsOut` applies to the computed amounts,
    /// skipped or not (give 0 for a skipped token).
    function redeemSkipping(uint256 shares, address receiver, uint256[] calldata minAmountsOut, address[] calldata skip)
        external;

    /// @notice Accrues the management fee up to now. Anyone may call.
    function accrueFees() external;

    /// @notice Accrues, then mints all pending fee shares to the fee recipient. Anyone may call.
    /// @return shares The shares minted.
    function claimFees() external returns (uint256 shares);

    // == Roles ==
    /// @notice Replaces the target basket; ORACLE_ROLE only. `round` must be the current round plus one
    /// (`TargetRoundNotNext`), so no report can exhaust the round space;
    /// the basket must pass `WeightsLib.check` (weights sum to 1e18, distinct, priced, non-zero).
    /// @dev The held basket follows the targets when the vault is empty (next mint) and, from issue 3,
    /// through keeper rebalancing.
    function setTargets(uint64 round, address[] calldata tokens, uint256[] calldata weights) external;

    /// @notice Sets the annual fee rate (WAD) after accruing at the old one; admin only.
    function setFeeRate(uint256 rate) external;

    /// @notice Pays pending fees to the current recipient, then sets a new one; admin only.
    function setFeeRecipient(address recipient) external;

    /// @notice Stops mint and trading (`executeTrades`); GUARDIAN_ROLE only. Redemption stays open.
    function pause() external;

    /// @notice Lifts the pause; admin only.
    function unpause() external;

    /// @notice Takes `token` out of the held basket; admin only (the admin is a TimelockController, so
    /// this is delayed). Only for a token that fails transfers now: a 1-unit transfer from the vault to
    /// itself must revert, return false, move the balance, or `balanceOf` fail (`ConstituentTransfersWork`
    /// otherwise). Writes the record without it (order and units of the others unchanged), so minting and
    /// trading resume without it. Whatever the vault holds of it stays in the vault: no function sends a
    /// token outside the basket to anyone; it returns to the basket (pro rata for the holders) only if
    /// it is listed again by a later target round and a rebalance keeps it. Works in a window and paused.
    function retireConstituent(address token) external;

    /// @notice Opens a rebalance window; REBALANCER_ROLE only (the Rebalancer module, which checks rounds,
    /// the pause, oracle bounds, caps and whitelists). Accrues fees, writes ONE basket record listing the
    /// held tokens (in order) followed by every token of `tokens` not held (units floor(balance * 1e18 / S),
    /// zero for a token not held yet) and sets the rebalancing mode, in which units follow balances (see
    /// the contract doc). On an empty vault (S = 0) it writes nothing: the next mint seeds from the targets.
    /// Calling it again in a window extends the record with more tokens.
    /// @param tokens The tokens that may be bought in this window (the targets).
    function beginRebalance(address[] calldata tokens) external;

    /// @notice The trading hook; REBALANCER_ROLE only, in a window (`NotRebalancing` otherwise), not paused
    /// (`RebalancePaused`). For each trade: approves exactly `amountIn` of `tokenIn` to `adapter`, calls
    /// `ITradeAdapter.swap(..., recipient = this)` and checks the balance deltas (exactly `amountIn` of
    /// `tokenIn` left, at least `minAmountOut` of `tokenOut` arrived). Writes no basket: in a window units
    /// are derived from balances. The caller restricts tokens to those of `beginRebalance` and the record;
    /// a token outside them would not count in mint and redeem until `endRebalance` lists it.
    /// @param trades The batch, executed in order.
    /// @return amountsOut {tok of tokenOut} received per trade.
    function executeTrades(TradeCall[] calldata trades) external returns (uint256[] memory amountsOut);

    /// @notice Closes the window; REBALANCER_ROLE only (`NotRebalancing` without one). Works while paused
    /// (it only freezes units). Accrues fees and writes the final basket in ONE record: exactly
    /// `finalTokens` (duplicates dropped), each with unit_i = floor(balance_i * 1e18 / S) rounded DOWN,
    /// keeping only the non-zero ones. Every other token leaves the basket and its balance stays in the
    /// vault (the Rebalancer closes only when such a holding is worth at most its dust bound, and on expiry
    /// passes every held token so nothing of value is dropped), so a donation cannot keep a token in the
    /// basket. Reverts `EmptyBasket` when no unit is non-zero. On an empty vault (S = 0) it only ends the mode.
    /// @param finalTokens The final basket, in order.
    function endRebalance(address[] calldata finalTokens) external;

    // == Views ==
    /// @notice The held basket: constituents and units (base units per 1e18 shares, fee accrued to now,
    /// rounded down; in a window from balances, see the contract doc). Empty before the first mint.
    /// In a window it lists the window's whole record, with unit 0 for a token not held (or held below
    /// one base unit per 1e18 shares): that is the order and length `mint` and `redeem` bounds follow.
    /// Like every view that reports basket, supply or value, it reverts while a vault call is in progress
    /// (`ReentrancyGuardReentrantCall`), when balances and supply disagree.
    function basket() external view returns (address[] memory tokens, uint256[] memory units);

    /// @notice The exact basket: effective units_i = storedUnits_i * scale / 1e18 (as a rational),
    /// with `scale` (WAD) accrued to now. In a window: floor(balance_i * 1e18 / S) and scale 1e18 (the exact
    /// unit balance_i * 1e18 / S is at most one base unit per 1e18 shares above it).
    function rawBasket() external view returns (address[] memory tokens, uint256[] memory storedUnits, uint256 scale);

    /// @notice The latest target basket and its round (0 and empty before the first report).
    function targets() external view returns (uint64 round, address[] memory tokens, uint256[] memory weights);

    /// @notice What `mint(shares)` would pull now, in basket order (or target order on an empty vault).
    function previewMint(uint256 shares) external view returns (address[] memory tokens, uint256[] memory amounts);

    /// @notice What `redeem(shares)` would pay now, in basket order (0 where an amount rounds to zero: not paid).
    function previewRedeem(uint256 shares) external view returns (address[] memory tokens, uint256[] memory amounts);

    /// @notice USD value ({1e18 USD}) of the constituent balances the vault holds, at feed prices.
    /// Reverts on a stale or unsafe feed, and (like both previews and `navPerShare`) while a vault
    /// call is in progress (`ReentrancyGuardReentrantCall`): mid-mint or mid-redeem the balances and the
    /// supply disagree, so another contract pricing shares from a token hook would be misled.
    function nav() external view returns (uint256);


    /// @notice USD value ({1e18 USD}) of the units behind 1e18 shares, fee accrued to now, rounded down.
    /// On an empty vault: `initialNavPerShare`. Reverts on a stale or unsafe feed, and while a vault
    /// call is in progress (read-only reentrancy guard: mid-mint or mid-redeem the balances and the supply
    /// disagree, so a contract pricing shares from a token hook would be misled).
    function navPerShare() external view returns (uint256);

    /// @notice Fee state, accrued to now: rate and cap (WAD per year), recipient, pending fee shares,
    /// last accrual (unix s) and the unit scale (WAD).
    function feeState()
        external
        view
        returns (
            uint256 rate,
            uint256 maxRate,
            address recipient,
            uint256 pendingFeeShares,
            uint256 lastAccrual,
            uint256 scale
        );

    /// @notice totalSupply plus pending fee shares: the shares the basket backs.
    function effectiveSupply() external view returns (uint256);

    /// @notice Whether the guardian's pause is on.
    function paused() external view returns (bool);

    /// @notice Whether a rebalance window is open (units follow balances).
    function rebalancing() external view returns (bool);

    /// @notice The price registry used for NAV and empty-vault units.
    function priceRegistry() external view returns (address);

    /// @notice NAV per share ({1e18 USD} per 1e18 shares) an empty vault starts at.
    function initialNavPerShare() external view returns (uint256);
}
