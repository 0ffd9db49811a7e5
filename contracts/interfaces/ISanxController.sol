// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev Zone code of an OPPORTUNITY signal (METHODOLOGY section 4: x[t] < L_t).
uint8 constant ZONE_OPPORTUNITY = 1;
/// @dev Zone code of a DANGER signal (METHODOLOGY section 4: x[t] > U_t).
uint8 constant ZONE_DANGER = 2;

/// @title ISanxBasket
/// @notice The basket (the IndexVault core) that holds the SANX members' tokens.
/// @dev Called only by the SanxController, after it has already recorded the membership change.
/// ADD: re-weight to market-cap weights over the held set plus `asset`. REMOVE: sell only the
/// `asset` position into the remaining members in proportion to their market caps; when no member
/// is left, hold the reserve asset. Redemption must never depend on the controller.
interface ISanxBasket {
    /// @notice Applies a membership change the controller has just executed.
    /// @param asset The token added or removed.
    /// @param added True for ADD, false for REMOVE.
    function onMembershipChanged(address asset, bool added) external;
}

/// @title ISanxController
/// @notice SANX membership per METHODOLOGY section 5: signals relayed by the signal oracle schedule
/// ADD/REMOVE actions that anyone may execute once due: at the start of the day `delayDays` days after
/// the signal's day AND at least `minNotice` seconds after the signal was relayed (default 1 day), so a
/// signal relayed late still leaves the guardian and governance time to act.
/// @dev Per asset, signals apply in day order: one dated before the asset's last applied signal day is
/// recorded as ignored (`OutOfOrder`), never reverted, and a day may not start more than one day from
/// now (`SignalFromFuture`), so no signal can push the last day out of reach of later ones.
/// At most one pending action. OPPORTUNITY for a non-member schedules ADD; DANGER for a member
/// schedules REMOVE; any other signal is ignored (`SignalIgnored`). While an action is pending, a
/// signal of the same kind is ignored and one of the opposite kind cancels it and schedules nothing.
/// A signal dated on or after a pending action's due day is refused (`PendingActionDue`) until that
/// action is executed (anyone may, once due) or cancelled, so that on chain, as in the methodology, an
/// action takes effect at the start of its day, before that day's signals; while the red button is
/// pressed such a signal is recorded as ignored (`Paused`) instead, since after the execution it could
/// only schedule (which the pause stops) or be ignored. The guardian's pause stops scheduling and
/// execution; cancellation (by signal or governance) still works while paused. Redemption lives in the
/// basket and never calls the controller.
interface ISanxController {
    /// @notice The kind of a pending action; `None` when nothing is pending.
    enum ActionKind {
        None,
        Add,
        Remove
    }

    /// @notice Why a relayed signal scheduled nothing.
    enum IgnoreReason {
        AlreadyMember, // OPPORTUNITY for a held asset
        NotMember, // DANGER for an asset not held
        SameKindPending, // a pending action of the same kind already exists
        Paused, // the signal would schedule an action (or follow a due one), but the red button is pressed
        OutOfOrder // the signal's day is before the asset's last applied signal day: too late to apply
    }

    /// @notice Why a pending action was cancelled.
    enum CancelReason {
        OppositeSignal,
        Governance
    }

    /// @notice The zone is neither ZONE_OPPORTUNITY nor ZONE_DANGER.
    error InvalidZone(uint8 zone);
    /// @notice The delay is outside [1, MAX_DELAY_DAYS].
    error InvalidDelay(uint32 delayDays, uint32 maxDelayDays);
    /// @notice `asset` has no pending action.
    error NoPendingAction(address asset);
    /// @notice The pending action for `asset` is due at `dueAt` {unix s}; it is now `nowTs`.
    error ActionNotDue(address asset, uint64 dueAt, uint256 nowTs);
    /// @notice A signal dated `signalDay` arrived while the action pending for `asset` is already due
    /// (at `dueAt`); execute or cancel that action first.
    error PendingActionDue(address asset, uint64 dueAt, uint32 signalDay);
    /// @notice The signal's day starts at `dayStart` {unix s}, after `latestAllowed` = now + MAX_FUTURE_SKEW.
    error SignalFromFuture(uint32 day, uint256 dayStart, uint256 latestAllowed);
    /// @notice The minimum notice {s} is outside [`floor`, `ceiling`].
    error InvalidNotice(uint32 minNotice, uint32 floor, uint32 ceiling);
    /// @notice No basket is configured, so nothing can be executed.
    error BasketNotSet();
    /// @notice A zero address where an account or contract is required.
    error ZeroAddress();

    /// @notice An action was scheduled for `asset`, due at `dueAt` = max((signalDay + delay) * 86400,
    /// relayed at + minNotice) {unix s}.
    event ActionScheduled(address indexed asset, ActionKind kind, uint32 signalDay, uint64 dueAt);
    /// @notice The action pending for `asset` was cancelled.
    event ActionCancelled(address indexed asset, ActionKind kind, uint32 signalDay, CancelReason reason);
    /// @notice The action pending for `asset` was executed by `executor` and the basket notified.
    event ActionExecuted(address indexed asset, ActionKind kind, uint32 signalDay, uint64 dueAt, address indexed executor);
    /// @notice A relayed signal changed nothing.
    event SignalIgnored(address indexed asset, uint8 zone, uint32 day, IgnoreReason reason);
    /// @notice The delay applied to newly scheduled actions changed.
    event DelayUpdated(uint32 oldDelayDays, uint32 newDelayDays);
    /// @notice The minimum notice {s} applied to newly scheduled actions changed.
    event MinNoticeUpdated(uint32 oldMinNotice, uint32 newMinNotice);
    /// @notice The basket notified on execution changed.
    event BasketUpdated(address indexed oldBasket, address indexed newBasket);

    /// @notice Applies one accepted signal to `asset`'s membership state; SIGNAL_SOURCE_ROLE only.
    /// Reverts `InvalidZone`, `SignalFromFuture`, or `PendingActionDue` (not paused, see above).
    /// @param asset The signal's asset.
    /// @param zone ZONE_OPPORTUNITY or ZONE_DANGER.
    /// @param day The signal's UTC day number (unix time / 86400, rounded down).
    function onSignal(address asset, uint8 zone, uint32 day) external;

    /// @notice Executes the action pending for `asset` once due and not paused; anyone may call.
    /// @dev Records the membership change first, then calls `ISanxBasket.onMembershipChanged`;
    /// if the basket reverts, nothing changes and the action stays pending.
    function execute(address asset) external;

    /// @notice Cancels the action pending for `asset`; governance (DEFAULT_ADMIN_ROLE) only.
    function cancel(address asset) external;

    /// @notice The red button: stops scheduling and execution; GUARDIAN_ROLE only.
    function pause() external;

    /// @notice Lifts the red button; governance (DEFAULT_ADMIN_ROLE) only.
    function unpause() external;

    /// @notice Sets the delay {days} for actions scheduled from now on; governance only.
    /// @dev Pending actions keep the due time computed when they were scheduled.
    function setDelayDays(uint32 newDelayDays) external;

    /// @notice Sets the minimum notice {s, within [MIN_NOTICE_FLOOR, MAX_MIN_NOTICE] = [1 hour, 7 days]}
    /// between a signal's relay and its action, for actions scheduled from now on; governance only.
    function setMinNotice(uint32 newMinNotice) external;

    /// @notice Sets the basket notified on execution; governance only.
    function setBasket(ISanxBasket newBasket) external;

    /// @notice The held set, in no particular order.
    function members() external view returns (address[] memory);

    /// @notice Whether `asset` is held.
    function isMember(address asset) external view returns (bool);

    /// @notice The action pending for `asset`: its kind (`None` if nothing), due time {unix s} and signal day.
    function pending(address asset) external view returns (ActionKind kind, uint64 dueAt, uint32 signalDay);

    /// @notice The delay {days} between a signal's day and the start of the day its action is due.
    function delayDays() external view returns (uint32);

    /// @notice The minimum notice {s} between a signal's relay and its action's due time.
    function minNotice() external view returns (uint32);

    /// @notice The UTC day number of the latest signal applied to `asset` (0 before any): signals dated
    /// before it are ignored as `OutOfOrder`.
    function lastSignalDay(address asset) external view returns (uint32);

    /// @notice The basket notified on execution (zero until set).
    function basket() external view returns (ISanxBasket);

    /// @notice Whether the red button is pressed.
    function paused() external view returns (bool);
}
