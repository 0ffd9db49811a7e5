// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SanxSetup} from "./Sanx.invariant.t.sol";

/// @notice Counterexamples the SANX suite found, kept as regression tests.
contract SanxRegression is SanxSetup {
    /// @notice Found by the long run (2026-12-05): in a window where every holder has redeemed and only the
    /// fee recipient's pending fee shares remain (totalSupply() == 0, effective supply > 0), the window
    /// dust rule was off (it tested totalSupply() alone), so a 1-wei donation of the entering target, which
    /// counts against so small a supply, reverted a correctly formed mint with AmountInAboveMax. The rule
    /// now tests the effective supply, as `_basketOf` does.
    function test_donationCannotRevertMintWhenOnlyFeeSharesRemain() public {
        handler.sign(0, true, 0, 7 days); // OPPORTUNITY for UNI dated today
        handler.relay(0, 0, 0); // relayed at once: ADD UNI scheduled
        handler.execute(0, 0, 3); // at its due time: UNI joins
        handler.rebalance(0, 0); // the weight report over [UNI] through the gate, then the window opens
        vm.assertTrue(s.vault.rebalancing(), "window open");
        handler.redeem(0, 0); // the only holder exits: only pending fee shares remain
        vm.assertEq(s.vault.totalSupply(), 0, "no shares left");
        vm.assertGt(s.vault.effectiveSupply(), 0, "pending fee shares left");
        handler.mint(1, 1e18, 1); // 1 wei of UNI donated first, then the mint sized before it
        vm.assertEq(handler.violation(), "", "handler check");
    }
}
