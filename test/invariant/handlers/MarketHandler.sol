// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";
import {Env} from "./Env.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {HostileToken} from "../mocks/HostileToken.sol";

/// @notice The world around the vault: time, Chainlink answers (moves and staleness), donations of dust
/// and of large amounts, and the hostile constituent changing its behaviour mid-run.
contract MarketHandler is HandlerBase {
    uint256 private constant WAD = 1e18;
    uint256 private constant YEAR = 365 days;

    constructor(Env env_) HandlerBase(env_) {}

    /// @notice Time passes (1 s .. 40 days: feeds go stale after a day, fees accrue). Checks that the fee
    /// shares accrued over the warp match rate x time: the effective supply S satisfies
    /// S(t) * (1 - f(t)) = S_L (the supply at the last accrual, to within one share of rounding) with
    /// f(t) = min(floor(rate / YEAR) * (t - lastAccrual), 0.5), the fee fraction since the last accrual
    /// (read from the vault's storage: `Env.storedLastAccrual`).
    function warp(uint256 secondsSeed) external {
        // Half the hops within an hour, 3 in 10 within a day (feeds stay fresh), 1 in 5 up to 40 days.
        uint256 kind = secondsSeed % 10;
        uint256 dt = _bound(secondsSeed >> 8, 1, kind < 5 ? 1 hours : kind < 8 ? 1 days : 40 days);
        uint256 s0 = vault.effectiveSupply();
        (uint256 rate,,,,,) = vault.feeState();
        uint256 last = env.storedLastAccrual();
        uint256 f0 = _feeFraction(rate, block.timestamp - last);
        vm.warp(block.timestamp + dt);
        uint256 s1 = vault.effectiveSupply();
        uint256 f1 = _feeFraction(rate, block.timestamp - last);
        if (s1 < s0) {
            env.fail("warp: effective supply fell with time");
            return;
        }
        env.addFeeShares(s1 - s0);
        uint256 a = s0 * (WAD - f0); // both ~ S_L * 1e18, each within (S_L * 1e18 - 1e18, S_L * 1e18]
        uint256 b = s1 * (WAD - f1);
        if ((a > b ? a - b : b - a) >= WAD) env.fail("warp: fee shares off rate x time");
    }

    function _feeFraction(uint256 rate, uint256 elapsed) private pure returns (uint256 f) {
        f = (rate / YEAR) * elapsed;
        if (f > WAD / 2) f = WAD / 2;
    }

    /// @notice Every feed answers again at its current price (fresh).
    function refreshFeeds() external {
        for (uint256 i = 0; i < env.tokenCount(); ++i) {
            MockV3Aggregator feed = env.feeds(i);
            feed.updateAnswer(feed.latestAnswer());
        }
    }

    /// @notice One feed moves by -20% .. +20% (and is fresh again).
    function movePrice(uint256 tokenSeed, uint256 bpsSeed) external {
        MockV3Aggregator feed = env.feeds(tokenSeed % env.tokenCount());
        int256 p = feed.latestAnswer();
        int256 bps = int256(_bound(bpsSeed, 8_000, 12_000));
        int256 next = p * bps / 10_000;
        if (next <= 0) next = 1;
        feed.updateAnswer(next);
    }

    /// @notice A donation to the vault: dust (1 .. 1,000 base units) or a large amount (up to 1e6 whole
    /// tokens). It changes no share count.
    function donate(uint256 tokenSeed, uint256 amountSeed, bool dust) external conserving("donate") {
        HostileToken token = _token(tokenSeed);
        uint256 amount = dust ? _bound(amountSeed, 1, 1_000) : _bound(amountSeed, 1, 1e6 * 10 ** token.decimals());
        token.mint(address(vault), amount);
    }

    /// @notice The hostile constituent (6 decimals, like USDC) changes behaviour: normal, fee-on-transfer
    /// taken from the recipient or from the sender (the vault's balance falls by more than it sent: its
    /// one-read solvency check must refuse that), paused, blacklisting the vault, reverting.
    function turnHostile(uint256 modeSeed, uint256 feeSeed) external {
        HostileToken token = env.tokens(env.HOSTILE());
        HostileToken.Mode mode = HostileToken.Mode(modeSeed % 6);
        // Hostile two calls in five, so most of the run still mints and trades it.
        if ((modeSeed >> 8) % 5 >= 2) mode = HostileToken.Mode.Normal;
        token.setMode(mode, _bound(feeSeed, 1, 1_000), address(vault));
    }

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](5);
        s[0] = this.warp.selector;
        s[1] = this.refreshFeeds.selector;
        s[2] = this.movePrice.selector;
        s[3] = this.donate.selector;
        s[4] = this.turnHostile.selector;
    }
}
