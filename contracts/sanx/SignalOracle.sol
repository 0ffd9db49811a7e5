// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockCheck} from "../governance/TimelockCheck.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {QuorumVerifier} from "../oracles/QuorumVerifier.sol";
import {ISignalOracle} from "../interfaces/ISignalOracle.sol";
import {ISanxController, ZONE_OPPORTUNITY, ZONE_DANGER} from "../interfaces/ISanxController.sol";

/// @title SignalOracle
/// @notice Accepts m-of-n EIP-712 signed MVRV signals for the SANX universe and forwards them to
/// the SanxController, which decides what they do to membership.
/// @dev Replay protection: one accepted signal per (asset, day), a bit per day; no order between days
/// (the controller applies them per asset by day); the EIP-712 domain binds chain and contract.
/// Freshness: an expiry no later than now + maxValidity, and a day that does not start after now +
/// maxFutureSkew, so the key space cannot be run ahead of time.
contract SignalOracle is ISignalOracle, QuorumVerifier {
    using EnumerableSet for EnumerableSet.AddressSet;

    // == Constants & immutables ==
    bytes32 public constant SIGNAL_TYPEHASH = keccak256(
        "Signal(address asset,uint8 zone,uint32 day,uint256 mvrv,uint256 threshold,uint64 expiresAt)"
    );
    /// @notice Upper bound on maxFutureSkew {s}: one day.
    uint64 public constant MAX_FUTURE_SKEW = 1 days;
    /// @notice Upper bound on maxValidity {s}: seven days.
    uint64 public constant MAX_VALIDITY = 7 days;
    uint256 private constant _SECONDS_PER_DAY = 86_400;

    ISanxController private immutable _controller;

    // == Storage ==
    EnumerableSet.AddressSet private _universe;
    /// @dev Bit (day % 256) of word (day / 256) is set once a signal for (asset, day) was accepted.
    mapping(address asset => mapping(uint256 word => uint256 bits)) private _relayed;
    uint64 private _maxFutureSkew; // {s}
    uint64 private _maxValidity; // {s}

    // == Constructor ==
    /// @param admin Governance: manages signers, universe and time bounds.
    /// @param signers The initial signer set.
    /// @param quorum_ Signatures needed per signal.
    /// @param controller_ The SanxController, which must grant this oracle its SIGNAL_SOURCE_ROLE.
    /// @param maxFutureSkew_ {s} see `setTimeBounds`.
    /// @param maxValidity_ {s} see `setTimeBounds`.
    constructor(
        address admin,
        address[] memory signers,
        uint256 quorum_,
        ISanxController controller_,
        uint64 maxFutureSkew_,
        uint64 maxValidity_
    ) QuorumVerifier("SANX SignalOracle", "1", admin, signers, quorum_) {
        TimelockCheck.requireTimelock(admin);
        if (address(controller_) == address(0)) revert ZeroAddress();
        _controller = controller_;
        _setTimeBounds(maxFutureSkew_, maxValidity_);
    }

    // == External ==
    /// @inheritdoc ISignalOracle
    function submitSignal(Signal calldata signal, bytes[] calldata signatures) external {
        // == Checks ==
        (uint256 word, uint256 bit) = _checkSignal(signal);
        _verifyQuorum(_hashSignal(signal), signatures);

        // == Effects ==
        _relayed[signal.asset][word] |= bit;
        _emitAccepted(signal);

        // == Interactions ==
        // The controller is trusted (immutable) and re-entry finds (asset, day) already used.
        _controller.onSignal(signal.asset, signal.zone, signal.day);
    }

    /// @inheritdoc ISignalOracle
    function updateUniverse(address[] calldata add, address[] calldata remove) external onlyRole(DEFAULT_ADMIN_ROLE) {
        for (uint256 i = 0; i < remove.length; ++i) {
            if (!_universe.remove(remove[i])) revert InvalidUniverseUpdate(remove[i]);
            emit UniverseUpdated(remove[i], false);
        }
        for (uint256 i = 0; i < add.length; ++i) {
            if (add[i] == address(0) || !_universe.add(add[i])) revert InvalidUniverseUpdate(add[i]);
            emit UniverseUpdated(add[i], true);
        }
    }

    /// @inheritdoc ISignalOracle
    function setTimeBounds(uint64 newMaxFutureSkew, uint64 newMaxValidity) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTimeBounds(newMaxFutureSkew, newMaxValidity);
    }

    /// @inheritdoc ISignalOracle
    function hashSignal(Signal calldata signal) external pure returns (bytes32) {
        return _hashSignal(signal);
    }

    /// @inheritdoc ISignalOracle
    function signalDigest(Signal calldata signal) external view returns (bytes32) {
        return _hashTypedDataV4(_hashSignal(signal));
    }

    /// @inheritdoc ISignalOracle
    function controller() external view returns (ISanxController) {
        return _controller;
    }

    /// @inheritdoc ISignalOracle
    function isInUniverse(address asset) external view returns (bool) {
        return _universe.contains(asset);
    }

    /// @inheritdoc ISignalOracle
    function universe() external view returns (address[] memory) {
        return _universe.values();
    }

    /// @inheritdoc ISignalOracle
    function isRelayed(address asset, uint32 day) external view returns (bool) {
        return _relayed[asset][day >> 8] & (1 << (day & 0xff)) != 0;
    }

    /// @inheritdoc ISignalOracle
    function maxFutureSkew() external view returns (uint64) {
        return _maxFutureSkew;
    }

    /// @inheritdoc ISignalOracle
    function maxValidity() external view returns (uint64) {
        return _maxValidity;
    }

    // == Internal ==
    function _hashSignal(Signal calldata signal) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                SIGNAL_TYPEHASH,
                signal.asset,
                signal.zone,
                signal.day,
                signal.mvrv,
                signal.threshold,
                signal.expiresAt
            )
        );
    }

    /// @dev Every check but the signatures, cheapest first.
    /// @return word The (asset, day) bitmap word index, day / 256.
    /// @return bit The day's bit in that word, 1 << (day % 256).
    function _checkSignal(Signal calldata signal) private view returns (uint256 word, uint256 bit) {
        address asset = signal.asset;
        uint8 zone = signal.zone;
        if (zone == ZONE_OPPORTUNITY) {
            if (signal.mvrv >= signal.threshold) revert ZoneMismatch(zone, signal.mvrv, signal.threshold);
        } else if (zone == ZONE_DANGER) {
            if (signal.mvrv <= signal.threshold) revert ZoneMismatch(zone, signal.mvrv, signal.threshold);
        } else {
            revert InvalidZone(zone);
        }
        if (!_universe.contains(asset)) revert AssetNotInUniverse(asset);

        uint256 dayStart = uint256(signal.day) * _SECONDS_PER_DAY; // {s}
        uint256 latestDayStart = block.timestamp + _maxFutureSkew; // {s}
        if (dayStart > latestDayStart) revert SignalFromFuture(signal.day, dayStart, latestDayStart);
        if (block.timestamp > signal.expiresAt) revert SignalExpired(signal.expiresAt, block.timestamp);
        uint256 latestExpiry = block.timestamp + _maxValidity; // {s}
        if (signal.expiresAt > latestExpiry) revert ExpiryTooFar(signal.expiresAt, latestExpiry);

        word = signal.day >> 8;
        bit = 1 << (signal.day & 0xff);
        if (_relayed[asset][word] & bit != 0) revert SignalAlreadyRelayed(asset, signal.day);
    }

    function _emitAccepted(Signal calldata signal) private {
        emit SignalAccepted(
            signal.asset,
            signal.day,
            signal.zone,
            signal.mvrv,
            signal.threshold,
            signal.expiresAt,
            msg.sender
        );
    }

    function _setTimeBounds(uint64 newMaxFutureSkew, uint64 newMaxValidity) private {
        if (newMaxFutureSkew > MAX_FUTURE_SKEW || newMaxValidity == 0 || newMaxValidity > MAX_VALIDITY) {
            revert InvalidTimeBounds(newMaxFutureSkew, newMaxValidity);
        }
        _maxFutureSkew = newMaxFutureSkew;
        _maxValidity = newMaxValidity;
        emit TimeBoundsUpdated(newMaxFutureSkew, newMaxValidity);
    }
}
