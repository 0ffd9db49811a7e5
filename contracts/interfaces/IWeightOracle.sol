// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IWeightOracle
/// @notice Accepts EIP-712 weight reports signed by a quorum of the signer set (see IQuorumVerifier)
/// and forwards each accepted report to its index vault's `setTargets`. Anyone may relay.
///
/// EIP-712 type (domain: name "SSI Weight Oracle", version "1", this chain id, this contract):
///   WeightReport(address index,uint64 round,uint64 validAfter,uint64 expiresAt,address[] constituents,uint256[] weights)
/// Replay protection: each index's rounds advance by exactly one (round = lastRound + 1), so no report
/// can exhaust the round space; the domain binds chain and contract.
interface IWeightOracle {
    /// @notice A signed weight report.
    /// @param index The IndexVault the report is for.
    /// @param round Exactly `lastRound(index) + 1`.
    /// @param validAfter Unix seconds; the report is rejected before this time.
    /// @param expiresAt Unix seconds; the report is rejected after this time, and it may be at most
    /// `maxValidity` seconds after the block that relays it.
    /// @param constituents Distinct tokens, each with a feed in the price registry.
    /// @param weights WAD fractions (1e18 = 100%), each > 0, summing to exactly 1e18.
    struct WeightReport {
        address index;
        uint64 round;
        uint64 validAfter;
        uint64 expiresAt;
        address[] constituents;
        uint256[] weights;
    }

    /// @notice `round` is not the next round of this index (`lastRound(index) + 1`).
    error RoundNotNext(address index, uint64 round, uint256 expected);
    /// @notice Relayed before `validAfter`.
    error ReportNotYetValid(uint64 validAfter, uint256 nowTs);
    /// @notice Relayed after `expiresAt`.
    error ReportExpired(uint64 expiresAt, uint256 nowTs);
    /// @notice `expiresAt` is more than `maxValidity` seconds after now.
    error ExpiryTooFar(uint64 expiresAt, uint256 nowTs, uint256 maxValidity);
    /// @notice The zero address as index.
    error ZeroIndex();
    /// @notice A zero max validity, or one above MAX_VALIDITY (7 days) {s}.
    error InvalidMaxValidity(uint256 maxValidity);

    /// @notice A report was verified and forwarded to its vault.
    event ReportAccepted(address indexed index, uint64 indexed round, bytes32 digest, address relayer);
    /// @notice The admin changed how far in the future a report may expire.
    event MaxValidityUpdated(uint256 maxValidity);

    /// @notice Verifies `report` (round, time window, weights, quorum of distinct known signers whose
    /// signatures are given in ascending signer order) and calls `report.index.setTargets`.
    function submit(WeightReport calldata report, bytes[] calldata signatures) external;

    /// @notice Sets the largest allowed `expiresAt - now` {s}, 0 < maxValidity <= 7 days; admin only
    /// (the admin is a TimelockController: the change waits out its delay).
    function setMaxValidity(uint256 maxValidity) external;

    /// @notice The last accepted round for `index` (0 before any).
    function lastRound(address index) external view returns (uint64);

    /// @notice The largest allowed `expiresAt - now`, in seconds (default 1 day).
    function maxValidity() external view returns (uint256);

    /// @notice The EIP-712 digest signers sign for `report`.
    function reportDigest(WeightReport calldata report) external view returns (bytes32);

    /// @notice The price registry every constituent must be priced by.
    function priceRegistry() external view returns (address);
}
