// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {HostileToken} from "./mocks/HostileToken.sol";
import {IndexVaultHandler} from "./handlers/IndexVaultHandler.sol";
import {MarketHandler} from "./handlers/MarketHandler.sol";
import {RebalancerHandler} from "./handlers/RebalancerHandler.sol";
import {WeightOracleHandler} from "./handlers/WeightOracleHandler.sol";
import {IndexVaultSetup} from "./IndexVaultSetup.sol";

/// @title Regression tests kept from the invariant suite
/// @notice Each test replays a sequence the invariant suite (or the review it encodes) found breaking an
/// invariant, and asserts the invariant. The first three (issue 8 points 1-3) failed on the contracts
/// before the `vault`/`vault2` merges and pass on them.
contract IndexVaultRegression is IndexVaultSetup {
    uint256 private constant WAD = 1e18;

    function setUp() public {
        _deploy(); // actors[0] holds 1,000 shares of a 4-token basket
    }

    /// @notice Issue 8 point 2, found by `invariant_solvency` with the sender-fee mode on: the hostile token
    /// starts charging the sender 10% on top of each transfer; a redeem of half the supply then takes
    /// 110% of the redeemer's share out of the vault, and the remaining holders are under-collateralised.
    /// After the fix the redeem either reverts or leaves the vault solvent.
    function test_senderFeeTokenOnRedeemKeepsVaultSolvent() public {
        address holder = env.actors(0);
        tokens[0].setMode(HostileToken.Mode.SenderFee, 1_000, address(0));
        (address[] memory t,) = vault.previewRedeem(500e18);
        vm.prank(holder);
        try vault.redeem(500e18, holder, new uint256[](t.length)) {} catch {}
        _assertSolvent();
    }

    /// @notice Issue 8 point 3 (dust): a holder whose redemption rounds one constituent to zero must still
    /// be able to redeem (it receives nothing of that constituent; `ZeroAmounts` only if every amount is 0).
    function test_redeemRoundingOneConstituentToZeroSucceeds() public {
        address small = env.actors(1);
        vm.prank(env.actors(0));
        vault.transfer(small, 1e10); // the 6-decimal unit is 25e6 per 1e18 shares: 1e10 shares -> 0.00025
        (address[] memory t, uint256[] memory amounts) = vault.previewRedeem(1e10);
        assertTrueZero(amounts);
        vm.prank(small);
        vault.redeem(1e10, small, new uint256[](t.length));
        vm.assertEq(vault.balanceOf(small), 0, "shares burnt");
        _assertSolvent();
    }

    /// @notice Issue 8 point 1: a paused constituent must not freeze the other constituents' exit: the
    /// holder redeems with `redeemSkipping`, forgoing the paused token.
    function test_pausedConstituentDoesNotFreezeExit() public {
        address holder = env.actors(0);
        tokens[0].setMode(HostileToken.Mode.Paused, 0, address(0));
        uint256 before = tokens[1].balanceOf(holder);
        _redeemSkipping(holder, 1_000e18, address(tokens[0]));
        vm.assertGe(tokens[1].balanceOf(holder), before + 1, "the other constituents paid");
        _assertSolvent();
    }

    // == Counterexamples of the long run (2026-12-04), shrunk by forge, replayed call by call ==
    /// @notice `invariant_handlerChecks` failed: a $0.016 trade of T18 into T8 ($71,256, 8 decimals) lost
    /// 2 base units of T8 ($0.0014, 8% of the trade) against a 1% bound. Not a contract bug: the oracle
    /// floor rounds down twice by design (Rebalancer `_oracleMinOut`), so a fill may be up to 2 units of
    /// tokenOut below fair less the bound; the handler allowed one. Kept: the loss stays within the bound
    /// plus those 2 units.
    function test_tinyTradeLosesAtMostTwoUnitsBeyondTheBound() public {
        (, WeightOracleHandler oh, RebalancerHandler rh, MarketHandler mh) = _handlers();
        oh.submitReport(9999, 22581);
        mh.movePrice(25238049348622902685935762681520964246173797121408044148610657114456601, 29123923432822917128150164725374959);
        rh.upkeep(96);
        rh.trade(6486525198, 328198636152817701679669333141387581776712126467780436867106424, type(uint256).max - 1, 5281996625574568881136076492912825082216);
        mh.warp(377383002378154195573775707979510002361911426145);
        rh.trade(5714, 500e18, 100e18, 33540518);
        vm.assertEq(env.violation(), "", "handler check");
        vm.assertGe(env.keeperLossUsd(), 1, "the sequence still trades (it reproduces the loss)");
    }

    /// @notice `invariant_supplyConservation` reverted (arithmetic underflow in the ghost sum
    /// minted - burned + fees): an actor made fee recipient redeems its fee shares, so burned exceeded
    /// minted. A suite bug (ghost order), not a contract bug; kept to pin the corrected sum.
    function test_feeRecipientRedeemingFeeSharesConservesSupply() public {
        (IndexVaultHandler vh,,, MarketHandler mh) = _handlers();
        vh.permitAndPull(48, 899651473392872607304381536064696330986314530216708706255751599, 155497309653411222386331381159909618553);
        vh.setFeeRecipient(true);
        vh.setFeeRate(21597912681278707102433971830370054535707886243);
        mh.warp(10724966513073486766621616179081650647208317945566761118);
        vh.redeem(3, type(uint256).max - 3, 136723189244890610717);
        vh.setFeeRecipient(false);
        vh.redeem(6e12, 20644, 144);
        vh.redeem(0, 574080640239103724774763944163148983, 1332835322754608559975852491456757644123557694160158309035186195);
        try vh.redeem(67600133182528087743807453861108708, 141952368753664210817834958259755967631, 24186362154614955008779004915152127568331433916809066612692) {} catch {}
        vm.assertTrue(env.ghostBurned() > env.ghostMinted(), "the sequence burns fee shares (old ghost sum underflowed)");
        vm.assertEq(vault.effectiveSupply(), env.ghostMinted() + env.ghostFeeShares() - env.ghostBurned(), "supply");
        vm.assertEq(env.violation(), "", "handler check");
    }

    // == Helpers ==
    function _handlers()
        internal
        returns (IndexVaultHandler vh, WeightOracleHandler oh, RebalancerHandler rh, MarketHandler mh)
    {
        vh = new IndexVaultHandler(env);
        oh = new WeightOracleHandler(env);
        rh = new RebalancerHandler(env);
        mh = new MarketHandler(env);
    }

    function _redeemSkipping(address holder, uint256 shares, address skip) internal {
        (address[] memory t,) = vault.previewRedeem(shares);
        address[] memory skipped = new address[](1);
        skipped[0] = skip;
        vm.prank(holder);
        (bool ok, bytes memory err) = address(vault).call(
            abi.encodeWithSignature(
                "redeemSkipping(uint256,address,uint256[],address[])", shares, holder, new uint256[](t.length), skipped
            )
        );
        if (!ok) {
            assembly {
                revert(add(err, 32), mload(err))
            }
        }
    }

    function assertTrueZero(uint256[] memory amounts) internal pure {
        bool zero;
        for (uint256 i = 0; i < amounts.length; ++i) {
            if (amounts[i] == 0) zero = true;
        }
        vm.assertTrue(zero, "setup: one amount rounds to zero");
    }

    function _assertSolvent() internal view {
        uint256 supply = vault.effectiveSupply();
        (address[] memory t, uint256[] memory stored, uint256 scale) = vault.rawBasket();
        for (uint256 i = 0; i < t.length; ++i) {
            uint256 owed = Math.mulDiv(supply, stored[i] * scale, WAD * WAD, Math.Rounding.Ceil);
            vm.assertGe(IERC20(t[i]).balanceOf(address(vault)), owed, "solvency: balance below supply x unit");
        }
    }
}
