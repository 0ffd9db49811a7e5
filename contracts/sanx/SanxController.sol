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
/// membership change is recorded (CEI); redemption never calls here.
contract SanxController is ISanxController, AccessControl, Pausable {
    using EnumerableSet for EnumerableSet.AddressSet;

    struct PendingAction {
        ActionKind kind;
        uint32 signalDay; // {UTC day number}
        uint64 dueAt; // {unix s} = (signalDay + delayDays) * 86400
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
    uint64 private constant _SECONDS_PER_DAY = 86_400;

    // == Storage ==
    EnumerableSet.AddressSet private _members;
    mapping(address asset => PendingAction) private _pending;
    ISanxBasket private _basket;
    uint32 private _delayDays; // {days}

    // == Constructor ==
    /// @param admin Governance: cancels actions, unpauses, sets delay and basket, grants roles.
    /// @param guardian Holder of the red button (may be the zero address to grant later).
    constructor(address admin, address guardian) {
        if (admin == address(0)) revert ZeroAddress();
        TimelockCheck.requireTimelock(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        _delayDays = DEFAULT_DELAY_DAYS;
        emit DelayUpdated(0, DEFAULT_DELAY_DAYS);
    }

    // == External ==
    /// @inheritdoc ISanxController
    function onSignal(address asset, uint8 zone, uint32 day) external onlyRole(SIGNAL_SOURCE_ROLE) {
        if (zone != ZONE_OPPORTUNITY && zone != ZONE_DANGER) revert InvalidZone(zone);
        PendingAction memory p = _pending[asset];

        if (p.kind != ActionKind.None) {
            // In the methodology an action takes effect at the start of its due day, before that
            // day's signals are read: a signal dated on or after it must wait for the execution.
            if (uint64(day) * _SECONDS_PER_DAY >= p.dueAt) revert PendingActionDue(asset, p.dueAt, day);
            ActionKind signalKind = zone == ZONE_OPPORTUNITY ? ActionKind.Add : ActionKind.Remove;
            if (signalKind == p.kind) {
                emit SignalIgnored(asset, zone, day, IgnoreReason.SameKindPending);
            } else {
                // The opposite signal cancels at once and schedules nothing (it does not apply to
                // the current holding). Cancelling is not a new action, so the pause allows it.
                delete _pending[asset];
                emit ActionCancelled(asset, p.kind, p.signalDay, CancelReason.OppositeSignal);
            }
            return;
        }

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

        // Cannot overflow: day < 2^32 and _delayDays <= MAX_DELAY_DAYS, so the product < 2^50.
        uint64 dueAt = (uint64(day) + _delayDays) * _SECONDS_PER_DAY;
        _pending[asset] = PendingAction({kind: kind, signalDay: day, dueAt: dueAt});
        emit ActionScheduled(asset, kind, day, dueAt);
    }

    /// @inheritdoc ISanxController
    /// @dev Permissionless on purpose: the action, its asset and its earliest time are fixed by a
    /// quorum-signed signal and the delay; the caller chooses no parameter, and trade bounds are
    /// enforced by the basket. Anyone executing keeps SANX live when the keeper is not.
    function execute(address asset) external whenNotPaused {
        // == Checks ==
        PendingAction memory p = _pending[asset];
        if (p.kind == ActionKind.None) revert NoPendingAction(asset);
        if (block.timestamp < p.dueAt) revert ActionNotDue(asset, p.dueAt, block.timestamp);
        ISanxBasket basket_ = _basket;
        if (address(basket_) == address(0)) revert BasketNotSet();

        // == Effects ==
        delete _pending[asset];
        bool added = p.kind == ActionKind.Add;
        // Invariant (1) makes both calls succeed; they return false only if it were broken.
        if (added) _members.add(asset);
        else _members.remove(asset);
        emit ActionExecuted(asset, p.kind, p.signalDay, p.dueAt, msg.sender);

        // == Interactions ==
        // The basket is governance-set; re-entry sees the action already applied.
        basket_.onMembershipChanged(asset, added);
    }

    /// @inheritdoc ISanxController
    function cancel(address asset) external onlyRole(DEFAULT_ADMIN_ROLE) {
        PendingAction memory p = _pending[asset];
        if (p.kind == ActionKind.None) revert NoPendingAction(asset);
        delete _pending[asset];
        emit ActionCancelled(asset, p.kind, p.signalDay, CancelReason.Governance);
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
        PendingAction memory p = _pending[asset];
        return (p.kind, p.dueAt, p.signalDay);
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
    function _ignore(address asset, uint8 zone, uint32 day, IgnoreReason reason) private {
        emit SignalIgnored(asset, zone, day, reason);
    }
}
