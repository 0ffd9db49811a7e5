// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockCheck} from "../governance/TimelockCheck.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AutomationCompatibleInterface} from
    "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {IPriceRegistry} from "../interfaces/IPriceRegistry.sol";
import {IRebalancer} from "../interfaces/IRebalancer.sol";

/// @title Rebalancer
/// @notice Keeper-executed, oracle-bounded trading for one IndexVault; see `IRebalancer`.
/// @dev The vault's hooks do the token movements and the basket writes: `beginRebalance` at open (one
/// record: held basket plus targets; units then follow balances), `executeTrades` per batch (trades only,
/// no basket write), `endRebalance` at close or expiry (one record: final units from balances, rounded
/// down). This module does every policy check (window and its age, roles, whitelist, allowed tokens and
/// their sides, USD cap,
/// cool-off, oracle floor, tolerance and dust at close) first. Prices are read once per token per trade from the vault's PriceRegistry, whose
/// PriceLib errors (StalePrice, NonPositivePrice, IncompleteRound, FeedNotSet) bubble unchanged.
///
/// Automation decisions (documented choice for "max window duration elapsed"): automation CLOSES a
/// window only when every weight is within tolerance. When a window has been open longer than
/// `maxWindow`, automation EXPIRES it: trading stops, the round stays incomplete (the vault still writes the
/// basket from balances: the targets and every held token other than dust, see `_expiryTokens`, so no
/// holder loses a token the keeper did not sell) and automation does not open that round again;
/// only the keeper may re-open it, after looking at why the trades did not reach the targets. Trades stop at
/// `openedAt + maxWindow` whether or not automation has expired the window yet.
///
/// Churn guard (security reviews, issues 3 and 8): each token's side (`Direction`) and, for a seller, its sell
/// budget are fixed ONCE per targets round, at the round's first open, and survive expiry and re-opening of the
/// same round (a re-open reuses the round's snapshot, it does not price the sides again). A trade must sell a
/// Sell token for a Buy token and may not take a seller's cumulative sales past its budget (its excess over the
/// target at first open, in token units, plus `turnoverMarginBps`). So no token is both bought and sold in a
/// round (no A->B->A or A->B->C->A cycle, even across windows), and the keeper's total turnover in a round is
/// at most what the targets required at first open times (1 + margin): the keeper's loss per round is bounded
/// by the slippage bound times that turnover.
///
/// Budgets are per share (review R-1): the open is permissionless, so a flash mint of K x the supply before it
/// (and a redeem after) would scale absolute budgets by K + 1; large redemptions mid-round would leave them too
/// large. So a seller's budget b {tok} is stored as the fraction of its holding it may sell, and what may be
/// kept, keep = 1e18 - ceil(b * 1e18 / balance) {WAD}; every sale of `amountIn` at the vault's balance B then
/// multiplies the fraction still held, held {WAD, 1e18 at open}, by (B - amountIn) / B, rounded down, and must
/// leave held >= keep. In a window mint and redeem move every balance pro rata to the supply, so
/// balance / supply changes only by the sales: held = (balance per share now) / (balance per share at open),
/// and the sales per share over the round are at most the budget per share at first open, whatever mints and
/// redemptions happen around the open or inside the window (a donation adds to the holders' balance, so
/// it counts as theirs, as the vault's units do).
///
/// Storage: everything a trade reads but the token marks sits in one slot (`_hot`: the open snapshot's
/// epoch, the opening time and the per-trade limits); the budget is in the seller's mark, which the trade
/// reads anyway, so the budget costs one warm SSTORE and one balance read (which the vault's own balance
/// check then finds warm) per sold token per trade.
contract Rebalancer is IRebalancer, AccessControl, ReentrancyGuardTransient, AutomationCompatibleInterface {
    /// @dev What every trade reads, one slot (32 + 40 + 16 + 32 + 32 + 96 = 248 bits).
    struct Hot {
        uint32 epoch; // the open round's side snapshot (see `_mark`); 0 = no window open
        uint40 openedAt; // {unix s} of the last open
        uint16 maxSlippageBps; // {bps}
        uint32 cooldown; // {s}
        uint32 maxWindow; // {s}; 0 = never
        uint96 maxTradeUsd; // {1e18 USD}; setLimits refuses more than 2^96 - 1 (~$7.9e10)
    }

    /// @dev Window bookkeeping, read at open, close and by automation (64 * 3 + 32 + 16 = 240 bits).
    struct Window {
        uint64 completedRound; // last round closed within tolerance
        uint64 openRound; // 0 = closed
        uint64 lastOpenedRound; // the last round opened (by anyone): its snapshot is the one in `_mark`
        uint32 lastEpoch; // the snapshot id of lastOpenedRound
        uint16 toleranceBps; // {bps of weight}
    }

    // == Constants ==
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");
    /// @notice Hard cap on the admin's slippage bound: 5%.
    uint256 public constant MAX_SLIPPAGE_BPS = 500;
    /// @notice The slippage bound at deployment: 1%.
    uint16 public constant DEFAULT_MAX_SLIPPAGE_BPS = 100;
    /// @notice The dust bound at deployment: $10 {1e18 USD}.
    uint256 public constant DEFAULT_MAX_DUST_USD = 10e18;
    /// @notice Hard cap on the turnover margin: 10% over the excess at first open.
    uint16 public constant MAX_TURNOVER_MARGIN_BPS = 1000;
    /// @notice The turnover margin at deployment: 1%.
    uint16 public constant DEFAULT_TURNOVER_MARGIN_BPS = 100;
    uint256 private constant BPS = 10_000;
    uint256 private constant WAD = 1e18;
    /// @dev A mark is keep << 98 | held << 34 | epoch << 2 | Direction: the low 34 bits say "this side in
    /// that snapshot"; keep and held {WAD, <= 1e18 < 2^64} are a seller's budget (see the contract's notes).
    uint256 private constant _KEEP_SHIFT = 98;
    uint256 private constant _HELD_SHIFT = 34;
    uint256 private constant _FRACTION_MASK = (1 << 64) - 1;
    uint256 private constant _SIDE_MASK = (1 << 34) - 1;
    /// @dev Sell (1) ^ 3 = Buy (2): a mark's side bits flipped, without an add.
    uint256 private constant _SELL_TO_BUY = 3;

    // == Immutables ==
    IIndexVault private immutable _vault;
    IPriceRegistry private immutable _registry;

    // == Storage ==
    Hot private _hot;
    Window private _window;
    uint64 private _lastFeeUpkeep; // {unix s} of the last automation fee accrual
    uint32 private _feeAccrualInterval; // {s}; 0 = never
    uint16 private _turnoverMarginBps; // {bps} over each seller's excess at first open
    uint256 private _maxDustUsd; // {1e18 USD} most a held token outside the targets may be worth at close
    mapping(address adapter => bool) private _adapters;
    /// @dev keep {WAD} << 98 | held {WAD} << 34 | epoch << 2 | Direction, written at a round's first open:
    /// tradable on that side while that snapshot is open; a seller's `held` shrinks with every sale (see the
    /// contract's notes on budgets; 0 = never in a snapshot).
    mapping(address token => uint256 mark) private _mark;
    mapping(address tokenLo => mapping(address tokenHi => uint256 at)) private _lastTrade; // {unix s}

    // == Constructor ==
    /// @param limits_ Initial limits; `maxSlippageBps` is ignored and starts at DEFAULT_MAX_SLIPPAGE_BPS.
    constructor(address vault_, address admin, Limits memory limits_) {
        if (vault_ == address(0)) revert ZeroAddress("vault");
        if (admin == address(0)) revert ZeroAddress("admin");
        TimelockCheck.requireTimelock(admin);
        _vault = IIndexVault(vault_);
        _registry = IPriceRegistry(IIndexVault(vault_).priceRegistry());
        limits_.maxSlippageBps = DEFAULT_MAX_SLIPPAGE_BPS;
        _setLimits(limits_);
        _lastFeeUpkeep = uint64(block.timestamp);
        _turnoverMarginBps = DEFAULT_TURNOVER_MARGIN_BPS;
        _maxDustUsd = DEFAULT_MAX_DUST_USD;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // == Keeper ==
    /// @inheritdoc IRebalancer
    function openRebalance() external onlyRole(KEEPER_ROLE) nonReentrant {
        Window memory w = _window;
        uint64 round = _checkOpen(w);
        if (w.openRound == round) revert RebalanceAlreadyOpen(round);
        _open(w, round);
    }

    /// @inheritdoc IRebalancer
    function executeTrades(Trade[] calldata trades)
        external
        onlyRole(KEEPER_ROLE)
        nonReentrant
        returns (uint256[] memory amountsOut)
    {
        if (trades.length == 0) revert NoTrades();
        amountsOut = _execute(trades);
    }

    /// @inheritdoc IRebalancer
    function executeTrade(
        address adapter,
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minAmountOut,
        bytes calldata routeData
    ) external onlyRole(KEEPER_ROLE) nonReentrant returns (uint256 amountOut) {
        Trade[] memory one = new Trade[](1);
        one[0] = Trade(adapter, tokenIn, tokenOut, amountIn, minAmountOut, routeData);
        amountOut = _executeMemory(one)[0];
    }

    /// @inheritdoc IRebalancer
    function closeRebalance() external onlyRole(KEEPER_ROLE) nonReentrant {
        _close();
    }

    // == Automation ==
    /// @notice Chainlink Automation: what needs doing now without off-chain planning, by priority
    /// Close > Expire > Open > AccrueFees; `performData` = abi.encode(UpkeepAction). Never reverts
    /// (a stale price makes the close check answer "not needed").
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        UpkeepAction action = _nextAction();
        return (action != UpkeepAction.None, abi.encode(action));
    }

    /// @notice Re-derives on chain what needs doing (the same rule as `checkUpkeep`; `performData` is only
    /// a hint and is ignored) and does it; reverts `UpkeepNotNeeded` when nothing does. Permissionless:
    /// every action is forced by state (close only within tolerance, expire only after maxWindow, open
    /// only for a new round with every price fresh (the sides are priced at open), accrual only after the
    /// interval), so the caller chooses nothing. Expiry keeps the round's sides and budgets for a re-open,
    /// and the basket keeps the targets and every held token outside them but dust (`_expiryTokens`).
    function performUpkeep(bytes calldata) external nonReentrant {
        UpkeepAction action = _nextAction();
        if (action == UpkeepAction.None) revert UpkeepNotNeeded();
        if (action == UpkeepAction.Close) {
            _close();
        } else if (action == UpkeepAction.Expire) {
            uint64 round = _window.openRound;
            _window.openRound = 0;
            _hot.epoch = 0;
            emit RebalanceExpired(round);
            // The vault keeps exactly the tokens it is given: the targets and every held token not proven dust.
            _vault.endRebalance(_expiryTokens());
        } else if (action == UpkeepAction.Open) {
            Window memory w = _window;
            _open(w, _checkOpen(w));
        } else {
            _lastFeeUpkeep = uint64(block.timestamp);
            _vault.accrueFees();
        }
        emit UpkeepPerformed(action);
    }

    // == Admin ==
    /// @inheritdoc IRebalancer
    function setLimits(Limits calldata limits_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLimits(limits_);
    }

    /// @inheritdoc IRebalancer
    function setMaxDustUsd(uint256 maxDustUsd_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _maxDustUsd = maxDustUsd_;
        emit MaxDustUsdUpdated(maxDustUsd_);
    }

    /// @inheritdoc IRebalancer
    function setTurnoverMarginBps(uint16 marginBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (marginBps > MAX_TURNOVER_MARGIN_BPS) revert InvalidLimit("turnoverMarginBps");
        _turnoverMarginBps = marginBps;
        emit TurnoverMarginUpdated(marginBps);
    }

    /// @inheritdoc IRebalancer
    function setAdapter(address adapter, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (adapter == address(0)) revert ZeroAddress("adapter");
        _adapters[adapter] = allowed;
        emit AdapterSet(adapter, allowed);
    }

    // == Views ==
    /// @inheritdoc IRebalancer
    function vault() external view returns (address) {
        return address(_vault);
    }

    /// @inheritdoc IRebalancer
    function limits() external view returns (Limits memory) {
        Hot memory h = _hot;
        return Limits({
            maxSlippageBps: h.maxSlippageBps,
            toleranceBps: _window.toleranceBps,
            cooldown: h.cooldown,
            maxWindow: h.maxWindow,
            feeAccrualInterval: _feeAccrualInterval,
            maxTradeUsd: h.maxTradeUsd
        });
    }

    /// @inheritdoc IRebalancer
    function maxDustUsd() external view returns (uint256) {
        return _maxDustUsd;
    }

    /// @inheritdoc IRebalancer
    function turnoverMarginBps() external view returns (uint256) {
        return _turnoverMarginBps;
    }

    /// @inheritdoc IRebalancer
    function isAdapter(address adapter) external view returns (bool) {
        return _adapters[adapter];
    }

    /// @inheritdoc IRebalancer
    function window()
        external
        view
        returns (uint64 completedRound, uint64 openRound, uint64 openedAt, uint64 lastOpenedRound)
    {
        Window memory w = _window;
        return (w.completedRound, w.openRound, _hot.openedAt, w.lastOpenedRound);
    }

    /// @inheritdoc IRebalancer
    function isAllowed(address token) external view returns (bool) {
        uint256 epoch = _hot.epoch;
        return epoch != 0 && (_mark[token] & _SIDE_MASK) >> 2 == epoch;
    }

    /// @inheritdoc IRebalancer
    function direction(address token) external view returns (Direction) {
        uint256 epoch = _hot.epoch;
        uint256 mark = _mark[token];
        return epoch != 0 && (mark & _SIDE_MASK) >> 2 == epoch ? Direction(mark & 3) : Direction.None;
    }

    /// @inheritdoc IRebalancer
    function sellBudget(address token) external view returns (uint256) {
        uint256 mark = _mark[token];
        uint256 lastEpoch = _window.lastEpoch;
        bool seller = lastEpoch != 0 && mark & _SIDE_MASK == (lastEpoch << 2) | uint256(Direction.Sell);
        if (!seller) return 0;
        return _budgetLeft(mark, IERC20(token).balanceOf(address(_vault)));
    }

    /// @inheritdoc IRebalancer
    function openDirections() public view returns (address[] memory tokens, Direction[] memory directions) {
        Window memory w = _window;
        (uint64 round,,) = _vault.targets();
        if (round != 0 && round == w.lastOpenedRound) {
            // Opened before: a re-open keeps the snapshot of the round's first open.
            (tokens,) = _closeCandidates();
            directions = new Direction[](tokens.length);
            for (uint256 i = 0; i < tokens.length; ++i) {
                uint256 mark = _mark[tokens[i]];
                if ((mark & _SIDE_MASK) >> 2 == w.lastEpoch) directions[i] = Direction(mark & 3);
            }
        } else {
            (tokens, directions,) = _freshSides();
        }
    }

    /// @inheritdoc IRebalancer
    function lastTradeAt(address tokenA, address tokenB) external view returns (uint256) {
        (address lo, address hi) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        return _lastTrade[lo][hi];
    }

    /// @inheritdoc IRebalancer
    function oracleMinOut(address tokenIn, address tokenOut, uint256 amountIn) external view returns (uint256) {
        (uint256 pIn, uint8 decIn) = _registry.priceAndDecimals(tokenIn);
        (uint256 pOut, uint8 decOut) = _registry.priceAndDecimals(tokenOut);
        return _oracleMinOut(amountIn, pIn, 10 ** decIn, pOut, 10 ** decOut, _hot.maxSlippageBps);
    }

    /// @inheritdoc IRebalancer
    function toleranceCheck()
        public
        view
        returns (bool ok, address token, uint256 weight, uint256 target, uint256 nav)
    {
        (ok, token, weight, target, nav,) = _closeCheck();
    }

    // == Internal ==
    /// @dev The close check: every weight within tolerance of its target and every held token outside the
    /// targets worth at most `maxDustUsd`. `dustValue` {1e18 USD} is non-zero when the miss is the dust bound.
    function _closeCheck()
        private
        view
        returns (bool ok, address token, uint256 weight, uint256 target, uint256 nav, uint256 dustValue)
    {
        (address[] memory tokens, uint256[] memory targetsOf) = _closeCandidates();
        uint256[] memory values;
        (values, nav,) = _values(tokens);
        uint256 tolerance = uint256(_window.toleranceBps) * (WAD / BPS); // {WAD}
        uint256 maxDust = _maxDustUsd;
        for (uint256 i = 0; i < tokens.length; ++i) {
            // {WAD} = floor({1e18 USD} * 1e18 / {1e18 USD}); an empty vault weighs 0 everywhere.
            weight = nav == 0 ? 0 : Math.mulDiv(values[i], WAD, nav);
            target = targetsOf[i];
            uint256 diff = weight > target ? weight - target : target - weight;
            if (diff > tolerance) return (false, tokens[i], weight, target, nav, 0);
            // Targets are non-zero (WeightsLib), so target 0 = a held token leaving the basket.
            if (target == 0 && values[i] > maxDust) return (false, tokens[i], weight, 0, nav, values[i]);
        }
        return (true, address(0), 0, 0, nav, 0);
    }

    /// @dev The targets with their weights {WAD}, then held tokens outside the targets (target 0).
    function _closeCandidates() private view returns (address[] memory tokens, uint256[] memory targetsOf) {
        (, address[] memory targetTokens, uint256[] memory targetWeights) = _vault.targets();
        (address[] memory held,) = _vault.basket();
        uint256 nt = targetTokens.length;
        tokens = new address[](nt + held.length);
        targetsOf = new uint256[](nt + held.length);
        uint256 n = nt;
        for (uint256 i = 0; i < nt; ++i) {
            tokens[i] = targetTokens[i];
            targetsOf[i] = targetWeights[i];
        }
        for (uint256 i = 0; i < held.length; ++i) {
            bool inTargets;
            for (uint256 j = 0; j < nt; ++j) {
                if (targetTokens[j] == held[i]) inTargets = true;
            }
            if (!inTargets) tokens[n++] = held[i];
        }
        assembly ("memory-safe") {
            mstore(tokens, n) // shrink to the candidates found
            mstore(targetsOf, n)
        }
    }

    /// @dev The final basket of an expiring window (the vault keeps exactly these): the targets, then every
    /// held token outside them except one proven dust, i.e. priced now (fresh, safe feed) at a value
    /// floor(balance * price / 10^dec) {1e18 USD} of at most `maxDustUsd`, the bound a close applies. A token
    /// whose price cannot be read now (stale, unsafe, no feed) is kept: expiry comes after `maxWindow`, when
    /// feeds may well be stale, and dropping a token unpriced would take it from the holders unvalued. The
    /// vault then leaves out any token whose unit rounds to zero.
    function _expiryTokens() private view returns (address[] memory tokens) {
        uint256[] memory targetsOf;
        (tokens, targetsOf) = _closeCandidates();
        uint256 maxDust = _maxDustUsd;
        address vaultAddress = address(_vault);
        uint256 n;
        for (uint256 i = 0; i < tokens.length; ++i) {
            address token = tokens[i];
            // Targets are non-zero (WeightsLib), so target 0 = a held token outside the targets.
            bool dust;
            if (targetsOf[i] == 0) {
                try _registry.priceAndDecimals(token) returns (uint256 price, uint8 decimals) {
                    // {1e18 USD} = floor({tok} * {1e18 USD / whole tok} / 10^dec), as `_values`
                    dust = Math.mulDiv(IERC20(token).balanceOf(vaultAddress), price, 10 ** decimals) <= maxDust;
                } catch {
                    dust = false; // no usable price now: kept
                }
            }
            if (!dust) tokens[n++] = token; // dust leaves the basket, as at close
        }
        assembly ("memory-safe") {
            mstore(tokens, n) // shrink to the tokens kept
        }
    }

    /// @dev Each token's vault balance at its feed price {1e18 USD}, rounded DOWN, their sum, and the
    /// balances {tok}.
    function _values(address[] memory tokens)
        private
        view
        returns (uint256[] memory values, uint256 nav, uint256[] memory balances)
    {
        values = new uint256[](tokens.length);
        balances = new uint256[](tokens.length);
        address vaultAddress = address(_vault);
        for (uint256 i = 0; i < tokens.length; ++i) {
            (uint256 price, uint8 decimals) = _registry.priceAndDecimals(tokens[i]);
            balances[i] = IERC20(tokens[i]).balanceOf(vaultAddress);
            // {1e18 USD} = floor({tok} * {1e18 USD / whole tok} / 10^dec)
            values[i] = Math.mulDiv(balances[i], price, 10 ** decimals);
            nav += values[i];
        }
    }

    /// @dev The sides and sell budgets a first open fixes now, over the targets then the held tokens outside
    /// them (see `Direction`). A seller's budget {tok} = ceil(excess * (1e4 + margin) / 1e4), excess = balance -
    /// floor(floor(NAV * target / 1e18) * 10^dec / price), the tokens above its target holding (rounded in the
    /// keeper's favour: the margin is the bound); a token leaving the basket (target 0) may be sold entirely.
    function _freshSides()
        private
        view
        returns (address[] memory tokens, Direction[] memory directions, uint256[] memory keeps)
    {
        uint256[] memory targetsOf;
        (tokens, targetsOf) = _closeCandidates();
        (uint256[] memory values, uint256 nav, uint256[] memory balances) = _values(tokens);
        directions = new Direction[](tokens.length);
        keeps = new uint256[](tokens.length);
        uint256 margin = _turnoverMarginBps;
        for (uint256 i = 0; i < tokens.length; ++i) {
            // Exact: value {1e18 USD} * 1e18 against NAV {1e18 USD} * target {WAD}; no rounding either way.
            uint256 have = values[i] * WAD;
            uint256 want = nav * targetsOf[i];
            if (have < want) {
                directions[i] = Direction.Buy;
            } else if (have > want) {
                directions[i] = Direction.Sell;
                if (targetsOf[i] != 0) {
                    (uint256 price, uint8 decimals) = _registry.priceAndDecimals(tokens[i]);
                    // {tok} = floor(floor({1e18 USD} * {WAD} / 1e18) * 10^dec / {1e18 USD / whole tok}) <= balance
                    uint256 keep = Math.mulDiv(Math.mulDiv(nav, targetsOf[i], WAD), 10 ** decimals, price);
                    uint256 budget = Math.mulDiv(balances[i] - keep, BPS + margin, BPS, Math.Rounding.Ceil);
                    // {WAD} = 1e18 - ceil(budget * 1e18 / balance), 0 when the budget is the whole balance
                    // (balance > 0: a seller's value is positive); rounded in the keeper's favour by at most
                    // balance / 1e18 base units.
                    uint256 sold = Math.mulDiv(budget, WAD, balances[i], Math.Rounding.Ceil);
                    if (sold < WAD) keeps[i] = WAD - sold;
                } // else leaving the basket: keep 0, all of it may be sold
            }
        }
    }

    function _execute(Trade[] calldata trades) private returns (uint256[] memory) {
        Trade[] memory copy = trades;
        return _executeMemory(copy);
    }

    /// @dev Checks every trade (reverting with a named error), records the sellers' budgets and the pairs'
    /// trade time, then calls the vault once for the batch and emits one event per trade. CEI: all checks and
    /// this module's writes precede the vault call, whose own guard covers the adapter calls.
    function _executeMemory(Trade[] memory trades) private returns (uint256[] memory amountsOut) {
        // == Checks ==
        Hot memory h = _hot; // one SLOAD: the open snapshot, its age and every per-trade limit
        if (h.epoch == 0) revert RebalanceNotOpen();
        if (h.maxWindow != 0) {
            // {unix s} openedAt + maxWindow: the same bound as automation's Expire.
            uint256 expiresAt;
            unchecked {
                expiresAt = uint256(h.openedAt) + h.maxWindow; // < 2^41
            }
            if (block.timestamp >= expiresAt) revert RebalanceWindowExpired(_window.openRound, expiresAt);
        }
        uint256 sellMark = (uint256(h.epoch) << 2) | uint256(Direction.Sell);
        for (uint256 i = 0; i < trades.length; ++i) {
            Trade memory t = trades[i];
            // {tok} sold of tokenIn by the batch's earlier trades: not yet out of the vault's balance.
            uint256 pending = 0;
            for (uint256 j = 0; j < i; ++j) {
                if (trades[j].tokenIn == t.tokenIn) pending += trades[j].amountIn;
            }
            t.minAmountOut = _checkTrade(t, sellMark, h, pending); // the effective floor, in place
        }
        // `Trade` and `IIndexVault.TradeCall` have the same fields in the same order, so the same memory
        // layout: hand the checked array to the vault as is, without a copy.
        IIndexVault.TradeCall[] memory calls;
        assembly ("memory-safe") {
            calls := trades
        }
        // == Interactions == (the vault re-checks the pause and its window, then trades; no basket write)
        amountsOut = _vault.executeTrades(calls);
        for (uint256 i = 0; i < calls.length; ++i) {
            IIndexVault.TradeCall memory c = calls[i];
            emit TradeExecuted(c.adapter, c.tokenIn, c.tokenOut, c.amountIn, amountsOut[i], c.minAmountOut);
        }
    }

    /// @dev Every per-trade check (reverting with a named error); takes the sale off the seller's budget (its
    /// `held` fraction) and records the pair's trade time. `sellMark` = epoch << 2
    /// | Sell; the buy mark is sellMark ^ _SELL_TO_BUY; `pending` {tok} = what the batch's earlier trades sell
    /// of tokenIn (the balance the sale is measured against is the vault's less that).
    /// @return floorOut {tok of tokenOut} max(keeper's minAmountOut, oracleMinOut).
    function _checkTrade(Trade memory t, uint256 sellMark, Hot memory h, uint256 pending)
        private
        returns (uint256 floorOut)
    {
        if (!_adapters[t.adapter]) revert AdapterNotAllowed(t.adapter);
        uint256 markIn = _mark[t.tokenIn];
        if (markIn & _SIDE_MASK != sellMark) _sideError(t.tokenIn, markIn, sellMark);
        uint256 markOut = _mark[t.tokenOut];
        if (markOut & _SIDE_MASK != sellMark ^ _SELL_TO_BUY) _sideError(t.tokenOut, markOut, sellMark);
        uint256 keep = (markIn >> _KEEP_SHIFT) & _FRACTION_MASK; // {WAD}; 0 = it may all be sold
        uint256 held = (markIn >> _HELD_SHIFT) & _FRACTION_MASK; // {WAD}
        uint256 markAfter = markIn;
        if (keep != 0) {
            // {tok} B: the vault's balance (which its own delta check then reads warm) less the batch's pending sales
            uint256 balance = _vaultBalance(t.tokenIn);
            balance = balance > pending ? balance - pending : 0;
            // {WAD} = floor(held * (B - amountIn) / B): the fraction of the open's holding per share left after
            // this sale (rounded against the keeper); selling the whole balance leaves 0. Checked: held < 2^60,
            // so the product overflows (and reverts) only for a balance above 2^196 base units.
            uint256 heldAfter = t.amountIn >= balance ? 0 : held * (balance - t.amountIn) / balance;
            if (heldAfter < keep) revert SellAboveBudget(t.tokenIn, t.amountIn, _budgetLeft(markIn, balance));
            markAfter = markIn - ((held - heldAfter) << _HELD_SHIFT); // heldAfter <= held: only those bits change
        }
        floorOut = _priceChecks(t, h);
        (address lo, address hi) = t.tokenIn < t.tokenOut ? (t.tokenIn, t.tokenOut) : (t.tokenOut, t.tokenIn);
        uint256 last = _lastTrade[lo][hi]; // {unix s}, a block.timestamp written below
        if (last != 0) {
            uint256 until;
            unchecked {
                until = last + h.cooldown; // a timestamp plus a uint32: no overflow
            }
            if (block.timestamp < until) revert PairInCooldown(lo, hi, until);
        }
        // == Effects ==
        _mark[t.tokenIn] = markAfter;
        _lastTrade[lo][hi] = block.timestamp;
    }

    /// @dev {tok} The vault's balance of `token`, by a bare STATICCALL (cheaper than the high-level call's
    /// checks; a token without code or with a short answer reverts `BalanceQueryFailed`, as in the vault).
    function _vaultBalance(address token) private view returns (uint256 bal) {
        address v = address(_vault);
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, v)
            ok := staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20)
            ok := and(ok, gt(returndatasize(), 0x1f))
            bal := mload(0x00)
        }
        if (!ok) revert IIndexVault.BalanceQueryFailed(token);
    }

    /// @dev {tok} What a seller with `mark` may still sell at the vault's balance `balance` {tok}: the largest a
    /// with floor(held * (balance - a) / balance) >= keep, i.e. balance - ceil(keep * balance / held); the whole
    /// balance when keep = 0.
    function _budgetLeft(uint256 mark, uint256 balance) private pure returns (uint256) {
        uint256 keep = (mark >> _KEEP_SHIFT) & _FRACTION_MASK;
        if (keep == 0) return balance;
        uint256 held = (mark >> _HELD_SHIFT) & _FRACTION_MASK; // >= keep > 0
        uint256 kept = Math.mulDiv(keep, balance, held, Math.Rounding.Ceil); // {tok} <= balance
        return balance - kept;
    }

    /// @dev Reverts for a token whose `mark` is not the side wanted: TokenNotAllowed when it is not in the
    /// open snapshot at all, else WrongDirection with its side.
    function _sideError(address token, uint256 mark, uint256 sellMark) private pure {
        if ((mark & _SIDE_MASK) >> 2 != sellMark >> 2) revert TokenNotAllowed(token);
        revert WrongDirection(token, Direction(mark & 3));
    }

    /// @dev The USD cap and the oracle floor, from one price read per token.
    function _priceChecks(Trade memory t, Hot memory h) private view returns (uint256 floorOut) {
        (uint256 pIn, uint8 decIn) = _registry.priceAndDecimals(t.tokenIn);
        (uint256 pOut, uint8 decOut) = _registry.priceAndDecimals(t.tokenOut);
        // {1e18 USD} = floor({tok} * {1e18 USD / whole tok} / 10^decIn)
        uint256 scaleIn = 10 ** decIn; // computed once for the cap and the floor
        uint256 usd = Math.mulDiv(t.amountIn, pIn, scaleIn);
        if (usd > h.maxTradeUsd) revert TradeAboveCap(usd, h.maxTradeUsd);
        floorOut = _oracleMinOut(t.amountIn, pIn, scaleIn, pOut, 10 ** decOut, h.maxSlippageBps);
        if (t.minAmountOut > floorOut) floorOut = t.minAmountOut; // effective floor = max of both
    }

    function _close() private {
        // == Checks ==
        Window memory w = _window;
        if (w.openRound == 0) revert RebalanceNotOpen();
        if (_vault.paused()) revert IIndexVault.RebalancePaused();
        (bool ok, address token, uint256 weight, uint256 target, uint256 nav, uint256 dust) = _closeCheck();
        if (!ok) {
            if (dust != 0) revert DustAboveBound(token, dust, _maxDustUsd);
            revert WeightOutOfTolerance(token, weight, target);
        }
        (uint64 round, address[] memory targetTokens,) = _vault.targets();
        // == Effects ==
        w.completedRound = round;
        w.openRound = 0;
        _window = w;
        _hot.epoch = 0;
        emit RebalanceClosed(round, nav);
        // == Interactions == (final basket: the targets, units from balances, DOWN; the vault keeps exactly
        // these, and `_closeCheck` just proved every other held token worth at most the dust bound)
        _vault.endRebalance(targetTokens);
    }

    /// @dev The vault's targets round, after checking it may be opened: not paused, newer than the last
    /// completed round.
    function _checkOpen(Window memory w) private view returns (uint64 round) {
        if (_vault.paused()) revert IIndexVault.RebalancePaused();
        (round,,) = _vault.targets();
        if (round <= w.completedRound) revert NoNewTargets(round, w.completedRound);
    }

    /// @dev Opens `round`. At the round's first open: a new snapshot (epoch) of the allowed tokens (targets and
    /// held basket) with their sides and sell budgets at the registry's prices now (`_freshSides`). At a
    /// re-open of the same round (after expiry): the round's snapshot as its trades left it. Then the vault
    /// writes the union record and derives units from balances until close.
    function _open(Window memory w, uint64 round) private {
        (, address[] memory targetTokens,) = _vault.targets();
        Hot memory h = _hot;
        if (round != w.lastOpenedRound) {
            uint32 epoch = w.lastEpoch + 1; // checked: one per targets round ever opened
            (address[] memory tokens, Direction[] memory sides, uint256[] memory keeps) = _freshSides();
            for (uint256 i = 0; i < tokens.length; ++i) {
                // keep < 2^64 (<= 1e18); held starts at 1e18: all of the open's holding
                _mark[tokens[i]] =
                    (keeps[i] << _KEEP_SHIFT) | (WAD << _HELD_SHIFT) | (uint256(epoch) << 2) | uint256(sides[i]);
            }
            w.lastEpoch = epoch;
            w.lastOpenedRound = round;

        }
        h.epoch = w.lastEpoch;
        h.openedAt = uint40(block.timestamp);
        w.openRound = round;
        _window = w;
        _hot = h;
        emit RebalanceOpened(round);
        // == Interactions ==
        _vault.beginRebalance(targetTokens);
    }

    function _nextAction() private view returns (UpkeepAction) {
        Window memory w = _window;
        bool paused = _vault.paused();
        if (w.openRound != 0) {
            if (!paused) {
                bool closable;
                try this.toleranceCheck() returns (bool ok, address, uint256, uint256, uint256) {
                    closable = ok;
                } catch {
                    closable = false; // a stale or unsafe price: not closable now
                }
                if (closable) return UpkeepAction.Close;
            }
            Hot memory h = _hot;
            if (h.maxWindow != 0 && block.timestamp >= uint256(h.openedAt) + h.maxWindow) return UpkeepAction.Expire;
        } else if (!paused) {
            (uint64 round,,) = _vault.targets();
            if (round > w.completedRound && round > w.lastOpenedRound) {
                // Opening prices every token (the sides); with a stale price it would revert, so not now.
                bool priced;
                try this.openDirections() returns (address[] memory, Direction[] memory) {
                    priced = true;
                } catch {
                    priced = false;
                }
                if (priced) return UpkeepAction.Open;
            }
        }
        uint256 interval = _feeAccrualInterval;
        if (interval != 0 && block.timestamp >= _lastFeeUpkeep + interval) return UpkeepAction.AccrueFees;
        return UpkeepAction.None;
    }

    function _setLimits(Limits memory lim) private {
        if (lim.maxSlippageBps > MAX_SLIPPAGE_BPS) revert SlippageAboveCap(lim.maxSlippageBps, MAX_SLIPPAGE_BPS);
        if (lim.toleranceBps > BPS) revert InvalidLimit("toleranceBps");
        if (lim.maxTradeUsd == 0 || lim.maxTradeUsd > type(uint96).max) revert InvalidLimit("maxTradeUsd");
        Hot memory h = _hot;
        h.maxSlippageBps = lim.maxSlippageBps;
        h.cooldown = lim.cooldown;
        h.maxWindow = lim.maxWindow;
        h.maxTradeUsd = uint96(lim.maxTradeUsd); // checked above
        _hot = h;
        _window.toleranceBps = lim.toleranceBps;
        _feeAccrualInterval = lim.feeAccrualInterval;
        emit LimitsUpdated(lim);
    }

    /// @dev floor(floor(amountIn * pIn * 10^decOut / (10^decIn * pOut)) * (1e4 - bps) / 1e4) {tok of tokenOut}:
    /// the value of `amountIn` at the oracle prices, less the slippage bound, rounded DOWN twice (the
    /// same two steps as the planner's expectedAmountOut and minAmountOut).
    /// `scaleIn`, `scaleOut` = 10^decIn, 10^decOut.
    function _oracleMinOut(uint256 amountIn, uint256 pIn, uint256 scaleIn, uint256 pOut, uint256 scaleOut, uint256 bps)
        private
        pure
        returns (uint256)
    {
        uint256 expected = Math.mulDiv(amountIn, pIn * scaleOut, pOut * scaleIn); // floor
        return Math.mulDiv(expected, BPS - bps, BPS); // floor
    }
}
