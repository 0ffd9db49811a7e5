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
/// basket from balances, keeping every redeemable token) and automation does not open that round again;
/// only the keeper may re-open it, after looking at why the trades did not reach the targets. Trades stop at
/// `openedAt + maxWindow` whether or not automation has expired the window yet.
///
/// Churn guard (security review, issue 3): each token's side (`Direction`) is fixed at open from its value
/// weight against its target; a trade must sell a Sell token for a Buy token. So no token is both bought and
/// sold in one window (no A->B->A or A->B->C->A cycle), and the keeper's total turnover in a window is bounded
/// by the value of the Sell tokens at open (nothing can be bought into them). Within that, overshooting a
/// target is not refused per trade (a remaining-to-sell counter would be one more SSTORE per side per trade,
/// about 2.9k-5k gas, over the trade gas budget); it only keeps the window from closing.
contract Rebalancer is IRebalancer, AccessControl, ReentrancyGuardTransient, AutomationCompatibleInterface {
    /// @dev Window state, one slot.
    struct Window {
        uint64 completedRound; // last round closed within tolerance
        uint64 openRound; // 0 = closed
        uint64 openedAt; // {unix s}
        uint64 lastOpenedRound; // the last round opened (by anyone): automation opens each round once
    }

    // == Constants ==
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");
    /// @notice Hard cap on the admin's slippage bound: 5%.
    uint256 public constant MAX_SLIPPAGE_BPS = 500;
    /// @notice The slippage bound at deployment: 1%.
    uint16 public constant DEFAULT_MAX_SLIPPAGE_BPS = 100;
    /// @notice The dust bound at deployment: $10 {1e18 USD}.
    uint256 public constant DEFAULT_MAX_DUST_USD = 10e18;
    uint256 private constant BPS = 10_000;
    uint256 private constant WAD = 1e18;
    /// @dev Bit offsets of `Window.openRound` and `Window.openedAt` in its slot (fields packed from the low
    /// end in declaration order: completedRound 0, openRound 64, openedAt 128, lastOpenedRound 192).
    uint256 private constant _OPEN_ROUND_SHIFT = 64;
    uint256 private constant _OPENED_AT_SHIFT = 128;
    /// @dev Sell (1) ^ 3 = Buy (2): a mark's side bits flipped, without an add.
    uint256 private constant _SELL_TO_BUY = 3;

    // == Immutables ==
    IIndexVault private immutable _vault;
    IPriceRegistry private immutable _registry;

    // == Storage ==
    Limits private _limits;
    Window private _window;
    uint64 private _lastFeeUpkeep; // {unix s} of the last automation fee accrual
    uint256 private _maxDustUsd; // {1e18 USD} most a held token outside the targets may be worth at close
    mapping(address adapter => bool) private _adapters;
    /// @dev round << 2 | Direction: tradable on that side while this round is open (0 = never). One slot read
    /// per side per trade, as the bare allowed-round it replaces.
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
        _maxDustUsd = DEFAULT_MAX_DUST_USD;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // == Keeper ==
    /// @inheritdoc IRebalancer
    function openRebalance() external onlyRole(KEEPER_ROLE) nonReentrant {
        Window memory w = _window;
        (uint64 round,) = _checkOpen(w);
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
    /// interval), so the caller chooses nothing.
    function performUpkeep(bytes calldata) external nonReentrant {
        UpkeepAction action = _nextAction();
        if (action == UpkeepAction.None) revert UpkeepNotNeeded();
        if (action == UpkeepAction.Close) {
            _close();
        } else if (action == UpkeepAction.Expire) {
            uint64 round = _window.openRound;
            _window.openRound = 0;
            emit RebalanceExpired(round);
            (, address[] memory targetTokens,) = _vault.targets();
            _vault.endRebalance(targetTokens); // units from balances; every redeemable token is kept
        } else if (action == UpkeepAction.Open) {
            Window memory w = _window;
            (uint64 round,) = _checkOpen(w);
            _open(w, round);
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
        return _limits;
    }

    /// @inheritdoc IRebalancer
    function maxDustUsd() external view returns (uint256) {
        return _maxDustUsd;
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
        return (w.completedRound, w.openRound, w.openedAt, w.lastOpenedRound);
    }

    /// @inheritdoc IRebalancer
    function isAllowed(address token) external view returns (bool) {
        uint64 open = _window.openRound;
        return open != 0 && _mark[token] >> 2 == open;
    }

    /// @inheritdoc IRebalancer
    function direction(address token) external view returns (Direction) {
        uint64 open = _window.openRound;
        uint256 mark = _mark[token];
        return open != 0 && mark >> 2 == open ? Direction(mark & 3) : Direction.None;
    }

    /// @inheritdoc IRebalancer
    function openDirections() public view returns (address[] memory tokens, Direction[] memory directions) {
        uint256[] memory targetsOf;
        (tokens, targetsOf) = _closeCandidates();
        (uint256[] memory values, uint256 nav) = _values(tokens);
        directions = new Direction[](tokens.length);
        for (uint256 i = 0; i < tokens.length; ++i) {
            // Exact: value {1e18 USD} * 1e18 against NAV {1e18 USD} * target {WAD}; no rounding either way.
            uint256 have = values[i] * WAD;
            uint256 want = nav * targetsOf[i];
            directions[i] = have > want ? Direction.Sell : have < want ? Direction.Buy : Direction.None;
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
        return _oracleMinOut(amountIn, pIn, 10 ** decIn, pOut, 10 ** decOut, _limits.maxSlippageBps);
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
        (values, nav) = _values(tokens);
        uint256 tolerance = uint256(_limits.toleranceBps) * (WAD / BPS); // {WAD}
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

    /// @dev Each token's vault balance at its feed price {1e18 USD}, rounded DOWN, and their sum.
    function _values(address[] memory tokens) private view returns (uint256[] memory values, uint256 nav) {
        values = new uint256[](tokens.length);
        address vaultAddress = address(_vault);
        for (uint256 i = 0; i < tokens.length; ++i) {
            (uint256 price, uint8 decimals) = _registry.priceAndDecimals(tokens[i]);
            // {1e18 USD} = floor({tok} * {1e18 USD / whole tok} / 10^dec)
            values[i] = Math.mulDiv(IERC20(tokens[i]).balanceOf(vaultAddress), price, 10 ** decimals);
            nav += values[i];
        }
    }

    function _execute(Trade[] calldata trades) private returns (uint256[] memory) {
        Trade[] memory copy = trades;
        return _executeMemory(copy);
    }

    /// @dev Checks every trade (reverting with a named error), records the pairs' trade time, then calls
    /// the vault once for the batch and emits one event per trade. CEI: all checks and this module's
    /// writes precede the vault call, whose own guard covers the adapter calls.
    function _executeMemory(Trade[] memory trades) private returns (uint256[] memory amountsOut) {
        // == Checks ==
        // The window slot read once (a second field read would be a second SLOAD): see `_OPEN_ROUND_SHIFT`.
        uint256 windowSlot;
        assembly ("memory-safe") {
            windowSlot := sload(_window.slot)
        }
        uint64 open = uint64(windowSlot >> _OPEN_ROUND_SHIFT);
        if (open == 0) revert RebalanceNotOpen();
        Limits memory lim = _limits;
        if (lim.maxWindow != 0) {
            // {unix s} openedAt + maxWindow: the same bound as automation's Expire.
            uint256 expiresAt;
            unchecked {
                expiresAt = uint256(uint64(windowSlot >> _OPENED_AT_SHIFT)) + lim.maxWindow; // < 2^65
            }
            if (block.timestamp >= expiresAt) revert RebalanceWindowExpired(open, expiresAt);
        }
        uint256 sellMark = (uint256(open) << 2) | uint256(Direction.Sell);
        for (uint256 i = 0; i < trades.length; ++i) {
            Trade memory t = trades[i];
            t.minAmountOut = _checkTrade(t, sellMark, lim); // the effective floor, in place
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

    /// @dev Every per-trade check (reverting with a named error); records the pair's trade time.
    /// `sellMark` = open << 2 | Sell; the buy mark is sellMark ^ _SELL_TO_BUY (open << 2 | Buy).
    /// @return floorOut {tok of tokenOut} max(keeper's minAmountOut, oracleMinOut).
    function _checkTrade(Trade memory t, uint256 sellMark, Limits memory lim) private returns (uint256 floorOut) {
        if (!_adapters[t.adapter]) revert AdapterNotAllowed(t.adapter);
        uint256 mark = _mark[t.tokenIn];
        if (mark != sellMark) _sideError(t.tokenIn, mark, sellMark);
        mark = _mark[t.tokenOut];
        if (mark != sellMark ^ _SELL_TO_BUY) _sideError(t.tokenOut, mark, sellMark);
        floorOut = _priceChecks(t, lim);
        (address lo, address hi) = t.tokenIn < t.tokenOut ? (t.tokenIn, t.tokenOut) : (t.tokenOut, t.tokenIn);
        uint256 last = _lastTrade[lo][hi]; // {unix s}, a block.timestamp written below
        if (last != 0) {
            uint256 until;
            unchecked {
                until = last + lim.cooldown; // a timestamp plus a uint32: no overflow
            }
            if (block.timestamp < until) revert PairInCooldown(lo, hi, until);
        }
        // == Effects ==
        _lastTrade[lo][hi] = block.timestamp;
    }

    /// @dev Reverts for a token whose `mark` is not the side wanted: TokenNotAllowed when it is not in the
    /// open window at all, else WrongDirection with its side.
    function _sideError(address token, uint256 mark, uint256 sellMark) private pure {
        if (mark >> 2 != sellMark >> 2) revert TokenNotAllowed(token);
        revert WrongDirection(token, Direction(mark & 3));
    }

    /// @dev The USD cap and the oracle floor, from one price read per token.
    function _priceChecks(Trade memory t, Limits memory lim) private view returns (uint256 floorOut) {
        (uint256 pIn, uint8 decIn) = _registry.priceAndDecimals(t.tokenIn);
        (uint256 pOut, uint8 decOut) = _registry.priceAndDecimals(t.tokenOut);
        // {1e18 USD} = floor({tok} * {1e18 USD / whole tok} / 10^decIn)
        uint256 scaleIn = 10 ** decIn; // computed once for the cap and the floor
        uint256 usd = Math.mulDiv(t.amountIn, pIn, scaleIn);
        if (usd > lim.maxTradeUsd) revert TradeAboveCap(usd, lim.maxTradeUsd);
        floorOut = _oracleMinOut(t.amountIn, pIn, scaleIn, pOut, 10 ** decOut, lim.maxSlippageBps);
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
        emit RebalanceClosed(round, nav);
        // == Interactions == (final basket: targets, then any other redeemable token; units from balances, DOWN)
        _vault.endRebalance(targetTokens);
    }

    /// @dev The vault's targets round and tokens, after checking it may be opened: not paused, newer
    /// than the last completed round.
    function _checkOpen(Window memory w) private view returns (uint64 round, address[] memory tokens) {
        if (_vault.paused()) revert IIndexVault.RebalancePaused();
        (round, tokens,) = _vault.targets();
        if (round <= w.completedRound) revert NoNewTargets(round, w.completedRound);
    }

    /// @dev Opens `round`: snapshots the allowed tokens (targets and held basket) with their sides at the
    /// registry's prices now (`openDirections`), then has the vault write the union record and derive units
    /// from balances until close.
    function _open(Window memory w, uint64 round) private {
        (, address[] memory targetTokens,) = _vault.targets();
        (address[] memory tokens, Direction[] memory sides) = openDirections();
        for (uint256 i = 0; i < tokens.length; ++i) {
            _mark[tokens[i]] = (uint256(round) << 2) | uint256(sides[i]);
        }
        w.openRound = round;
        w.openedAt = uint64(block.timestamp);
        w.lastOpenedRound = round;
        _window = w;
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
            uint256 maxWindow = _limits.maxWindow;
            if (maxWindow != 0 && block.timestamp >= w.openedAt + maxWindow) return UpkeepAction.Expire;
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
        uint256 interval = _limits.feeAccrualInterval;
        if (interval != 0 && block.timestamp >= _lastFeeUpkeep + interval) return UpkeepAction.AccrueFees;
        return UpkeepAction.None;
    }

    function _setLimits(Limits memory lim) private {
        if (lim.maxSlippageBps > MAX_SLIPPAGE_BPS) revert SlippageAboveCap(lim.maxSlippageBps, MAX_SLIPPAGE_BPS);
        if (lim.toleranceBps > BPS) revert InvalidLimit("toleranceBps");
        if (lim.maxTradeUsd == 0) revert InvalidLimit("maxTradeUsd");
        _limits = lim;
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
