// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockCheck} from "../governance/TimelockCheck.sol";
import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {IPriceRegistry} from "../interfaces/IPriceRegistry.sol";
import {IWeightOracle} from "../interfaces/IWeightOracle.sol";
import {WeightsLib} from "../libraries/WeightsLib.sol";
import {QuorumVerifier} from "./QuorumVerifier.sol";

/// @title WeightOracle
/// @notice m-of-n signed monthly weight reports -> `IndexVault.setTargets`. Holds ORACLE_ROLE on each vault.
contract WeightOracle is IWeightOracle, QuorumVerifier {
    bytes32 public constant WEIGHT_REPORT_TYPEHASH = keccak256(
        "WeightReport(address index,uint64 round,uint64 validAfter,uint64 expiresAt,address[] constituents,uint256[] weights)"
    );
    uint256 public constant DEFAULT_MAX_VALIDITY = 1 days;
    /// @notice {s} The largest `maxValidity` the admin may set (the same cap as SignalOracle).
    uint256 public constant MAX_VALIDITY = 7 days;

    // == Immutables ==
    IPriceRegistry private immutable _registry;

    // == Storage ==
    mapping(address index => uint64) private _lastRound;
    uint256 private _maxValidity; // {s}

    // == Constructor ==
    constructor(address admin, address registry, address[] memory signers, uint256 quorum_)
        QuorumVerifier("SSI Weight Oracle", "1", admin, signers, quorum_)
    {
        TimelockCheck.requireTimelock(admin);
        _registry = IPriceRegistry(registry);
        _maxValidity = DEFAULT_MAX_VALIDITY;
        emit MaxValidityUpdated(DEFAULT_MAX_VALIDITY);
    }

    // == External ==
    /// @inheritdoc IWeightOracle
    function submit(WeightReport calldata report, bytes[] calldata signatures) external {
        // == Checks ==
        address index = report.index;
        if (index == address(0)) revert ZeroIndex();
        // Rounds advance by exactly one: no report, however signed, can jump to the end of the space.
        // `last` < 2^64 - 1 here in practice (one round per report); the sum is computed in 256 bits.
        uint256 expected = uint256(_lastRound[index]) + 1;
        if (report.round != expected) revert RoundNotNext(index, report.round, expected);
        if (report.validAfter > block.timestamp) revert ReportNotYetValid(report.validAfter, block.timestamp);
        if (report.expiresAt < block.timestamp) revert ReportExpired(report.expiresAt, block.timestamp);
        // expiresAt >= now here, so the subtraction cannot underflow.
        if (report.expiresAt - block.timestamp > _maxValidity) {
            revert ExpiryTooFar(report.expiresAt, block.timestamp, _maxValidity);
        }
        WeightsLib.check(report.constituents, report.weights, _registry);
        bytes32 structHash = _structHash(report);
        _verifyQuorum(structHash, signatures);

        // == Effects ==
        _lastRound[index] = report.round;
        emit ReportAccepted(index, report.round, _hashTypedDataV4(structHash), msg.sender);

        // == Interactions ==
        IIndexVault(index).setTargets(report.round, report.constituents, report.weights);
    }

    /// @inheritdoc IWeightOracle
    function setMaxValidity(uint256 maxValidity_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (maxValidity_ == 0 || maxValidity_ > MAX_VALIDITY) revert InvalidMaxValidity(maxValidity_);
        _maxValidity = maxValidity_;
        emit MaxValidityUpdated(maxValidity_);
    }

    /// @inheritdoc IWeightOracle
    function lastRound(address index) external view returns (uint64) {
        return _lastRound[index];
    }

    /// @inheritdoc IWeightOracle
    function maxValidity() external view returns (uint256) {
        return _maxValidity;
    }

    /// @inheritdoc IWeightOracle
    function reportDigest(WeightReport calldata report) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(report));
    }

    /// @inheritdoc IWeightOracle
    function priceRegistry() external view returns (address) {
        return address(_registry);
    }

    // == Internal ==
    /// @dev EIP-712 `hashStruct`: dynamic arrays of atomic types hash as keccak256 of their elements,
    /// each padded to 32 bytes, which is exactly `abi.encodePacked` of the array.
    function _structHash(WeightReport calldata r) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                WEIGHT_REPORT_TYPEHASH,
                r.index,
                r.round,
                r.validAfter,
                r.expiresAt,
                keccak256(abi.encodePacked(r.constituents)),
                keccak256(abi.encodePacked(r.weights))
            )
        );
    }
}
