// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockCheck} from "./governance/TimelockCheck.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IIndexVault} from "./interfaces/IIndexVault.sol";
import {ITradeAdapter} from "./interfaces/ITradeAdapter.sol";
import {IPriceRegistry} from "./interfaces/IPriceRegistry.sol";
import {BasketStore} from "./libraries/BasketStore.sol";
import {WeightsLib} from "./libraries/WeightsLib.sol";
import {SeedLib} from "./libraries/SeedLib.sol";

/// @title IndexVault
/// @notice In-kind index token: see `IIndexVault` for units, the collateral invariant, fees and roles.
/// @dev Gas layout. Besides the ERC-20 supply and balances, mint and redeem touch ONE slot of this
/// contract, `_hot` (read, and written when fees accrue): unit scale, last accrual, per-second fee rate,
/// mode (pause and rebalancing bits), basket version and pending fee shares. The basket itself (tokens, stored units) is the
/// code of a data contract at a CREATE3 address derived from the version, read with one EXTCODECOPY
/// (`BasketStore`) instead of one cold SLOAD per constituent. Fee accrual writes that one slot, never N:
/// effective units are storedUnits * scale / 1e18.
///
/// Rebalancing (issue 3) writes the basket twice per window, not once per trade: `beginRebalance` writes
/// the union of the held basket and the targets and sets the REBALANCING bit; while it is set every read of
/// the basket (mint, redeem, previews, NAV) derives the units from balances (`_basketOf`), so
/// `executeTrades` only trades; `endRebalance` writes the final basket from balances, rounded down, and
/// clears the bit. The bit lives in the hot slot that mint and redeem load anyway, so outside a window the
/// hot path pays one AND. The trading module (`Rebalancer`) holds REBALANCER_ROLE; the keeper holds the
/// Rebalancer's own KEEPER_ROLE. SANX (issue 4) reuses this vault, with its controller holding ORACLE_ROLE.
///
/// Exits (issue 8): no constituent can freeze a redemption (`redeemSkipping`, `retireConstituent`), redeem
/// checks after every transfer that the vault still backs the remaining shares, amounts that round to zero
/// are not moved, and every view of basket, supply or value reverts mid-call. Size: compiled with 200
/// optimizer runs (see hardhat.config.ts) to stay 1.5 KiB under EIP-170; the hot loops are assembly.
contract IndexVault is IIndexVault, ERC20Permit, AccessControl, ReentrancyGuardTransient {
    /// @notice Deployment parameters.
    struct Config {
        string name;
        string symbol;
        address admin; // DEFAULT_ADMIN_ROLE: a timelock or multisig
        address priceRegistry; // IPriceRegistry
        uint256 initialNavPerShare; // {1e18 USD} per 1e18 shares, for an empty vault
        uint256 maxFeeRate; // {WAD/year}, immutable cap, <= MAX_FEE_RATE_LIMIT
        uint256 feeRate; // {WAD/year}, <= maxFeeRate
        address feeRecipient;
    }

    /// @dev The hot slot: 64 + 32 + 40 + 8 + 24 + 88 = 256 bits.
    struct Hot {
        uint64 scale; // {WAD}: effective units = stored units * scale / 1e18; <= 1e18
        uint32 lastAccrual; // {unix s}; uint32 lasts until 2106
        uint40 feePerSecond; // {WAD/s} = floor(annual rate / YEAR); <= 0.5e18 / YEAR < 2^34
        uint8 mode; // bit 0 PAUSED (guardian: stops mint and trading, never redeem), bit 1 REBALANCING
        uint24 basketVersion; // BasketStore record of the held basket; 0 = none yet
        uint88 pendingFees; // {shares} accrued to the fee recipient, not yet minted
    }

    // == Constants ==
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice The Rebalancer module: `beginRebalance`, `executeTrades`, `endRebalance`.
    bytes32 public constant REBALANCER_ROLE = keccak256("REBALANCER_ROLE");
    uint256 private constant WAD = 1e18;
    uint256 private constant YEAR = 365 days;
    /// @notice No deployment may allow more than 50% a year.
    uint256 public constant MAX_FEE_RATE_LIMIT = 0.5e18;
    /// @dev One accrual takes at most half the units: with rate <= 50%/year this binds only after a year
    /// without any mint, redeem or accrual, and then under-charges rather than zeroing units.
    uint256 private constant MAX_ACCRUAL_FRACTION = 0.5e18;
    /// @dev Largest stored unit {tok base units per 1e18 shares}: 2^192 (6e57), so stored * scale < 2^252.
    uint256 private constant MAX_UNIT = 2 ** 192;
    /// @dev `Hot.mode` bits.
    uint8 private constant PAUSED = 1;
    uint8 private constant REBALANCING = 2;
    /// @dev `_amounts`'s `rest` for a mint (round up, no backing to report); a redeem's rest is below it.
    uint256 private constant MINT = type(uint256).max;
    /// @dev {1e18 USD} In a window, a mint pays at most its bound of a token whose whole holding is worth less
    /// than this (R-4; the Rebalancer's default dust bound, DEFAULT_MAX_DUST_USD): see `IIndexVault.mint`.
    uint256 private constant WINDOW_DUST_USD = 10e18;

    // == Immutables ==
    IPriceRegistry private immutable _registry;
    uint256 private immutable _initialNavPerShare; // {1e18 USD} per 1e18 shares
    uint256 private immutable _maxFeeRate; // {WAD/year}

    // == Storage ==
    Hot private _hot;
    uint256 private _feeRate; // {WAD/year} as set; the hot slot applies floor(_feeRate / YEAR) per second
    address private _feeRecipient;
    uint64 private _targetRound;
    address[] private _targetTokens;
    uint256[] private _targetWeights; // {WAD}, sum 1e18

    // == Constructor ==
    constructor(Config memory c) ERC20(c.name, c.symbol) ERC20Permit(c.name) {
        if (c.admin == address(0)) revert InvalidConfig("admin");
        if (c.priceRegistry == address(0)) revert InvalidConfig("priceRegistry");
        // Bounds keep the empty-vault unit math (w * nav * 10^dec) far from overflow.
        if (c.initialNavPerShare == 0 || c.initialNavPerShare > 1e36) revert InvalidConfig("initialNavPerShare");
        if (c.maxFeeRate > MAX_FEE_RATE_LIMIT) revert InvalidConfig("maxFeeRate");
        if (c.feeRate > c.maxFeeRate) revert FeeRateAboveMax(c.feeRate, c.maxFeeRate);
        if (c.feeRecipient == address(0)) revert ZeroFeeRecipient();
        _registry = IPriceRegistry(c.priceRegistry);
        _initialNavPerShare = c.initialNavPerShare;
        _maxFeeRate = c.maxFeeRate;
        _feeRecipient = c.feeRecipient;
        _feeRate = c.feeRate;
        // feeRate / YEAR <= 0.5e18 / YEAR < 2^40 and block.timestamp < 2^32 until 2106.
        _hot = Hot({
            scale: uint64(WAD),
            lastAccrual: uint32(block.timestamp),
            feePerSecond: uint40(c.feeRate / YEAR),
            mode: 0,
            basketVersion: 0,
            pendingFees: 0
        });
        TimelockCheck.requireTimelock(c.admin);
        _grantRole(DEFAULT_ADMIN_ROLE, c.admin);
    }

    // == External: users ==
    /// @inheritdoc IIndexVault
    function mint(uint256 shares, address receiver, uint256[] calldata maxAmountsIn) external nonReentrant {
        // == Checks & Effects ==
        if (shares == 0) revert ZeroShares();
        if (receiver == address(0)) revert ZeroReceiver();
        Hot memory h = _hot;
        if (h.mode & PAUSED != 0) revert MintPaused();
        uint256 supply = totalSupply();
        if (supply + h.pendingFees == 0) {
            // Empty vault: units follow the latest targets at today's prices.
            _sync(h, supply);
            (address[] memory seedTokens, uint256[] memory seedUnits) = _seedBasket();
            _setBasket(seedTokens, seedUnits, h);
            _hot = h;
        } else {
            _sync(h, supply);
        }

        // amountsIn holds q (stored units, or balances in a window) until `_amounts` overwrites them.
        (address[] memory tokens, uint256[] memory amountsIn, uint256 m, uint256 d) = _basketOf(h, 0);
        uint256 n = tokens.length;
        if (maxAmountsIn.length != n) revert AmountsLengthMismatch(maxAmountsIn.length, n);
        // {tok} = ceil({shares} * q * m / (d * 1e18)): inbound rounds up; each <= max.
        _amounts(tokens, amountsIn, shares, m, d * WAD, maxAmountsIn, MINT);
        _mint(receiver, shares); // the share Transfer event (from 0) is the mint's record

        // == Interactions ==
        // Shares are minted before the constituents arrive; the reentrancy guard makes that safe, and the
        // balance-delta check in `_pullAll` reverts the whole mint if any token delivers short.
        _pullAll(tokens, amountsIn);
    }

    /// @inheritdoc IIndexVault
    function redeem(uint256 shares, address receiver, uint256[] calldata minAmountsOut) external nonReentrant {
        _redeem(shares, receiver, minAmountsOut, new address[](0));
    }

    /// @inheritdoc IIndexVault
    function redeemSkipping(uint256 shares, address receiver, uint256[] calldata minAmountsOut, address[] calldata skip)
        external
        nonReentrant
    {
        _redeem(shares, receiver, minAmountsOut, skip);
    }

    /// @dev `redeem` and `redeemSkipping`: amounts floor(shares * q * m / (d * 1e18)) (zero where that rounds
    /// to zero), checked against the bounds, with the backing the remaining shares need of each token,
    /// ceil((S - shares) * q * m / (d * 1e18)); then those of `skip` set aside (they stay in the vault,
    /// recorded by `RedeemSkipped`), the shares burnt, and every non-zero amount sent, the vault's balance
    /// after each transfer checked against that backing (METHODOLOGY section 7's invariant).
    function _redeem(uint256 shares, address receiver, uint256[] calldata minAmountsOut, address[] memory skip) private {
        // == Checks & Effects ==
        if (shares == 0) revert ZeroShares();
        if (receiver == address(0)) revert ZeroReceiver();
        Hot memory h = _hot;
        _sync(h, totalSupply());
        // No basket means no shares were ever minted: the caller holds none.
        if (h.basketVersion == 0) revert ERC20InsufficientBalance(msg.sender, 0, shares);

        (address[] memory tokens, uint256[] memory amountsOut, uint256[] memory required) =
            _redeemAmounts(h, shares, minAmountsOut);
        if (skip.length != 0) {
            // {tok} forgone per skipped token: its share stays in the vault for the remaining holders.
            uint256[] memory forgone = new uint256[](skip.length);
            uint256 kept;
            for (uint256 i = 0; i < tokens.length; ++i) {
                uint256 k = 0;
                while (k < skip.length && skip[k] != tokens[i]) ++k;
                if (k < skip.length) {
                    forgone[k] = amountsOut[i];
                    continue;
                }
                tokens[kept] = tokens[i];
                required[kept] = required[i];
                amountsOut[kept++] = amountsOut[i];
            }
            assembly ("memory-safe") {
                mstore(tokens, kept)
                mstore(amountsOut, kept)
                mstore(required, kept)
            }
            emit RedeemSkipped(msg.sender, receiver, shares, skip, forgone);
        }
        _burn(msg.sender, shares); // the share Transfer event (to 0) is the redemption's record

        // == Interactions ==
        _pushAll(tokens, receiver, amountsOut, required);
    }

    /// @dev The basket (after `_sync(h)`) and, per token, the amount {tok} = floor({shares} * q * m / (d * 1e18))
    /// (outbound rounds down; each >= min; zeros left out, see `_amounts`) and `required` {tok}, what the
    /// effective supply left after the burn needs of it, rounded up.
    function _redeemAmounts(Hot memory h, uint256 shares, uint256[] calldata minAmountsOut)
        private
        view
        returns (address[] memory tokens, uint256[] memory amountsOut, uint256[] memory required)
    {
        // {shares} effective supply after the burn. Saturating: more shares than the supply are more than
        // the caller holds, and the burn reverts with ERC20InsufficientBalance.
        uint256 rest = totalSupply() + h.pendingFees;
        rest = rest > shares ? rest - shares : 0;
        // amountsOut holds q (stored units, or balances in a window) until `_amounts` overwrites them.
        uint256 m;
        uint256 d;
        (tokens, amountsOut, m, d) = _basketOf(h, 0);
        if (minAmountsOut.length != tokens.length) revert AmountsLengthMismatch(minAmountsOut.length, tokens.length);
        required = _amounts(tokens, amountsOut, shares, m, d * WAD, minAmountsOut, rest);
    }

    /// @inheritdoc IIndexVault
    function accrueFees() external {
        _sync(_hot, totalSupply());
    }

    /// @inheritdoc IIndexVault
    function claimFees() external returns (uint256 shares) {
        Hot memory h = _hot;
        _sync(h, totalSupply());
        shares = _payPendingFees(h);
        _hot = h;
    }

    // == External: roles ==
    /// @inheritdoc IIndexVault
    function setTargets(uint64 round, address[] calldata tokens, uint256[] calldata weights)
        external
        onlyRole(ORACLE_ROLE)
    {
        // Rounds advance by exactly one, so no report can exhaust the round space (issue 13).
        uint64 next = _targetRound + 1; // checked: 2^64 - 1 rounds is unreachable one report at a time
        if (round != next) revert TargetRoundNotNext(round, next);
        WeightsLib.check(tokens, weights, _registry);
        for (uint256 i = 0; i < tokens.length; ++i) {
            if (tokens[i] == address(this)) revert SelfAsConstituent();
        }
        _targetRound = round;
        _targetTokens = tokens;
        _targetWeights = weights;
        emit TargetsUpdated(round, tokens, weights);
    }

    /// @inheritdoc IIndexVault
    function setFeeRate(uint256 rate) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (rate > _maxFeeRate) revert FeeRateAboveMax(rate, _maxFeeRate);
        Hot memory h = _hot;
        _sync(h, totalSupply());
        // Stamp now even when _accrue skipped (rate was 0): the new rate applies from now on only.
        h.lastAccrual = uint32(block.timestamp);
        // Per second, rounded down (holders' favour): the applied annual rate is at most YEAR - 1 wei
        // (3.2e-11) below `rate`. rate <= 0.5e18, so rate / YEAR < 2^40.
        h.feePerSecond = uint40(rate / YEAR);
        _hot = h;
        _feeRate = rate;
        emit FeeRateUpdated(rate);
    }

    /// @inheritdoc IIndexVault
    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroFeeRecipient();
        Hot memory h = _hot;
        _sync(h, totalSupply());
        _payPendingFees(h); // fees earned so far belong to the old recipient
        _hot = h;
        _feeRecipient = recipient;
        emit FeeRecipientUpdated(recipient);
    }

    /// @inheritdoc IIndexVault
    function pause() external onlyRole(GUARDIAN_ROLE) {
        uint8 mode = _hot.mode;
        if (mode & PAUSED != 0) revert PauseStateUnchanged(true);
        _hot.mode = mode | PAUSED;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IIndexVault
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint8 mode = _hot.mode;
        if (mode & PAUSED == 0) revert PauseStateUnchanged(false);
        _hot.mode = mode & REBALANCING;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IIndexVault
    function retireConstituent(address token) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        Hot memory h = _hot;
        _sync(h, totalSupply());
        if (h.basketVersion == 0) revert NotAConstituent(token);
        (address[] memory tokens, uint256[] memory units) = BasketStore.read(h.basketVersion);
        uint256 n = tokens.length;
        uint256 k = 0;
        while (k < n && tokens[k] != token) ++k;
        if (k == n) revert NotAConstituent(token);
        if (n == 1) revert EmptyBasket();
        // Only a token that fails a transfer now (reverts, returns false, or moves the vault's balance on a
        // 1-unit transfer to itself: paused, blacklisted, broken, or charging the sender) may be retired.
        if (_transfersWork(token)) revert ConstituentTransfersWork(token);
        // == Effects == (the record without `token`, order kept; stored units and scale unchanged)
        for (uint256 i = k + 1; i < n; ++i) {
            tokens[i - 1] = tokens[i];
            units[i - 1] = units[i];
        }
        assembly ("memory-safe") {
            mstore(tokens, sub(n, 1))
            mstore(units, sub(n, 1))
        }
        uint64 scale = h.scale;
        _setBasket(tokens, units, h);
        h.scale = scale;
        _hot = h;
        emit ConstituentRetired(token);
    }

    /// @inheritdoc IIndexVault
    function beginRebalance(address[] calldata tokens) external onlyRole(REBALANCER_ROLE) nonReentrant {
        _rewrite(tokens, REBALANCING);
    }

    /// @inheritdoc IIndexVault
    function executeTrades(TradeCall[] calldata trades)
        external
        onlyRole(REBALANCER_ROLE)
        nonReentrant
        returns (uint256[] memory amountsOut)
    {
        uint8 mode = _hot.mode;
        if (mode != REBALANCING) {
            if (mode & PAUSED != 0) revert RebalancePaused();
            revert NotRebalancing();
        }
        // == Interactions == (the guard keeps mint and redeem out while balances move; no unit is stored
        // in a window, so nothing is written after the trades)
        amountsOut = new uint256[](trades.length);
        for (uint256 i = 0; i < trades.length; ++i) {
            TradeCall calldata t = trades[i];
            uint256 inBefore = _balanceOfSelf(t.tokenIn);
            uint256 outBefore = _balanceOfSelf(t.tokenOut);
            _approveToken(t.tokenIn, t.adapter, t.amountIn);
            ITradeAdapter(t.adapter).swap(
                t.tokenIn, t.tokenOut, t.amountIn, t.minAmountOut, t.routeData, address(this)
            );
            uint256 inAfter = _balanceOfSelf(t.tokenIn);
            uint256 outAfter = _balanceOfSelf(t.tokenOut);
            // Deltas measured, not the adapter's word. A balance that rose reads as spent = 0.
            uint256 spent = inBefore > inAfter ? inBefore - inAfter : 0;
            if (spent != t.amountIn) revert TradeInputMismatch(t.tokenIn, spent, t.amountIn);
            uint256 received = outAfter > outBefore ? outAfter - outBefore : 0;
            if (received < t.minAmountOut) revert TradeOutputBelowMin(t.tokenOut, received, t.minAmountOut);
            amountsOut[i] = received;
        }
    }

    /// @inheritdoc IIndexVault
    function endRebalance(address[] calldata finalTokens) external onlyRole(REBALANCER_ROLE) nonReentrant {
        if (_hot.mode & REBALANCING == 0) revert NotRebalancing();
        _rewrite(finalTokens, 0);
    }

    // == External: views ==
    /// @inheritdoc IIndexVault
    function basket() external view nonReentrantView returns (address[] memory tokens, uint256[] memory units) {
        (tokens, units,,) = _flooredBasket();
    }

    /// @inheritdoc IIndexVault
    function rawBasket() external view nonReentrantView returns (address[] memory tokens, uint256[] memory storedUnits, uint256 scale) {
        uint256 d;
        (tokens, storedUnits, scale, d) = _viewBasket();
        // In a window the exact unit q * 1e18 / S has no (stored, scale) form: report it rounded down.
        if (d != WAD) (tokens, storedUnits, scale,) = _flooredBasket();
    }

    /// @inheritdoc IIndexVault
    function rebalancing() external view returns (bool) {
        return _hot.mode & REBALANCING != 0;
    }

    /// @inheritdoc IIndexVault
    function targets() external view returns (uint64 round, address[] memory tokens, uint256[] memory weights) {
        return (_targetRound, _targetTokens, _targetWeights);
    }

    /// @inheritdoc IIndexVault
    function previewMint(uint256 shares) external view nonReentrantView returns (address[] memory tokens, uint256[] memory amounts) {
        return _preview(shares, Math.Rounding.Ceil); // inbound rounds up
    }

    /// @inheritdoc IIndexVault
    function previewRedeem(uint256 shares) external view nonReentrantView returns (address[] memory tokens, uint256[] memory amounts) {
        return _preview(shares, Math.Rounding.Floor); // outbound rounds down
    }

    /// @inheritdoc IIndexVault
    function nav() external view nonReentrantView returns (uint256 value) {
        uint256 version = _hot.basketVersion;
        if (version == 0) return 0;
        (address[] memory tokens,) = BasketStore.read(version);
        for (uint256 i = 0; i < tokens.length; ++i) {
            value += _value(tokens[i], _balanceOfSelf(tokens[i]), 1); // {1e18 USD}
        }
    }

    /// @inheritdoc IIndexVault
    function navPerShare() external view nonReentrantView returns (uint256 value) {
        if (_viewEffectiveSupply() == 0) return _initialNavPerShare;
        (address[] memory tokens, uint256[] memory q, uint256 m, uint256 d) = _viewBasket();
        for (uint256 i = 0; i < tokens.length; ++i) {
            // {1e18 USD / 1e18 shares} = floor(unit * {1e18 USD/whole tok} / 10^decimals), unit = q * m / d
            value += _value(tokens[i], q[i] * m, d);
        }
    }

    /// @inheritdoc IIndexVault
    function feeState()
        external
        view
        nonReentrantView
        returns (
            uint256 rate,
            uint256 maxRate,
            address recipient,
            uint256 pendingFeeShares,
            uint256 lastAccrual,
            uint256 scale
        )
    {
        Hot memory h = _hot;
        (, uint256 overflow) = _accrue(h, totalSupply());
        return (_feeRate, _maxFeeRate, _feeRecipient, h.pendingFees + overflow, h.lastAccrual, h.scale);
    }

    /// @inheritdoc IIndexVault
    function effectiveSupply() external view nonReentrantView returns (uint256) {
        return _viewEffectiveSupply();
    }

    /// @inheritdoc IIndexVault
    function paused() external view returns (bool) {
        return _hot.mode & PAUSED != 0;
    }

    /// @inheritdoc IIndexVault
    function priceRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IIndexVault
    function initialNavPerShare() external view returns (uint256) {
        return _initialNavPerShare;
    }

    // == Internal ==
    /// @dev Brings `h` up to now in memory; returns whether it changed (the caller stores it) and, in the
    /// never-expected case that pending fee shares outgrow their 88 bits (3e8 whole shares), how many
    /// must be minted to the recipient at once instead (`_sync` does it; views count them as pending).
    /// Over `elapsed` seconds the fee fraction is f = feePerSecond * elapsed {WAD}, feePerSecond being
    /// floor(annual rate / YEAR) (rounded down: never over-charges). Units shrink by (1 - f): scale' = floor(scale * (1e18 - f) / 1e18),
    /// and the recipient is owed floor(S * f / (1e18 - f)) shares, S = totalSupply + pending. Then
    ///   (S + floor(S f / (1 - f))) * floor(scale (1 - f)) <= S / (1 - f) * scale (1 - f) = S * scale,
    /// so the backing every share needs never grows: the collateral invariant survives accrual.
    /// With a zero rate nothing is stamped (setFeeRate stamps before a rate applies); with no shares
    /// outstanding only the timestamp moves, so the first minters are not charged for the empty time.
    function _accrue(Hot memory h, uint256 supply) internal view returns (bool changed, uint256 overflow) {
        uint256 last = h.lastAccrual;
        uint256 rate = h.feePerSecond; // {WAD/s}
        if (block.timestamp == last || rate == 0) return (false, 0);
        uint256 effSupply = supply + h.pendingFees; // {shares}; checked
        h.lastAccrual = uint32(block.timestamp); // < 2^32 until 2106
        if (effSupply == 0) return (true, 0);
        uint256 feeShares; // {shares}
        unchecked {
            // lastAccrual is only ever set to a past block's timestamp: no underflow. rate < 2^40 and
            // elapsed < 2^64, so the product cannot overflow.
            uint256 f = rate * (block.timestamp - last); // {WAD} = {WAD/s} * {s}
            if (f > MAX_ACCRUAL_FRACTION) f = MAX_ACCRUAL_FRACTION;
            // WAD - f >= 0.5e18 > 0. S * f fits when S < 2^192 (f < 2^59); else the 512-bit path.
            feeShares = effSupply < 2 ** 192
                ? (effSupply * f) / (WAD - f)
                : Math.mulDiv(effSupply, f, WAD - f, Math.Rounding.Floor); // {shares}, floor
            // scale <= 1e18 and WAD - f <= 1e18: the product < 2^120; the result <= scale fits 64 bits.
            h.scale = uint64((uint256(h.scale) * (WAD - f)) / WAD); // {WAD}, floor
        }
        uint256 pending = h.pendingFees + feeShares; // checked (both <= S)
        if (pending > type(uint88).max) {
            h.pendingFees = 0;
            return (true, pending);
        }
        h.pendingFees = uint88(pending);
        return (true, 0);
    }

    /// @dev `_accrue`, then stores `h` if it changed, minting any overflowed fee shares.
    function _sync(Hot memory h, uint256 supply) private {
        (bool changed, uint256 overflow) = _accrue(h, supply);
        if (overflow != 0) {
            address recipient = _feeRecipient;
            _mint(recipient, overflow);
            emit FeesClaimed(recipient, overflow);
        }
        if (changed) _storeHot(h);
    }

    /// @dev Writes `h` to its slot with one SSTORE and no prior SLOAD (the compiler's struct store reads
    /// the slot first). Bit layout = Solidity's packing of `Hot`, low bits first: scale [0,64),
    /// lastAccrual [64,96), feePerSecond [96,136), mode [136,144), basketVersion [144,168),
    /// pendingFees [168,256); every other write goes through the compiler, and the views that decode
    /// the slot through the compiler are what the tests read, so a mismatch would fail them.
    function _storeHot(Hot memory h) private {
        uint256 word = uint256(h.scale) | (uint256(h.lastAccrual) << 64) | (uint256(h.feePerSecond) << 96)
            | (uint256(h.mode) << 136) | (uint256(h.basketVersion) << 144) | (uint256(h.pendingFees) << 168);
        assembly ("memory-safe") {
            sstore(_hot.slot, word)
        }
    }

    /// @dev Mints `h.pendingFees` to the recipient and zeroes them in `h` (the caller stores `h`).
    function _payPendingFees(Hot memory h) private returns (uint256 shares) {
        shares = h.pendingFees;
        if (shares == 0) return 0;
        h.pendingFees = 0;
        address recipient = _feeRecipient;
        _mint(recipient, shares);
        emit FeesClaimed(recipient, shares);
    }

    /// @dev Replaces the held basket by `tokens` with effective `units` ({tok} per 1e18 shares) and resets
    /// the scale to 1e18 (so stored units = effective units). Used by the empty-vault seed at first mint and
    /// by `beginRebalance`/`endRebalance` (units from balances over the EFFECTIVE supply, rounded down:
    /// floor(balance_i * 1e18 / (totalSupply + h.pendingFees)), which keeps the invariant). Accrue into `h`
    /// first (`_sync`); the caller stores `h`. Each call deploys a record (two contract creations plus 200
    /// gas per code byte, 64 bytes per constituent): twice per rebalance window, never per trade.
    function _setBasket(address[] memory tokens, uint256[] memory units, Hot memory h) internal {
        // 2^24 - 1 versions: a monthly rebalance with dozens of unit updates each lasts millennia.
        uint24 version = h.basketVersion + 1; // checked: reverts rather than reuse a CREATE3 salt
        for (uint256 i = 0; i < units.length; ++i) {
            // Bound stored units so `stored * scale` (scale <= 1e18 < 2^60) can never overflow in mint.
            if (units[i] > MAX_UNIT) revert UnitTooLarge(tokens[i], units[i]);
        }
        BasketStore.write(version, tokens, units);
        h.basketVersion = version;
        h.scale = uint64(WAD);
        emit BasketUpdated(tokens, units);
    }

    /// @dev Empty-vault units from the latest targets: q_i = floor(w_i * NAV0 * 10^dec_i / (1e18 * p_i))
    /// {tok/1e18 shares}, with w_i {WAD}, NAV0 = initialNavPerShare {1e18 USD/1e18 shares} and
    /// p_i {1e18 USD/whole tok}. Rounded down as METHODOLOGY section 3 says ("q_i ... rounded down");
    /// this cannot under-collateralise the vault, because mint pulls ceil(shares * q_i / 1e18) of each.
    /// A unit that rounds to zero reverts (section 7). Reverts on a stale or unsafe feed.
    function _seedBasket() private view returns (address[] memory tokens, uint256[] memory units) {
        if (_targetRound == 0) revert NoTargets();
        tokens = _targetTokens;
        units = SeedLib.units(_registry, tokens, _targetWeights, _initialNavPerShare);
    }

    /// @dev The basket now, after `_sync(h)`, as (tokens, q, m, d): the exact unit of token i is
    /// q_i * m / d {tok per 1e18 shares}. Outside a window: the record's stored units, m = scale, d = 1e18.
    /// In a window (REBALANCING, effective supply S > 0): q_i = balance_i, m = 1e18, d = S, so mint pulls
    /// ceil(shares * balance_i / S) and redeem pays floor(shares * balance_i / S), each holder's exact
    /// pro-rata share; a record token with floor(balance_i * 1e18 / S) = 0 (not held yet, sold out, or a
    /// donated speck) keeps its place with q_i = 0, so the list's length and order are the record's for the
    /// whole window. `extra` {shares}: fee shares beyond 88 bits that a view counts as pending (0 in a call).
    function _basketOf(Hot memory h, uint256 extra)
        private
        view
        returns (address[] memory tokens, uint256[] memory q, uint256 m, uint256 d)
    {
        (tokens, q) = BasketStore.read(h.basketVersion);
        if (h.mode & REBALANCING != 0) {
            uint256 supply = totalSupply() + h.pendingFees + extra; // {shares} effective supply
            if (supply != 0) {
                for (uint256 i = 0; i < tokens.length; ++i) {
                    uint256 bal = _balanceOfSelf(tokens[i]); // {tok}
                    // floor(bal * 1e18 / S) = 0 counts as 0 (a donated speck is not part of the basket);
                    // checked: bal * 1e18 overflowing reverts, so `_amounts` may multiply q by 1e18.
                    q[i] = bal * WAD < supply ? 0 : bal;
                }
                return (tokens, q, WAD, supply);
            }
        }
        return (tokens, q, h.scale, WAD);
    }

    /// @dev `_basketOf` for views: fees accrued to now in memory; empty before the first mint.
    function _viewBasket() private view returns (address[] memory tokens, uint256[] memory q, uint256 m, uint256 d) {
        Hot memory h = _hot;
        if (h.basketVersion == 0) return (tokens, q, WAD, WAD);
        (, uint256 overflow) = _accrue(h, totalSupply());
        return _basketOf(h, overflow);
    }

    /// @dev {tok} = {shares} * q * m / (d * 1e18), rounded as asked, per `_viewBasket` entry (the seed basket
    /// when rounding up on an empty vault: what the first mint would pull).
    function _preview(uint256 shares, Math.Rounding rounding)
        private
        view
        returns (address[] memory tokens, uint256[] memory amounts)
    {
        uint256 m = WAD;
        uint256 d = WAD;
        if (rounding == Math.Rounding.Ceil && _viewEffectiveSupply() == 0) (tokens, amounts) = _seedBasket();
        else (tokens, amounts, m, d) = _viewBasket();
        for (uint256 i = 0; i < amounts.length; ++i) {
            amounts[i] = Math.mulDiv(shares, amounts[i] * m, d * WAD, rounding);
        }
    }

    /// @dev `beginRebalance` (`rebalancing` = REBALANCING) and `endRebalance` (0) in one body: accrue, then,
    /// unless the effective supply S is 0, write ONE record from balances, units floor(balance * 1e18 / S):
    /// at begin the held tokens then `tokens` (zero units kept: units follow balances until the end), at
    /// end exactly `tokens` (duplicates dropped), without zero units (`EmptyBasket` if none is left). Then
    /// set the mode's rebalancing bit as asked, the pause bit unchanged, and store the hot slot.
    function _rewrite(address[] calldata tokens, uint8 rebalancing) private {
        Hot memory h = _hot;
        _sync(h, totalSupply());
        uint256 supply = totalSupply() + h.pendingFees; // {shares} effective supply
        h.mode = (h.mode & PAUSED) | rebalancing;
        if (supply != 0) {
            // Begin: the held record, then the targets. End: exactly `tokens` (duplicates dropped); every
            // other token leaves the basket (the Rebalancer closes only when what leaves is dust).
            address[] memory held;
            if (rebalancing != 0) (held,) = BasketStore.read(h.basketVersion);
            address[] memory list = _union(held, tokens);
            uint256[] memory units = new uint256[](list.length);
            uint256 n;
            for (uint256 i = 0; i < list.length; ++i) {
                // {tok/1e18 shares} = floor({tok} * 1e18 / {shares}): balance >= ceil(S * unit / 1e18)
                uint256 unit = Math.mulDiv(_balanceOfSelf(list[i]), WAD, supply, Math.Rounding.Floor);
                if (unit == 0 && rebalancing == 0) continue; // not redeemable: leaves the final basket
                list[n] = list[i];
                units[n++] = unit;
            }
            if (n == 0) revert EmptyBasket();
            assembly ("memory-safe") {
                mstore(list, n)
                mstore(units, n)
            }
            _setBasket(list, units, h);
        }
        _hot = h;
    }

    /// @dev `_viewBasket` with each unit rounded down to an integer {tok per 1e18 shares} (scale 1e18).
    function _flooredBasket()
        private
        view
        returns (address[] memory tokens, uint256[] memory units, uint256 scale, uint256 d)
    {
        uint256 m;
        (tokens, units, m, d) = _viewBasket();
        for (uint256 i = 0; i < units.length; ++i) {
            units[i] = Math.mulDiv(units[i], m, d, Math.Rounding.Floor); // {tok/1e18 shares} = floor(q * m / d)
        }
        scale = WAD;
    }

    /// @dev `a` then every token of `b` not already listed (a set union, first occurrence kept).
    function _union(address[] memory a, address[] memory b) private pure returns (address[] memory u) {
        u = new address[](a.length + b.length);
        uint256 n;
        for (uint256 k = 0; k < a.length + b.length; ++k) {
            address t = k < a.length ? a[k] : b[k - a.length];
            bool seen;
            for (uint256 j = 0; j < n; ++j) {
                if (u[j] == t) seen = true;
            }
            if (!seen) u[n++] = t;
        }
        assembly ("memory-safe") {
            mstore(u, n)
        }
    }

    function _viewEffectiveSupply() private view returns (uint256) {
        Hot memory h = _hot;
        (, uint256 overflow) = _accrue(h, totalSupply());
        return totalSupply() + h.pendingFees + overflow;
    }

    /// @dev Overwrites `units` (q of `_basketOf`, basket order) with the amounts for `shares`:
    /// shares * q * scale / dd (dd = d * 1e18), rounded up for mint and down for redeem, and checks each
    /// is within its bound (mint: <= bounds[i]; redeem: >= bounds[i]). Mint passes `rest` = MINT (that is
    /// what selects rounding up) and gets no `required`; redeem passes the effective supply left after the
    /// burn and gets, beside each amount, the backing those `rest` shares need:
    /// required[i] = ceil(rest * q * scale / dd) {tok}, rounded up (the invariant's side). An amount of zero is allowed
    /// (mint: a record token not held in a window; redeem: dust that rounds down to zero, paid as nothing,
    /// so dust never blocks an exit) and is left out of `tokens`, `units` and `required` (shortened in
    /// place); only all amounts zero reverts (`ZeroAmounts`). The caller checked `bounds.length == units.length`.
    /// Fast path in assembly (this loop is most of mint's own gas). It stops at the first anomaly (a zero
    /// or out-of-bound amount, or a product above 256 bits); the Solidity loop then takes over from that
    /// entry and reverts with the named error or, for a mere 256-bit overflow, computes with Math.mulDiv.
    function _amounts(
        address[] memory tokens,
        uint256[] memory units,
        uint256 shares,
        uint256 scale,
        uint256 dd,
        uint256[] calldata bounds,
        uint256 rest
    ) private view returns (uint256[] memory required) {
        bool up = rest == MINT;
        if (!up) required = new uint256[](units.length);
        uint256 kept; // entries converted (the fast path's, each non-zero), then the non-zero amounts so far
        assembly ("memory-safe") {
            let n := mload(units)
            let a := add(units, 0x20)
            let b := bounds.offset
            // Two copies of the loop, so the rounding and bound direction are not re-tested per entry.
            switch up
            case 1 {
                for {} lt(kept, n) {
                    kept := add(kept, 1)
                    a := add(a, 0x20)
                    b := add(b, 0x20)
                } {
                    // u = q * scale: stored <= MAX_UNIT = 2^192 (enforced in _setBasket) times scale <= 1e18
                    // < 2^60, or a balance times 1e18 (checked in _basketOf: bal * 1e18 did not overflow).
                    let u := mul(mload(a), scale)
                    let p := mul(shares, u)
                    // Exact iff p / u == shares (shares > 0; u == 0 gives 0 != shares and stops too).
                    if iszero(eq(div(p, u), shares)) { break }
                    let q := div(p, dd)
                    let amount := add(q, lt(mul(q, dd), p)) // ceil: +1 on a remainder
                    if or(iszero(amount), gt(amount, calldataload(b))) { break }
                    mstore(a, amount)
                }
            }
            default {
                for { let r := add(required, 0x20) } lt(kept, n) {
                    kept := add(kept, 1)
                    a := add(a, 0x20)
                    b := add(b, 0x20)
                    r := add(r, 0x20)
                } {
                    let u := mul(mload(a), scale)
                    let p := mul(shares, u)
                    if iszero(eq(div(p, u), shares)) { break }
                    let amount := div(p, dd) // floor
                    if or(iszero(amount), lt(amount, calldataload(b))) { break }
                    // Required backing: ceil(rest * u / dd); exact iff the product did not wrap (u != 0 here).
                    let s := mul(rest, u)
                    if iszero(eq(div(s, u), rest)) { break }
                    let x := div(s, dd)
                    mstore(r, add(x, lt(mul(x, dd), s)))
                    mstore(a, amount)
                }
            }
        }
        if (kept == units.length) return required;
        // Slow path: entries `kept` onwards, then the zero amounts left out of the arrays (nothing moves).
        for (uint256 i = kept; i < units.length; ++i) {
            uint256 amount = Math.mulDiv(shares, units[i] * scale, dd, up ? Math.Rounding.Ceil : Math.Rounding.Floor);
            // Window dust (review R-4): above the bound, a mint in a window pays only the bound of a token whose
            // whole holding (units[i] = its balance {tok}) is worth < WINDOW_DUST_USD; stale feed: reverts.
            if (up && amount > bounds[i] && _isWindowDust(tokens[i], units[i])) amount = bounds[i];
            if (up && amount > bounds[i]) revert AmountInAboveMax(tokens[i], amount, bounds[i]);
            if (!up && amount < bounds[i]) revert AmountOutBelowMin(tokens[i], amount, bounds[i]);
            if (amount == 0) continue;
            if (!up) required[kept] = Math.mulDiv(rest, units[i] * scale, dd, Math.Rounding.Ceil);
            tokens[kept] = tokens[i];
            units[kept++] = amount;
        }
        if (kept == 0) revert ZeroAmounts(shares);
        assembly ("memory-safe") {
            mstore(tokens, kept)
            mstore(units, kept)
        }
        if (!up) {
            assembly ("memory-safe") {
                mstore(required, kept)
            }
        }
    }

    /// @dev Whether the vault is in a window with shares outstanding (so `_basketOf` gave balances, not the
    /// units an empty vault seeds at its first mint) and `bal` {tok} of `token` is worth less than WINDOW_DUST_USD at the
    /// registry's price (a stale, unsafe or missing feed reverts as the registry says: no price, no exemption).
    function _isWindowDust(address token, uint256 bal) private view returns (bool) {
        // The effective supply, as `_basketOf` tests it: with only pending fee shares left, units are balances.
        return _hot.mode & REBALANCING != 0 && totalSupply() + _hot.pendingFees != 0
            && _value(token, bal, 1) < WINDOW_DUST_USD;
    }

    /// @dev {1e18 USD} = floor({tok} * {1e18 USD/whole tok} / (10^decimals * d)): the value of `amount / d` of
    /// `token` at the registry's price (reverts on a stale, unsafe or missing feed).
    function _value(address token, uint256 amount, uint256 d) private view returns (uint256) {
        (uint256 price, uint8 decimals) = _registry.priceAndDecimals(token);
        return Math.mulDiv(amount, price, 10 ** decimals * d);
    }

    /// @dev For each constituent: balanceOf(this), transferFrom(caller, this, amount) with SafeERC20
    /// semantics (no return value is accepted: the token has code, since balanceOf answered; false or a
    /// revert fails, the revert reason bubbling up), balanceOf(this) again; the balance must have grown by
    /// at least `amount` (rejects fee-on-transfer and tokens whose balance falls). Assembly: one scratch
    /// area past the free-memory pointer, no allocation per token.
    function _pullAll(address[] memory tokens, uint256[] memory amounts) private {
        uint256 failure; // 0 ok, 1 balanceOf failed, 2 transferFrom returned false, 3 short delivery
        address failedToken;
        uint256 expected;
        uint256 received;
        assembly ("memory-safe") {
            // Loop-invariant call data, written once: transferFrom(caller, this, .) at m, and the
            // balanceOf argument (this) at 0x20. Return data goes to 0x00..0x20 only, so 0x20 and m survive.
            let m := mload(0x40)
            mstore(m, 0x23b872dd) // transferFrom(address,address,uint256)
            mstore(add(m, 0x20), caller())
            mstore(add(m, 0x40), address())
            mstore(0x20, address())
            let t := add(tokens, 0x20)
            let a := add(amounts, 0x20)
            let end := add(t, shl(5, mload(tokens)))
            for {} lt(t, end) {
                t := add(t, 0x20)
                a := add(a, 0x20)
            } {
                let token := mload(t)
                let amount := mload(a)
                // balanceOf(this); staticcall runs before returndatasize is read (Yul: right to left).
                mstore(0x00, 0x70a08231)
                if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                    failure := 1
                    failedToken := token
                    break
                }
                let balBefore := mload(0x00)
                mstore(add(m, 0x60), amount)
                // A true word is read at 0x00 only when at least 32 bytes came back.
                let ok := call(gas(), token, 0, add(m, 0x1c), 0x64, 0x00, 0x20)
                if iszero(ok) {
                    if returndatasize() {
                        returndatacopy(m, 0, returndatasize())
                        revert(m, returndatasize())
                    }
                }
                if iszero(and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))) {
                    failure := 2
                    failedToken := token
                    break
                }
                mstore(0x00, 0x70a08231)
                if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                    failure := 1
                    failedToken := token
                    break
                }
                let balAfter := mload(0x00)
                // Short if the balance fell, or grew by less than `amount`.
                if or(lt(balAfter, balBefore), lt(sub(balAfter, balBefore), amount)) {
                    failure := 3
                    failedToken := token
                    expected := amount
                    received := mul(gt(balAfter, balBefore), sub(balAfter, balBefore))
                    break
                }
            }
        }
        if (failure == 1) revert BalanceQueryFailed(failedToken);
        if (failure == 2) revert SafeERC20.SafeERC20FailedOperation(failedToken);
        if (failure == 3) revert TransferShortfall(failedToken, expected, received);
    }

    /// @dev For each constituent (non-zero amounts only, see `_amounts`): transfer(to, amount) with SafeERC20
    /// semantics (no return value accepted from a token without code: `balanceOf` must answer; false or a
    /// revert fails, the revert reason bubbling up), then balanceOf(this), which must still be at least
    /// `required[i]`, the backing the remaining shares need (METHODOLOGY section 7: balance >=
    /// ceil(effectiveSupply * unit / 1e18) after every operation). One read per token: a token charging the
    /// sender, or any token whose balance falls short, cannot leave the vault under-collateralised
    /// (`CollateralShortfall`). A vault already short of a token (a balance that fell outside any vault
    /// call) cannot pay it out until a rebalance re-derives its unit from the balance; holders skip it
    /// meanwhile (`redeemSkipping`). Assembly as in `_pullAll`.
    function _pushAll(address[] memory tokens, address to, uint256[] memory amounts, uint256[] memory required)
        private
    {
        uint256 failure; // 0 ok, 1 balanceOf failed, 2 transfer returned false, 3 balance below the backing
        address failedToken;
        uint256 held;
        uint256 needed;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0xa9059cbb) // transfer(address,uint256); loop-invariant, as is `to`
            mstore(add(m, 0x20), to)
            mstore(0x20, address())
            let t := add(tokens, 0x20)
            let a := add(amounts, 0x20)
            let r := add(required, 0x20)
            let end := add(t, shl(5, mload(tokens)))
            for {} lt(t, end) {
                t := add(t, 0x20)
                a := add(a, 0x20)
                r := add(r, 0x20)
            } {
                let token := mload(t)
                mstore(add(m, 0x40), mload(a))
                let ok := call(gas(), token, 0, add(m, 0x1c), 0x44, 0x00, 0x20)
                if iszero(ok) {
                    if returndatasize() {
                        returndatacopy(m, 0, returndatasize())
                        revert(m, returndatasize())
                    }
                }
                if iszero(and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))) {
                    failure := 2
                    failedToken := token
                    break
                }
                // balanceOf(this): an account without code cannot answer with 32 bytes, so this also rejects
                // a "transfer" that succeeded only because `token` has no code.
                mstore(0x00, 0x70a08231)
                if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                    failure := 1
                    failedToken := token
                    break
                }
                let bal := mload(0x00)
                if lt(bal, mload(r)) {
                    failure := 3
                    failedToken := token
                    held := bal
                    needed := mload(r)
                    break
                }
            }
        }
        if (failure == 1) revert BalanceQueryFailed(failedToken);
        if (failure == 2) revert SafeERC20.SafeERC20FailedOperation(failedToken);
        if (failure == 3) revert CollateralShortfall(failedToken, held, needed);
    }

    /// @dev Whether `token` moves one base unit from the vault to itself cleanly: the call succeeds, returns
    /// nothing or true, and the vault's balance is unchanged (a failing `balanceOf` counts as not working).
    function _transfersWork(address token) private returns (bool ok) {
        uint256 before;
        (ok, before) = _tryBalanceOfSelf(token);
        if (!ok) return false;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0xa9059cbb) // transfer(address,uint256)
            mstore(add(m, 0x20), address())
            mstore(add(m, 0x40), 1)
            ok := call(gas(), token, 0, add(m, 0x1c), 0x44, 0x00, 0x20)
            ok := and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))
        }
        if (!ok) return false;
        uint256 balAfter;
        (ok, balAfter) = _tryBalanceOfSelf(token);
        return ok && balAfter == before;
    }

    /// @dev `token.approve(spender, amount)` with SafeERC20 semantics (no return value accepted from a
    /// contract; false or a revert fails). No zero-first dance is needed for USDT-style tokens: the
    /// allowance is always zero here, because every trade checks that the adapter spent all of it.
    function _approveToken(address token, address spender, uint256 amount) private {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x095ea7b3) // approve(address,uint256)
            mstore(add(m, 0x20), spender)
            mstore(add(m, 0x40), amount)
            ok := call(gas(), token, 0, add(m, 0x1c), 0x44, 0x00, 0x20)
            switch returndatasize()
            case 0 { ok := and(ok, gt(extcodesize(token), 0)) }
            default { ok := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))) }
        }
        if (!ok) revert SafeERC20.SafeERC20FailedOperation(token);
    }

    /// @dev `token.balanceOf(this)`; reverts `BalanceQueryFailed` if the call fails or returns no value.
    function _balanceOfSelf(address token) private view returns (uint256 bal) {
        bool ok;
        (ok, bal) = _tryBalanceOfSelf(token);
        if (!ok) revert BalanceQueryFailed(token);
    }

    /// @dev `token.balanceOf(this)` by a bare STATICCALL (cheaper than the high-level call's checks).
    function _tryBalanceOfSelf(address token) private view returns (bool ok, uint256 bal) {
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address) selector, right-aligned in the first word
            mstore(0x20, address())
            // staticcall runs first (Yul evaluates arguments right to left), then returndatasize is read.
            ok := and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))
            bal := mload(0x00)
        }
    }
}
