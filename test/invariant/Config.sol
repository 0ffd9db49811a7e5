// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Switches for behaviour the contracts on this branch do not have yet (issue 8). Each guards the
/// part of the suite that needs it; flip it to true when the branch named below has merged, and the
/// guarded handlers, invariants and regression tests run (each guarded regression test fails on this
/// branch's contracts with its flag on: checked). README "Invariant suite" lists them.
library Todo {
    /// @dev branch `vault`: `redeem` with skipped constituents (issue 8 point 1). Until then the exit
    /// liveness invariant is not checked while the hostile constituent is frozen (paused, blacklisting
    /// the vault, reverting); every other invariant is. With it, adapt `invariant_exitLiveness` to skip
    /// the frozen token and `IndexVaultRegression._redeemSkipping` to the new signature.
    bool internal constant VAULT_REDEEM_SKIP = false;
    /// @dev branch `vault`: redeem checks what left the vault (point 2). Until then the handler never turns
    /// the hostile token into a sender-fee token (it would break solvency: `test_senderFeeRedeem...`).
    bool internal constant VAULT_REDEEM_DELTA_CHECK = false;
    /// @dev branch `vault`: a redeem pays nothing of a constituent whose amount rounds to zero (point 3).
    /// Until then exit liveness is required only for holdings whose every amount is non-zero.
    bool internal constant VAULT_DUST_NEVER_BLOCKS = false;
    /// @dev branch `rebal`: per-round sides and a turnover cap (point 4). Until then keeper loss per round
    /// is recorded but not asserted against the turnover the targets require.
    bool internal constant REBAL_TURNOVER_CAP = false;
}
