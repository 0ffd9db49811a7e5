// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISanxController} from "./ISanxController.sol";

/// @title ISignalOracle
/// @notice Accepts MVRV zone signals signed by an m-of-n signer set (EIP-712) and forwards each
/// accepted one to the SanxController. Anyone may relay a validly signed signal.
/// @dev A signal is accepted only if: its zone is 1 (OPPORTUNITY) or 2 (DANGER) and agrees with
/// its numbers (OPPORTUNITY: mvrv < threshold; DANGER: mvrv > threshold); its asset is in the SANX
/// universe; its day does not start after now + maxFutureSkew; it has not expired and its expiry is
/// at most now + maxValidity; no signal for the same asset and day was accepted before; and a quorum of
/// distinct signers signed it.
/// Replay protection is keyed by (asset, day), one signal per asset per UTC day (the engine fires at most
/// one per day), with no order between days: relaying a later day first, or relaying during the
/// controller's red button, uses up only that signal's own (asset, day), never another day's. The order
/// of application is the controller's (per asset, by day: an older day than the last applied is recorded
/// as ignored, `OutOfOrder`). Days are bounded by now + maxFutureSkew, so the key space cannot be exhausted;
/// an expired signal can be signed again with a new expiry as long as its (asset, day) was not used.
interface ISignalOracle {
    /// @notice One signed MVRV signal.
    /// @param asset The token the signal is about.
    /// @param zone 1 = OPPORTUNITY, 2 = DANGER.
    /// @param day The UTC day number of the signal (unix time / 86400, rounded down); with `asset`, the
    /// replay key: one accepted signal per asset and day.
    /// @param mvrv The asset's MVRV on `day` {1e18 = ratio 1}.
    /// @param threshold The crossed threshold: L_t for OPPORTUNITY, U_t for DANGER {1e18 = ratio 1}.
    /// @param expiresAt Last second {unix s} at which the signal may be relayed.
    struct Signal {
        address asset;
        uint8 zone;
        uint32 day;
        uint256 mvrv;
        uint256 threshold;
        uint64 expiresAt;
    }

    /// @notice The zone is not 1 or 2.
    error InvalidZone(uint8 zone);
    /// @notice The zone contradicts the numbers it claims (OPPORTUNITY needs mvrv < threshold, DANGER mvrv > threshold).
    error ZoneMismatch(uint8 zone, uint256 mvrv, uint256 threshold);
    /// @notice The asset is not in the SANX universe.
    error AssetNotInUniverse(address asset);
    /// @notice The signal's day starts at `dayStart` {unix s}, after the latest allowed `latestAllowed` = now + maxFutureSkew.
    error SignalFromFuture(uint32 day, uint256 dayStart, uint256 latestAllowed);
    /// @notice The signal expired at `expiresAt` {unix s}; it is now `nowTs`.
    error SignalExpired(uint64 expiresAt, uint256 nowTs);
    /// @notice The signal's expiry is later than `latestAllowed` = now + maxValidity {unix s}.
    error ExpiryTooFar(uint64 expiresAt, uint256 latestAllowed);
    /// @notice A signal for `asset` and `day` was already accepted (a replay, or a second signal for that day).
    error SignalAlreadyRelayed(address asset, uint32 day);
    /// @notice Time bounds out of range: maxFutureSkew <= MAX_FUTURE_SKEW, 0 < maxValidity <= MAX_VALIDITY {s}.
    error InvalidTimeBounds(uint64 maxFutureSkew, uint64 maxValidity);
    /// @notice A zero address where a contract is required.
    error ZeroAddress();
    /// @notice The zero address, an asset added twice, or one removed while absent.
    error InvalidUniverseUpdate(address asset);

    /// @notice A signal was accepted and forwarded to the controller; every signed field, plus the relayer.
    event SignalAccepted(
        address indexed asset,
        uint32 indexed day,
        uint8 zone,
        uint256 mvrv,
        uint256 threshold,
        uint64 expiresAt,
        address indexed relayer
    );
    /// @notice An asset joined (`allowed`) or left the SANX universe.
    event UniverseUpdated(address indexed asset, bool allowed);
    /// @notice The time bounds changed {s}.
    event TimeBoundsUpdated(uint64 maxFutureSkew, uint64 maxValidity);

    /// @notice Verifies `signal` and its quorum of `signatures` (ascending signer order), records its
    /// (asset, day) as used, and forwards it to the controller; anyone may call. If the controller
    /// reverts (e.g. `PendingActionDue`), nothing is recorded and the signal stays usable.
    function submitSignal(Signal calldata signal, bytes[] calldata signatures) external;

    /// @notice Adds and removes assets of the SANX universe; admin only.
    /// @dev Removing an asset stops its signals, but not an action already pending in the controller.
    function updateUniverse(address[] calldata add, address[] calldata remove) external;

    /// @notice Sets the future-day tolerance and the longest validity window {s}; admin only.
    function setTimeBounds(uint64 newMaxFutureSkew, uint64 newMaxValidity) external;

    /// @notice The EIP-712 struct hash of `signal` (what the signers sign, before the domain).
    function hashSignal(Signal calldata signal) external pure returns (bytes32);

    /// @notice The EIP-712 digest of `signal` under this deployment's domain.
    function signalDigest(Signal calldata signal) external view returns (bytes32);

    /// @notice The controller accepted signals are forwarded to.
    function controller() external view returns (ISanxController);

    /// @notice Whether `asset` is in the SANX universe.
    function isInUniverse(address asset) external view returns (bool);

    /// @notice The SANX universe, in no particular order.
    function universe() external view returns (address[] memory);

    /// @notice Whether a signal for `asset` dated `day` was accepted.
    function isRelayed(address asset, uint32 day) external view returns (bool);

    /// @notice How far {s} a signal's day may start after now (clock skew allowance).
    function maxFutureSkew() external view returns (uint64);

    /// @notice The longest time {s} from now to a signal's expiry.
    function maxValidity() external view returns (uint64);
}
