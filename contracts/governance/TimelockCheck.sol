// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title TimelockCheck
/// @notice The one check every SSI contract with a DEFAULT_ADMIN_ROLE runs in its constructor: the admin
/// must be a TimelockController whose minimum delay is at least `MIN_ADMIN_DELAY`, so every admin action
/// (role grants, feeds, adapters, signer sets, fees, unpause) is queued on chain where holders can see it
/// for at least that long before it can run (issue 13). The same rule and floor as UssiVault's admin.
/// @dev Internal functions only: the check is inlined into the constructor (init code), so it adds no
/// runtime bytecode. Granting DEFAULT_ADMIN_ROLE later is itself an admin action and so goes through the
/// timelock's delay.
library TimelockCheck {
    /// @notice {s} The least minimum delay an admin timelock may have (1 day, as UssiVault's MIN_ADMIN_DELAY).
    uint256 internal constant MIN_ADMIN_DELAY = 1 days;

    /// @notice The admin is not a contract exposing `getMinDelay` (a TimelockController).
    error AdminNotTimelock(address admin);
    /// @notice The admin timelock's minimum delay {s} is below `minDelay` {s}.
    error AdminDelayTooShort(address admin, uint256 delay, uint256 minDelay);

    /// @dev Reverts unless `admin` is a contract whose `getMinDelay()` answers at least MIN_ADMIN_DELAY.
    function requireTimelock(address admin) internal view {
        if (admin.code.length == 0) revert AdminNotTimelock(admin);
        try TimelockController(payable(admin)).getMinDelay() returns (uint256 delay) {
            if (delay < MIN_ADMIN_DELAY) revert AdminDelayTooShort(admin, delay, MIN_ADMIN_DELAY);
        } catch {
            revert AdminNotTimelock(admin);
        }
    }
}
