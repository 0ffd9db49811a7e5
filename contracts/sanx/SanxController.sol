// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockCheck} from "../governance/TimelockCheck.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ISanxController, ISanxBasket, ZONE_OPPORTUNITY, ZONE_DANGER} from "../interfaces/ISanxController.sol";

/// @title SanxController
/// @notice SANX membership state machine (METHODOLOGY section 5) on chain.
/// @dev Invariants: (1) an asset has at most one pending action; a pending ADD is only ever for a
/// non-member and a pending REMOVE only for a member. (2) A signal or call about one asset reads and
/// writes only that asset's state (plus its membership bit in the set). (3) While paused nothing is
/// scheduled and nothing is executed. (4) The basket is called only from `execute`, after the
/// membership change is recorded (CEI); redemption never calls here. (5) An asset's last signal day
/// only increases, and never past tomorrow (UTC), so no signal can exhaust the day space; a signal for
/// an earlier day is ignored (`OutOfOrder`), never reverted.
contract SanxController is ISanxController, AccessControl, Pausable {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @dev One asset's state, one slot (8 + 32 + 32 + 64 + 32 = 168 bits).
    struct AssetState {
        ActionKind kind; // the pending action; None when nothing is pending
        uint32 signalDay; // {UTC day number} of the pending action's signal
        uint32 dueDay; // {UTC day number} signalDay + delayDays: signals from this day on follow the execution
        uint64 dueAt; // {unix s} max(dueDay * 86400, relayed at + minNotice)
        uint32 lastDay; // {UTC day number} of the latest signal applied (scheduled, cancelled or ignored)
    }

    // == Constants ==
    /// @notice May press the red button.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice May relay accepted signals (the SignalOracle).
    bytes32 public constant SIGNAL_SOURCE_ROLE = keccak256("SIGNAL_SOURCE_ROLE");
    /// @notice Default delay {days} (METHODOLOGY section 5: D = 3).
    uint32 public constant DEFAULT_DELAY_DAYS = 3;
    /// @notice Upper bound on the delay {days}.
    uint32 public constant MAX_DELAY_DAYS = 30;
    /// @notice Default minimum notice {s} between a signal's relay and its action (METHODOLOGY section 5: 1 day).
    uint32 public constant DEFAULT_MIN_NOTICE = 1 days;
    /// @notice Bounds on the minimum notice {s}: at least one hour, at most seven days.
    uint32 public constant MIN_NOTICE_FLOOR = 1 hours;
    uint32 public constant MAX_MIN_NOTICE = 7 days;
    /// @notice How far {s} a signal's day may start after now: one day (the SignalOracle's largest skew).
    uint64 public constant MAX_FUTURE_SKEW = 1 days;
    uint64 private constant _SECONDS_PER_DAY = 86_400;

    // == Storage ==
    EnumerableSet.AddressSet private _members;
    mapping(address asset => AssetState) private _state;
    ISanxBasket private _basket;
    uint32 private _delayDays; // {days}
    uint32 private _minNotice; // {s}

    // == Constructor ==
    /// @param admin Governance: cancels actions, unpauses, sets delay and basket, grants roles.
    /// @param guardian Holder of the red button (may be the zero address to grant later).
    constructor(address admin, address guardian) {
        if (admin == address(0)) revert ZeroAddress();
        TimelockCheck.requireTimelock(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        _delayDays = DEFAULT_DELAY_DAYS;
        _minNotice = DEFAULT_MIN_NOTICE;
        emit DelayUpdated(0, DEFAULT_DELAY_DAYS);
        emit MinNoticeUpdated(0, DEFAULT_MIN_NOTICE);
    }

    // == External ==
    /// @inheritdoc ISanxController
    function onSignal(address asset, uint8 zone, uint32 day) external onlyRole(SIGNAL_SOURCE_ROLE) {
        if (zone != ZONE_OPPORTUNITY && zone != ZONE_DANGER) revert InvalidZone(zone);
        uint256 dayStart = uint256(day) * _SECONDS_PER_DAY; // {s}
        uint256 latestDayStart = block.timestamp + MAX_FUTURE_SKEW; // {s}
        if (dayStart > latestDayStart) revert SignalFromFuture(day, dayStart, latestDayStart);
        AssetState memory st = _state[asset];
        // Per asset, signals apply in day order: one older than the last applied comes too late to be
        // applied in its place, so it is recorded as ignored, never reverted (nothing is burnt).
        if (day < st.lastDay) return _ignore(asset, zone, day, IgnoreReason.OutOfOrder);

        if (st.kind != ActionKind.None) {
            // In the methodology an action takes effect at the start of its due day, before that day's
            // signals are read: a signal dated on or after it must wait for the execution.
            if (day >= st.dueDay) {
                if (!paused()) revert PendingActionDue(asset, st.dueAt, day);
                // Red button: after the execution this signal would either schedule (which the pause
                // stops) or be ignored, so it is recorded as ignored now rather than left to expire.
                st.lastDay = day;
                _state[asset] = st;
                return _ignore(asset, zone, day, IgnoreReason.Paused);
            }
            st.lastDay = day;
            ActionKind signalKind = zone == ZONE_OPPORTUNITY ? ActionKind.Add : ActionKind.Remove;
            if (signalKind == st.kind) {
                _state[asset] = st;
                emit SignalIgnored(asset, zone, day, IgnoreReason.SameKindPending);
            } else {
                // The opposite signal cancels at once and schedules nothing (it does not apply to
                // the current holding). Cancelling is not a new action, so the pause allows it.
                _state[asset] = AssetState({kind: ActionKind.None, signalDay: 0, dueDay: 0, dueAt: 0, lastDay: day});
                emit ActionCancelled(asset, st.kind, st.signalDay, CancelReason.OppositeSignal);
            }
            return;
        }

        _state[asset].lastDay = day;
        bool held = _members.contains(asset);
        ActionKind kind;
        if (zone == ZONE_OPPORTUNITY) {
            if (held) return _ignore(asset, zone, day, IgnoreReason.AlreadyMember);
            kind = ActionKind.Add;
        } else {
            if (!held) return _ignore(asset, zone, day, IgnoreReason.NotMember);
            kind = ActionKind.Remove;
        }
        if (paused()) return _ignore(asset, zone, day, IgnoreReason.Paused);

        // No overflow, exact casts: day <= now / 86400 + 1 (checked above, about 2^15 today) and
        // _delayDays <= MAX_DELAY_DAYS, so dueDay < 2^32 and dueDay * 86400 < 2^50; block.timestamp +
        // _minNotice (<= 7 days) is far below 2^64.
        uint64 dueDay = uint64(day) + _delayDays;
        uint64 dueAt = dueDay * _SECONDS_PER_DAY;
        uint64 noticeEnds = uint64(block.timestamp) + _minNotice; // {unix s}
        if (noticeEnds > dueAt) dueAt = noticeEnds;
        _state[asset] =
            AssetState({kind: kind, signalDay: day, dueDay: uint32(dueDay), dueAt: dueAt, lastDay: day});
        emit ActionScheduled(asset, kind, day, dueAt);
    }

    /// @inheritdoc ISanxController
    /// @dev Permissionless on purpose: the action, its asset and its earliest time are fixed by a
    /// quorum-signed signal, the delay and the notice; the caller chooses no parameter, and trade bounds
    /// are enforced by the basket. Anyone executing keeps SANX live when the keeper is not.
    function execute(address asset) external whenNotPaused {
        // == Checks ==
        AssetState memory st = _state[asset];
        if (st.kind == ActionKind.None) revert NoPendingAction(asset);
        if (block.timestamp < st.dueAt) revert ActionNotDue(asset, st.dueAt, block.timestamp);
        ISanxBasket basket_ = _basket;
        if (address(basket_) == address(0)) revert BasketNotSet();

        // == Effects ==
        _clearPending(asset, st.lastDay);
        bool added = st.kind == ActionKind.Add;
        // Invariant (1) makes both calls succeed; they return false only if it were broken.
        if (added) _members.add(asset);
        else _members.remove(asset);
        emit ActionExecuted(asset, st.kind, st.signalDay, st.dueAt, msg.sender);

        // == Interactions ==
        // The basket is governance-set; re-entry sees the action already applied.
        basket_.onMembershipChanged(asset, added);
    }

    /// @inheritdoc ISanxController
    function cancel(address asset) external onlyRole(DEFAULT_ADMIN_ROLE) {
        AssetState memory st = _state[asset];
        if (st.kind == ActionKind.None) revert NoPendingAction(asset);
        _clearPending(asset, st.lastDay);
        emit ActionCancelled(asset, st.kind, st.signalDay, CancelReason.Governance);
    }

    /// @inheritdoc ISanxController
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @inheritdoc ISanxController
    /// @dev Governance, not the guardian, lifts the red button: a guardian key can only freeze.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc ISanxController
    function setDelayDays(uint32 newDelayDays) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newDelayDays == 0 || newDelayDays > MAX_DELAY_DAYS) revert InvalidDelay(newDelayDays, MAX_DELAY_DAYS);
        uint32 old = _delayDays;
        _delayDays = newDelayDays;
        emit DelayUpdated(old, newDelayDays);
    }

    /// @inheritdoc ISanxController
    function setMinNotice(uint32 newMinNotice) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newMinNotice < MIN_NOTICE_FLOOR || newMinNotice > MAX_MIN_NOTICE) {
            revert InvalidNotice(newMinNotice, MIN_NOTICE_FLOOR, MAX_MIN_NOTICE);
        }
        uint32 old = _minNotice;
        _minNotice = newMinNotice;
        emit MinNoticeUpdated(old, newMinNotice);
    }

    /// @inheritdoc ISanxController
    function setBasket(ISanxBasket newBasket) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(newBasket) == address(0)) revert ZeroAddress();
        ISanxBasket old = _basket;
        _basket = newBasket;
        emit BasketUpdated(address(old), address(newBasket));
    }

    /// @inheritdoc ISanxController
    function members() external view returns (address[] memory) {
        return _members.values();
    }

    /// @inheritdoc ISanxController
    function isMember(address asset) external view returns (bool) {
        return _members.contains(asset);
    }

    /// @inheritdoc ISanxController
    function pending(address asset) external view returns (ActionKind kind, uint64 dueAt, uint32 signalDay) {
        AssetState memory st = _state[asset];
        return (st.kind, st.dueAt, st.signalDay);
    }

    /// @inheritdoc ISanxController
    function lastSignalDay(address asset) external view returns (uint32) {
        return _state[asset].lastDay;
    }

    /// @inheritdoc ISanxController
    function minNotice() external view returns (uint32) {
        return _minNotice;
    }

    /// @inheritdoc ISanxController
    function delayDays() external view returns (uint32) {
        return _delayDays;
    }

    /// @inheritdoc ISanxController
    function basket() external view returns (ISanxBasket) {
        return _basket;
    }

    /// @inheritdoc ISanxController
    function paused() public view override(ISanxController, Pausable) returns (bool) {
        return super.paused();
    }

    // == Internal ==
    /// @dev Ends the pending action of `asset`, keeping its last signal day.
    function _clearPending(address asset, uint32 lastDay) private {
        _state[asset] = AssetState({kind: ActionKind.None, signalDay: 0, dueDay: 0, dueAt: 0, lastDay: lastDay});
    }

    function _ignore(address asset, uint8 zone, uint32 day, IgnoreReason reason) private {
        emit SignalIgnored(asset, zone, day, reason);
    }
}
