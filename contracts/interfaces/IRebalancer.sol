// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRebalancer
/// @notice The trading module of one IndexVault (issue 3). It holds the vault's REBALANCER_ROLE and is the
/// only way the vault trades: a keeper takes the vault from its held basket to the latest targets through
/// whitelisted ITradeAdapters, inside a rebalance window, with every trade's floor derived on chain from
/// the Chainlink prices of both tokens.
///
/// Window: `openRebalance` (keeper, or automation) once the vault's targets round is newer than the last
/// completed one; trades only while open; `closeRebalance` checks every constituent's value weight is
/// within `toleranceBps` of its target (a token outside the targets must weigh at most the tolerance and be
/// worth at most `maxDustUsd`), has the vault write the final basket (the targets, then any other token
/// still redeemable, each with a non-zero unit from balances rounded down) and marks the round done.
/// The vault writes its basket twice per window (at open: held plus targets; at close), never per trade:
/// in the window its units follow balances, so mint and redeem stay open and exact.
///
/// Per targets round (METHODOLOGY section 5, security review issue 8): the round's FIRST open snapshots the
/// tokens allowed in its trades (held basket and targets), each with its `Direction` and, for a seller, a sell
/// budget {tok} = its excess over the target holding at that open, plus `turnoverMarginBps`, held per share
/// (as the fraction of the seller's holding it may sell: mints and redemptions scale it, see `sellBudget`;
/// review R-1: a flash mint around the permissionless open cannot inflate it). The snapshot
/// belongs to the round, not to the window: when a window expires and the same round is opened again, the
/// sides and what is left of the budgets stay as they were, so a keeper cannot flip a side by overselling,
/// letting the window expire and re-opening. Total turnover per round is therefore at most what the targets
/// required at first open times (1 + margin). A round that can no longer be completed inside its snapshot
/// (large price moves or mints mid-round) is answered by a new targets round, which gets a fresh snapshot.
///
/// Per trade: the window must be open and younger than `maxWindow` (when set); tokens must be priced by the
/// vault's PriceRegistry and be in the round's snapshot, `tokenIn` a seller and `tokenOut` a buyer of it (see
/// `Direction`: so every trade moves both tokens towards their targets and no token is both bought and sold in
/// one round: no A->B->A churn, within a window or across re-opens); `amountIn` must not exceed what is left of
/// `tokenIn`'s sell budget (`SellAboveBudget`), and is taken off it; the adapter must be whitelisted; the USD
/// value of `amountIn` must not exceed `maxTradeUsd`; the unordered pair must not have traded within `cooldown`
/// seconds; the floor is max(keeper's minAmountOut, oracleMinOut) with
///   oracleMinOut = floor(floor(amountIn * pIn * 10^decOut / (10^decIn * pOut)) * (1e4 - maxSlippageBps) / 1e4)
/// {tok of tokenOut}, p {1e18 USD per whole token}. The vault approves exactly `amountIn` and checks the
/// balance deltas.
///
/// Roles: DEFAULT_ADMIN_ROLE (limits, dust bound, turnover margin, adapters, role grants); KEEPER_ROLE (trade, open, close).
/// The guardian's pause lives on the vault: while paused no trade, open or close (redemption still works).
/// Automation (`checkUpkeep`/`performUpkeep`) is permissionless: it only does what on-chain state
/// requires (see `performUpkeep`).
interface IRebalancer {
    /// @notice Admin-set limits, one storage slot.
    struct Limits {
        uint16 maxSlippageBps; // {bps} <= MAX_SLIPPAGE_BPS; default 100 (1%)
        uint16 toleranceBps; // {bps of weight} |weight - target| allowed at close; <= 10000
        uint32 cooldown; // {s} between two trades of the same unordered pair
        uint32 maxWindow; // {s} after opening, trades revert and automation expires the window; 0 = never
        uint32 feeAccrualInterval; // {s} between automation fee accruals; 0 = never
        uint128 maxTradeUsd; // {1e18 USD} largest value of one trade's amountIn; 0 < maxTradeUsd < 2^96
    }

    /// @notice One trade, as the planner produces it (path encoded with `encodeV3Path` for Uniswap V3).
    struct Trade {
        address adapter; // whitelisted ITradeAdapter
        address tokenIn;
        address tokenOut;
        uint256 amountIn; // {tok of tokenIn}
        uint256 minAmountOut; // {tok of tokenOut}; the oracle floor applies when higher
        bytes routeData; // adapter route, e.g. the Uniswap V3 path tokenIn|fee|...|tokenOut
    }

    /// @notice A token's side in a targets round, fixed at the round's first `openRebalance` from the value
    /// weights at the registry's prices then (and kept when the round is re-opened after an expiry): Sell when balance * price / 10^dec * 1e18 > NAV * target (over-weight, or held
    /// outside the targets), Buy when below (under-weight, or a target not yet held), None when exactly on
    /// target (no trade either way). Compared exactly, without rounding: the same split as the planner's
    /// delta = value - floor(NAV * target / 1e18): delta > 0 exactly when Sell, delta < 0 only when Buy.
    /// There is no tolerance band: a token within tolerance keeps its side, so the keeper can still use
    /// it to bring the others in.
    enum Direction {
        None,
        Sell,
        Buy
    }

    /// @notice What automation has to do.
    enum UpkeepAction {
        None,
        Close, // window open, every constituent within tolerance
        Expire, // window open longer than maxWindow: ends it without completing the round
        Open, // a targets round newer than the last completed and never opened before
        AccrueFees // feeAccrualInterval elapsed since the last automation accrual
    }

    // == Errors ==
    /// @notice `adapter` is not whitelisted.
    error AdapterNotAllowed(address adapter);
    /// @notice `token` is not in the open round's snapshot (neither held nor a target at its first open).
    error TokenNotAllowed(address token);
    /// @notice `token` is tradable in the open round, but not on this side: a trade's tokenIn must be
    /// `Direction.Sell` and its tokenOut `Direction.Buy`; `direction` is the token's side, fixed at the round's
    /// first open.
    error WrongDirection(address token, Direction direction);
    /// @notice Selling `amountIn` {tok} of `token` would exceed what is left of its sell budget for this round,
    /// `budget` {tok} at the vault's balance now (its excess over target at the round's first open plus the
    /// turnover margin, per share, less what was sold since, in every window of the round).
    error SellAboveBudget(address token, uint256 amountIn, uint256 budget);
    /// @notice A trade after the window for `round` passed `maxWindow` (at `expiredAt` {unix s}): trading
    /// stops; close (if within tolerance) or let automation expire it.
    error RebalanceWindowExpired(uint64 round, uint256 expiredAt);
    /// @notice The trade's USD value ({1e18 USD}, rounded down) is above the per-trade cap.
    error TradeAboveCap(uint256 usdValue, uint256 maxTradeUsd);
    /// @notice The unordered pair traded less than `cooldown` ago; next trade allowed at `until` {unix s}.
    error PairInCooldown(address tokenA, address tokenB, uint256 until);
    /// @notice Trading or closing without an open window.
    error RebalanceNotOpen();
    /// @notice Opening while the window for `round` is already open.
    error RebalanceAlreadyOpen(uint64 round);
    /// @notice Opening with no targets round newer than the last completed one.
    error NoNewTargets(uint64 round, uint64 completedRound);
    /// @notice At close: `token`'s value weight {WAD} is more than the tolerance away from its `target` {WAD}.
    error WeightOutOfTolerance(address token, uint256 weight, uint256 target);
    /// @notice A slippage bound above MAX_SLIPPAGE_BPS.
    error SlippageAboveCap(uint256 bps, uint256 cap);
    /// @notice A limit out of range, named by `what`.
    error InvalidLimit(string what);
    /// @notice A zero address where one is needed, named by `what`.
    error ZeroAddress(string what);
    /// @notice An empty trade batch.
    error NoTrades();
    /// @notice `performUpkeep` with nothing to do.
    error UpkeepNotNeeded();
    /// @notice At close: `token`, held but outside the targets, is still worth `valueUsd` {1e18 USD} (rounded
    /// down) above `maxDustUsd`: sell it first.
    error DustAboveBound(address token, uint256 valueUsd, uint256 maxDustUsd);

    // == Events ==
    /// @notice A trade executed: `amountIn` of `tokenIn` sold for `amountOut` of `tokenOut`, floor `minAmountOut`.
    event TradeExecuted(
        address indexed adapter,
        address indexed tokenIn,
        address indexed tokenOut,
        uint256 amountIn,
        uint256 amountOut,
        uint256 minAmountOut
    );
    /// @notice The window for targets `round` opened.
    event RebalanceOpened(uint64 indexed round);
    /// @notice The window closed within tolerance; `round` is complete. `nav` {1e18 USD} at close.
    event RebalanceClosed(uint64 indexed round, uint256 nav);
    /// @notice The window for `round` ran past maxWindow and was ended by automation, not completed. The
    /// basket keeps the targets and every held token but those priced at most `maxDustUsd` (see `closeRebalance`).
    event RebalanceExpired(uint64 indexed round);
    /// @notice The limits changed.
    event LimitsUpdated(Limits limits);
    /// @notice `adapter` was whitelisted (`allowed`) or removed.
    event AdapterSet(address indexed adapter, bool allowed);
    /// @notice Automation performed `action`.
    event UpkeepPerformed(UpkeepAction action);
    /// @notice The dust bound changed.
    event MaxDustUsdUpdated(uint256 maxDustUsd);
    /// @notice The turnover margin {bps} for rounds first opened from now on changed.
    event TurnoverMarginUpdated(uint256 marginBps);

    // == Keeper ==
    /// @notice Opens the window for the vault's latest targets round; KEEPER_ROLE. At the round's first open,
    /// snapshots the tokens allowed in trades (held basket and targets) with their `Direction` and sell budgets
    /// at the registry's prices now (see `openDirections`; a stale or unset price reverts with the registry's
    /// error); re-opening the same round (after an expiry) reuses that snapshot as the round's trades left it.
    /// Then calls the vault's `beginRebalance(targets)` (one basket write). Opening a newer round takes a
    /// fresh snapshot and extends the vault's record.
    /// Reverts: `RebalancePaused` (vault), `NoNewTargets`, `RebalanceAlreadyOpen` (same round open).
    function openRebalance() external;

    /// @notice Executes `trades` in order through the vault's `executeTrades` (no basket write: in the window
    /// the vault's units follow balances); KEEPER_ROLE, window open, vault not paused. Every trade is checked as the
    /// contract doc says; any failure reverts the whole batch with a named error and no state change.
    /// Two trades of one pair in one batch fall in the cool-off (unless it is 0).
    /// @return amountsOut {tok of tokenOut} received per trade.
    function executeTrades(Trade[] calldata trades) external returns (uint256[] memory amountsOut);

    /// @notice `executeTrades` of one trade.
    function executeTrade(
        address adapter,
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minAmountOut,
        bytes calldata routeData
    ) external returns (uint256 amountOut);

    /// @notice Checks every weight against its target (`toleranceCheck`), reverting with
    /// `WeightOutOfTolerance(token, weight, target)` on the first miss, or `DustAboveBound` for a held token
    /// outside the targets worth more than `maxDustUsd`; then marks the round complete and calls the vault's
    /// `endRebalance(targets)` (one basket write: the targets, then any other redeemable token, units from
    /// balances rounded down; `EmptyBasket` if none). KEEPER_ROLE; window open; vault not paused.
    /// Automation's expiry also calls `endRebalance`, without the tolerance and dust checks, with the targets
    /// plus every held token outside them except one priced now (fresh feed) at most `maxDustUsd`: a token
    /// the keeper did not sell, or whose price is stale, stays in the basket and redeemable.
    function closeRebalance() external;

    // == Admin ==
    /// @notice Sets every limit; admin only. Reverts `SlippageAboveCap`, `InvalidLimit`.
    function setLimits(Limits calldata limits) external;

    /// @notice Sets the dust bound {1e18 USD} checked at close for held tokens outside the targets; admin
    /// only. Defaults to DEFAULT_MAX_DUST_USD ($10).
    function setMaxDustUsd(uint256 maxDustUsd) external;

    /// @notice Sets the turnover margin {bps, <= MAX_TURNOVER_MARGIN_BPS (10%), default 100}: each seller's
    /// budget is its excess at the round's first open times (1e4 + margin) / 1e4, rounded up. Applies to rounds
    /// first opened afterwards; admin only. Reverts `InvalidLimit("turnoverMarginBps")`.
    function setTurnoverMarginBps(uint16 marginBps) external;

    /// @notice Whitelists (or removes) a trade adapter; admin only.
    function setAdapter(address adapter, bool allowed) external;

    // == Views ==
    /// @notice The vault this module trades for.
    function vault() external view returns (address);

    /// @notice The current limits.
    function limits() external view returns (Limits memory);

    /// @notice The dust bound {1e18 USD} (see `setMaxDustUsd`).
    function maxDustUsd() external view returns (uint256);

    /// @notice The turnover margin {bps} (see `setTurnoverMarginBps`).
    function turnoverMarginBps() external view returns (uint256);

    /// @notice Whether `adapter` is whitelisted.
    function isAdapter(address adapter) external view returns (bool);

    /// @notice Window state: last completed round, the open round (0 = closed), when a window last opened
    /// {unix s}, and the last round opened (by the keeper or automation; automation opens each round once).
    function window()
        external
        view
        returns (uint64 completedRound, uint64 openRound, uint64 openedAt, uint64 lastOpenedRound);

    /// @notice Whether `token` may be traded in the open window (on its side, see `direction`).
    function isAllowed(address token) external view returns (bool);

    /// @notice `token`'s side in the open window (None when no window is open or the token is not in it).
    function direction(address token) external view returns (Direction);

    /// @notice What is left {tok} of `token`'s sell budget in the snapshot of the last opened round
    /// (`window().lastOpenedRound`), open or not, at the vault's balance now: budgets are per share, so this
    /// follows mints and redemptions (see the contract notes); 0 for a token that is not a seller there; the
    /// vault's whole balance for a seller leaving the basket (target 0: it may be sold entirely).
    function sellBudget(address token) external view returns (uint256);

    /// @notice The sides `openRebalance` would use now: the vault's targets, then held tokens outside them,
    /// each with its `Direction`: for a round opened before, the sides fixed at its first open (None for a
    /// token outside that snapshot); else the sides at the current balances and prices (reverts on a stale
    /// price).
    function openDirections() external view returns (address[] memory tokens, Direction[] memory directions);

    /// @notice {unix s} of the last trade of the unordered pair (0 = never).
    function lastTradeAt(address tokenA, address tokenB) external view returns (uint256);

    /// @notice The floor `executeTrade` enforces for this trade before the keeper's own minimum:
    /// oracleMinOut {tok of tokenOut} as the contract doc defines it. Reverts on stale prices.
    function oracleMinOut(address tokenIn, address tokenOut, uint256 amountIn) external view returns (uint256);

    /// @notice The close check at current balances and prices over the held basket and the targets:
    /// `ok` and, when not ok, the first token out of tolerance (or, target 0, above the dust bound) with
    /// its weight and target {WAD}.
    /// `nav` {1e18 USD} is the sum of floor(balance * price / 10^dec). Reverts on a stale price.
    function toleranceCheck() external view returns (bool ok, address token, uint256 weight, uint256 target, uint256 nav);
}
