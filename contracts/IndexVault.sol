// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IIndexVault} from "./interfaces/IIndexVault.sol";
import {IPriceRegistry} from "./interfaces/IPriceRegistry.sol";
import {BasketStore} from "./libraries/BasketStore.sol";
import {WeightsLib} from "./libraries/WeightsLib.sol";

/// @title IndexVault
/// @notice In-kind index token: see `IIndexVault` for units, the collateral invariant, fees and roles.
/// @dev Gas layout. Mint and redeem touch two slots of this contract besides the ERC-20 balances:
///   `_hot`  (read, and written when fees accrue): unit scale, last accrual, fee rate, pause flag and
///           pending fee shares, packed in one slot;
///   `_basketData` (read): the address of the data contract holding (tokens, stored units), read with
///           one EXTCODECOPY (`BasketStore`) instead of one cold SLOAD per constituent.
/// Fee accrual therefore writes one slot, never N: effective units are storedUnits * scale / 1e18.
///
/// Seams for later issues: `_setBasket(tokens, units, h)` replaces the held basket and resets the
/// scale (issue 3's keeper recomputes units from balances, rounded down, after trading; constituents
/// enter and leave by being in the new list); `_accrue` brings fees up to now first; `_hot.paused`
/// is what rebalancing will check; KEEPER_ROLE is reserved for it. SANX (issue 4) reuses this vault,
/// with its controller holding ORACLE_ROLE.
contract IndexVault is IIndexVault, ERC20Permit, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

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

    /// @dev The hot slot: 64 + 32 + 64 + 8 + 88 = 256 bits.
    struct Hot {
        uint64 scale; // {WAD}: effective units = stored units * scale / 1e18; <= 1e18
        uint32 lastAccrual; // {unix s}; uint32 lasts until 2106
        uint64 feeRate; // {WAD/year}; <= maxFeeRate <= 0.5e18
        bool paused; // guardian's pause: stops mint and rebalancing, never redeem
        uint88 pendingFees; // {shares} accrued to the fee recipient, not yet minted
    }

    // == Constants ==
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    uint256 private constant WAD = 1e18;
    uint256 private constant WAD_SQ = 1e36;
    uint256 private constant YEAR = 365 days;
    /// @notice No deployment may allow more than 50% a year.
    uint256 public constant MAX_FEE_RATE_LIMIT = 0.5e18;
    /// @dev One accrual takes at most half the units: with rate <= 50%/year this binds only after a year
    /// without any mint, redeem or accrual, and then under-charges rather than zeroing units.
    uint256 private constant MAX_ACCRUAL_FRACTION = 0.5e18;

    // == Immutables ==
    IPriceRegistry private immutable _registry;
    uint256 private immutable _initialNavPerShare; // {1e18 USD} per 1e18 shares
    uint256 private immutable _maxFeeRate; // {WAD/year}

    // == Storage ==
    Hot private _hot;
    address private _basketData; // BasketStore pointer; zero before the first mint
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
        // feeRate <= 0.5e18 < 2^64 and block.timestamp < 2^32 until 2106.
        _hot = Hot({
            scale: uint64(WAD),
            lastAccrual: uint32(block.timestamp),
            feeRate: uint64(c.feeRate),
            paused: false,
            pendingFees: 0
        });
        _grantRole(DEFAULT_ADMIN_ROLE, c.admin);
    }

    // == External: users ==
    /// @inheritdoc IIndexVault
    function mint(uint256 shares, address receiver, uint256[] calldata maxAmountsIn)
        external
        nonReentrant
        returns (uint256[] memory amountsIn)
    {
        // == Checks & Effects ==
        if (shares == 0) revert ZeroShares();
        if (receiver == address(0)) revert ZeroReceiver();
        Hot memory h = _hot;
        if (h.paused) revert MintPaused();
        uint256 supply = totalSupply();
        address data = _basketData;
        if (supply + h.pendingFees == 0) {
            // Empty vault: units follow the latest targets at today's prices.
            _sync(h, supply);
            (address[] memory seedTokens, uint256[] memory seedUnits) = _seedBasket();
            data = _setBasket(seedTokens, seedUnits, h);
            _hot = h;
        } else {
            _sync(h, supply);
        }

        address[] memory tokens;
        (tokens, amountsIn) = BasketStore.read(data); // amountsIn holds stored units until overwritten below
        uint256 n = tokens.length;
        if (maxAmountsIn.length != n) revert AmountsLengthMismatch(maxAmountsIn.length, n);
        uint256 scale = h.scale;
        for (uint256 i = 0; i < n; ++i) {
            // {tok} = ceil({shares} * {tok/1e18 shares, stored} * {WAD} / 1e36): inbound rounds up.
            // storedUnits * scale cannot overflow for any unit below 2^192 (scale <= 1e18 < 2^60).
            uint256 amount = Math.mulDiv(shares, amountsIn[i] * scale, WAD_SQ, Math.Rounding.Ceil);
            if (amount == 0) revert ZeroAmount(tokens[i], shares);
            if (amount > maxAmountsIn[i]) revert AmountInAboveMax(tokens[i], amount, maxAmountsIn[i]);
            amountsIn[i] = amount;
        }
        _mint(receiver, shares);
        emit Minted(msg.sender, receiver, shares);

        // == Interactions ==
        // Shares are minted before the constituents arrive; the reentrancy guard makes that safe, and the
        // balance-delta check below reverts the whole mint if any token delivers short.
        for (uint256 i = 0; i < n; ++i) {
            address token = tokens[i];
            uint256 amount = amountsIn[i];
            uint256 before = _balanceOfSelf(token);
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
            uint256 received = _balanceOfSelf(token) - before;
            if (received < amount) revert TransferShortfall(token, amount, received);
        }
    }

    /// @inheritdoc IIndexVault
    function redeem(uint256 shares, address receiver, uint256[] calldata minAmountsOut)
        external
        nonReentrant
        returns (uint256[] memory amountsOut)
    {
        // == Checks & Effects ==
        if (shares == 0) revert ZeroShares();
        if (receiver == address(0)) revert ZeroReceiver();
        Hot memory h = _hot;
        _sync(h, totalSupply());
        address data = _basketData;
        // No basket means no shares were ever minted: the caller holds none.
        if (data == address(0)) revert ERC20InsufficientBalance(msg.sender, 0, shares);

        address[] memory tokens;
        (tokens, amountsOut) = BasketStore.read(data); // amountsOut holds stored units until overwritten
        uint256 n = tokens.length;
        if (minAmountsOut.length != n) revert AmountsLengthMismatch(minAmountsOut.length, n);
        uint256 scale = h.scale;
        for (uint256 i = 0; i < n; ++i) {
            // {tok} = floor({shares} * {tok/1e18 shares, stored} * {WAD} / 1e36): outbound rounds down.
            uint256 amount = Math.mulDiv(shares, amountsOut[i] * scale, WAD_SQ, Math.Rounding.Floor);
            if (amount == 0) revert ZeroAmount(tokens[i], shares);
            if (amount < minAmountsOut[i]) revert AmountOutBelowMin(tokens[i], amount, minAmountsOut[i]);
            amountsOut[i] = amount;
        }
        _burn(msg.sender, shares);
        emit Redeemed(msg.sender, receiver, shares);

        // == Interactions ==
        for (uint256 i = 0; i < n; ++i) {
            IERC20(tokens[i]).safeTransfer(receiver, amountsOut[i]);
        }
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
        uint64 current = _targetRound;
        if (round <= current) revert StaleTargetRound(round, current);
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
        h.feeRate = uint64(rate); // rate <= _maxFeeRate <= 0.5e18 < 2^64
        _hot = h;
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
        if (_hot.paused) revert PauseStateUnchanged(true);
        _hot.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IIndexVault
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_hot.paused) revert PauseStateUnchanged(false);
        _hot.paused = false;
        emit Unpaused(msg.sender);
    }

    // == External: views ==
    /// @inheritdoc IIndexVault
    function basket() external view returns (address[] memory tokens, uint256[] memory units) {
        uint256 scale;
        (tokens, units, scale) = _rawBasket();
        for (uint256 i = 0; i < units.length; ++i) {
            // {tok/1e18 shares} = floor(stored * {WAD} / 1e18)
            units[i] = Math.mulDiv(units[i], scale, WAD, Math.Rounding.Floor);
        }
    }

    /// @inheritdoc IIndexVault
    function rawBasket() external view returns (address[] memory tokens, uint256[] memory storedUnits, uint256 scale) {
        return _rawBasket();
    }

    /// @inheritdoc IIndexVault
    function targets() external view returns (uint64 round, address[] memory tokens, uint256[] memory weights) {
        return (_targetRound, _targetTokens, _targetWeights);
    }

    /// @inheritdoc IIndexVault
    function previewMint(uint256 shares) external view returns (address[] memory tokens, uint256[] memory amounts) {
        uint256 scale;
        if (_viewEffectiveSupply() == 0) {
            (tokens, amounts) = _seedBasket();
            scale = WAD;
        } else {
            (tokens, amounts, scale) = _rawBasket();
        }
        for (uint256 i = 0; i < amounts.length; ++i) {
            amounts[i] = Math.mulDiv(shares, amounts[i] * scale, WAD_SQ, Math.Rounding.Ceil); // inbound: up
        }
    }

    /// @inheritdoc IIndexVault
    function previewRedeem(uint256 shares) external view returns (address[] memory tokens, uint256[] memory amounts) {
        uint256 scale;
        (tokens, amounts, scale) = _rawBasket();
        for (uint256 i = 0; i < amounts.length; ++i) {
            amounts[i] = Math.mulDiv(shares, amounts[i] * scale, WAD_SQ, Math.Rounding.Floor); // outbound: down
        }
    }

    /// @inheritdoc IIndexVault
    function nav() external view returns (uint256 value) {
        address data = _basketData;
        if (data == address(0)) return 0;
        (address[] memory tokens,) = BasketStore.read(data);
        for (uint256 i = 0; i < tokens.length; ++i) {
            (uint256 price, uint8 decimals) = _registry.priceAndDecimals(tokens[i]);
            // {1e18 USD} = floor({tok} * {1e18 USD/whole tok} / 10^decimals)
            value += Math.mulDiv(_balanceOfSelf(tokens[i]), price, 10 ** decimals, Math.Rounding.Floor);
        }
    }

    /// @inheritdoc IIndexVault
    function navPerShare() external view returns (uint256 value) {
        if (_viewEffectiveSupply() == 0) return _initialNavPerShare;
        (address[] memory tokens, uint256[] memory stored, uint256 scale) = _rawBasket();
        for (uint256 i = 0; i < tokens.length; ++i) {
            (uint256 price, uint8 decimals) = _registry.priceAndDecimals(tokens[i]);
            // {1e18 USD / 1e18 shares} = floor({tok/1e18 shares, stored} * {WAD} * {1e18 USD/whole tok}
            //                                  / (10^decimals * 1e18))
            value += Math.mulDiv(stored[i] * scale, price, 10 ** decimals * WAD, Math.Rounding.Floor);
        }
    }

    /// @inheritdoc IIndexVault
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
        )
    {
        Hot memory h = _hot;
        (, uint256 overflow) = _accrue(h, totalSupply());
        return (h.feeRate, _maxFeeRate, _feeRecipient, h.pendingFees + overflow, h.lastAccrual, h.scale);
    }

    /// @inheritdoc IIndexVault
    function effectiveSupply() external view returns (uint256) {
        return _viewEffectiveSupply();
    }

    /// @inheritdoc IIndexVault
    function paused() external view returns (bool) {
        return _hot.paused;
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
    /// Over `elapsed` seconds at annual rate r the fee fraction is f = floor(r * elapsed / YEAR) {WAD}
    /// (rounded down: never over-charges). Units shrink by (1 - f): scale' = floor(scale * (1e18 - f) / 1e18),
    /// and the recipient is owed floor(S * f / (1e18 - f)) shares, S = totalSupply + pending. Then
    ///   (S + floor(S f / (1 - f))) * floor(scale (1 - f)) <= S / (1 - f) * scale (1 - f) = S * scale,
    /// so the backing every share needs never grows: the collateral invariant survives accrual.
    /// With a zero rate nothing is stamped (setFeeRate stamps before a rate applies); with no shares
    /// outstanding only the timestamp moves, so the first minters are not charged for the empty time.
    function _accrue(Hot memory h, uint256 supply) internal view returns (bool changed, uint256 overflow) {
        uint256 last = h.lastAccrual;
        if (block.timestamp == last || h.feeRate == 0) return (false, 0);
        uint256 effSupply = supply + h.pendingFees; // {shares}
        uint256 elapsed = block.timestamp - last; // {s}; lastAccrual is never in the future
        h.lastAccrual = uint32(block.timestamp); // < 2^32 until 2106
        if (effSupply == 0) return (true, 0);
        uint256 f = (uint256(h.feeRate) * elapsed) / YEAR; // {WAD}, floor
        if (f > MAX_ACCRUAL_FRACTION) f = MAX_ACCRUAL_FRACTION;
        uint256 feeShares = Math.mulDiv(effSupply, f, WAD - f, Math.Rounding.Floor); // {shares}, floor
        // scale * (WAD - f) / WAD <= scale <= 1e18, so it still fits in 64 bits.
        h.scale = uint64((uint256(h.scale) * (WAD - f)) / WAD); // {WAD}, floor
        uint256 pending = h.pendingFees + feeShares;
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
        if (changed) _hot = h;
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
    /// the scale to 1e18 (so stored units = effective units). The seam issue 3's rebalancing uses after
    /// trading (units recomputed from balances, rounded down) and the empty-vault seed uses at first mint.
    /// Accrue into `h` first; the caller stores `h`.
    function _setBasket(address[] memory tokens, uint256[] memory units, Hot memory h) internal returns (address data) {
        data = BasketStore.write(tokens, units);
        _basketData = data;
        h.scale = uint64(WAD);
        emit BasketUpdated(tokens, units);
    }

    /// @dev Empty-vault units from the latest targets: q_i = ceil(w_i * NAV0 * 10^dec_i / (1e18 * p_i))
    /// {tok/1e18 shares}, with w_i {WAD}, NAV0 = initialNavPerShare {1e18 USD/1e18 shares} and
    /// p_i {1e18 USD/whole tok}. Rounded up: units are what minters bring, so the first mint is never
    /// worth less than NAV0 per share. Reverts on a stale or unsafe feed.
    function _seedBasket() private view returns (address[] memory tokens, uint256[] memory units) {
        if (_targetRound == 0) revert NoTargets();
        tokens = _targetTokens;
        uint256[] memory weights = _targetWeights;
        units = new uint256[](tokens.length);
        for (uint256 i = 0; i < tokens.length; ++i) {
            (uint256 price, uint8 decimals) = _registry.priceAndDecimals(tokens[i]);
            // w <= 1e18 and NAV0 <= 1e36: the numerator's first factor stays below 2^180.
            units[i] = Math.mulDiv(weights[i] * _initialNavPerShare, 10 ** decimals, WAD * price, Math.Rounding.Ceil);
        }
    }

    function _rawBasket() private view returns (address[] memory tokens, uint256[] memory stored, uint256 scale) {
        address data = _basketData;
        if (data == address(0)) return (tokens, stored, WAD);
        (tokens, stored) = BasketStore.read(data);
        Hot memory h = _hot;
        _accrue(h, totalSupply());
        scale = h.scale;
    }

    function _viewEffectiveSupply() private view returns (uint256) {
        Hot memory h = _hot;
        (, uint256 overflow) = _accrue(h, totalSupply());
        return totalSupply() + h.pendingFees + overflow;
    }

    /// @dev `token.balanceOf(this)` by a bare STATICCALL (cheaper than the high-level call's checks).
    function _balanceOfSelf(address token) private view returns (uint256 bal) {
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address) selector, right-aligned in the first word
            mstore(0x20, address())
            // staticcall runs first (Yul evaluates arguments right to left), then returndatasize is read.
            ok := and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))
            bal := mload(0x00)
        }
        if (!ok) revert BalanceQueryFailed(token);
    }
}
