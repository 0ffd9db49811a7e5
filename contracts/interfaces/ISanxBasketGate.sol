// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISanxBasket, ISanxController} from "./ISanxController.sol";
import {IIndexVault} from "./IIndexVault.sol";

/// @title ISanxBasketGate
/// @notice The SANX basket: one IndexVault instance (the same core as every SSI product) behind a
/// gate that makes membership the only way its constituents change.
///
/// Two doors, two callers:
/// - the SanxController calls `onMembershipChanged` when it executes an ADD or REMOVE; the gate
///   records the change and emits `TargetsDue` so keepers know a weight report is needed;
/// - the WeightOracle forwards signed SANX weight reports (with `report.index` = this gate) to
///   `setTargets`; the gate checks the tokens are exactly the controller's members (any order, none
///   missing, no extra), or exactly [reserve asset] at weight 1e18 when there is no member, and
///   forwards them to the vault's `setTargets` as the vault's current round + 1 (the gate holds the
///   vault's ORACLE_ROLE; the WeightOracle must not), so the vault's rounds advance by exactly one.
/// Weights are not the gate's business: they come from quorum-signed market-cap reports (ADD:
/// market-cap weights over the new set; REMOVE: the removed weight shared by market cap).
///
/// Invariants: (1) every target basket the vault accepts through the gate has the controller's
/// membership (or the reserve asset alone) as its token set at the time it was accepted; (2) while
/// the controller's red button is pressed no target reaches the vault; (3) redemption never touches
/// the gate or the controller.
interface ISanxBasketGate is ISanxBasket {
    /// @notice `caller` is not the SanxController.
    error NotController(address caller);
    /// @notice `caller` is not the WeightOracle.
    error NotWeightOracle(address caller);
    /// @notice The report lists `given` tokens; the membership needs `expected` (the member count,
    /// or 1 for the reserve asset when there is no member).
    error ConstituentCountMismatch(uint256 given, uint256 expected);
    /// @notice `token` is in the report but is not a member of the SANX basket.
    error NotAMember(address token);
    /// @notice With no member, the report must hold only `reserve`; it holds `token`.
    error NotReserveAsset(address token, address reserve);
    /// @notice With no member, the reserve asset's weight must be 1e18; it is `weight`.
    error ReserveWeightNotOne(uint256 weight);
    /// @notice The controller's red button is pressed: no target reaches the vault.
    error ControllerPaused();
    /// @notice A zero address where a contract or token is required.
    error ZeroAddress();

    /// @notice The controller executed an ADD (`added`) or REMOVE of `asset`; `change` counts every
    /// change since deployment (1 for the first). A weight report over the new membership is due.
    event TargetsDue(address indexed asset, bool added, uint64 indexed change, uint256 memberCount);
    /// @notice A report over the current membership was forwarded to the vault as its targets `round`
    /// (the vault's previous round + 1); it answers every change up to `change`.
    event TargetsForwarded(uint64 indexed round, uint64 indexed change, address[] tokens, uint256[] weights);

    /// @notice Checks `tokens` against the membership and forwards the report to the vault;
    /// WeightOracle only. Reverts (changing nothing) on any mismatch or while the controller is paused.
    /// @param round The report's round (the WeightOracle's replay key, unused here): the vault receives
    /// its own current round + 1, whatever this is.
    /// @param tokens Exactly the members in any order, or [reserveAsset] when there is none.
    /// @param weights {WAD} per token, summing to 1e18 (checked again by the vault).
    function setTargets(uint64 round, address[] calldata tokens, uint256[] calldata weights) external;

    /// @notice The SanxController whose membership the gate enforces.
    function controller() external view returns (ISanxController);

    /// @notice The SANX IndexVault the gate forwards targets to.
    function vault() external view returns (IIndexVault);

    /// @notice The WeightOracle allowed to call `setTargets`.
    function weightOracle() external view returns (address);

    /// @notice The asset the basket holds when it has no member (the USD stablecoin by default).
    function reserveAsset() external view returns (address);

    /// @notice The token set a report must have now: the members (controller order), or [reserveAsset].
    function expectedTokens() external view returns (address[] memory);

    /// @notice Membership changes recorded since deployment, and how many of them the vault's
    /// targets already answer.
    function changes() external view returns (uint64 recorded, uint64 answered);

    /// @notice Whether a membership change still waits for its weight report (`recorded > answered`).
    function targetsDue() external view returns (bool);

    /// @notice The last recorded change: its asset, kind and time {unix s} (zero before any).
    function lastChange() external view returns (address asset, bool added, uint64 at);
}
