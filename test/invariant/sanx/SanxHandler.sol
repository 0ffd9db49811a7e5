// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";
import {IndexVault} from "../../../contracts/IndexVault.sol";
import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {IRebalancer} from "../../../contracts/interfaces/IRebalancer.sol";
import {ISanxController} from "../../../contracts/interfaces/ISanxController.sol";
import {ISignalOracle} from "../../../contracts/interfaces/ISignalOracle.sol";
import {IWeightOracle} from "../../../contracts/interfaces/IWeightOracle.sol";
import {PriceRegistry} from "../../../contracts/oracles/PriceRegistry.sol";
import {WeightOracle} from "../../../contracts/oracles/WeightOracle.sol";
import {Rebalancer} from "../../../contracts/rebalance/Rebalancer.sol";
import {SanxBasket} from "../../../contracts/sanx/SanxBasket.sol";
import {SanxController} from "../../../contracts/sanx/SanxController.sol";
import {SignalOracle} from "../../../contracts/sanx/SignalOracle.sol";
import {HostileToken} from "../mocks/HostileToken.sol";
import {OracleAdapter} from "../mocks/OracleAdapter.sol";
import {CheatBase} from "../utils/Vm.sol";

/// @notice Everything the SANX suite deploys, passed to the handler in one struct.
struct SanxStack {
    IndexVault vault;
    Rebalancer rebalancer;
    OracleAdapter adapter;
    PriceRegistry registry;
    WeightOracle weightOracle;
    SanxController controller;
    SignalOracle signalOracle;
    SanxBasket gate;
    address admin; // the TimelockController, only admin of every contract
    address guardian;
    address keeper;
}

/// @notice SANX driven end to end: signed signals (2 of 3 signal signers, `vm.sign`) for any (asset, day)
/// of the last ten days, relayed in any order, early or late within their validity; the red button
/// (guardian) and its lifting (governance); executions of due actions by anyone; weight reports over the
/// new membership through the real WeightOracle and the SanxBasket gate; rebalances through the real
/// Rebalancer over an oracle-price venue; mints (also right after a donation of a token the mint previewed
/// as 0: review R-4) and full redemptions by three actors; time warps (feeds re-stamped, so prices stay
/// fresh). Checks inside calls record the first violation in `violation`.
contract SanxHandler is CheatBase {
    uint256 private constant POOL = 12; // signed, not necessarily relayed signals kept for the sweep
    uint256 private constant DAY = 86_400;
    uint256 private constant DUST_USD = 10e18; // IndexVault's WINDOW_DUST_USD

    struct Sig {
        address asset;
        uint8 zone;
        uint32 day;
        uint64 expiresAt;
    }

    SanxStack internal s;
    HostileToken[] internal assets; // the SANX universe (UNI, AAVE, COMP), 18 decimals
    HostileToken internal reserve; // USDC, 6 decimals
    MockV3Aggregator[] internal feeds; // assets then reserve
    uint256[] internal signalKeys; // 3, ascending by address
    uint256[] internal weightKeys; // 3, ascending by address
    address[] internal actors;

    Sig[POOL] internal pool;
    uint256 public poolSize;
    uint256 private _next;

    // Ghosts per asset: when the signal that scheduled its pending action was relayed, and that signal's day.
    mapping(address asset => uint256) public relayedAt;
    mapping(address asset => uint32) public scheduledDay;
    // Coverage counters (what the run reached): actions scheduled, executions, relays refused while an
    // action was due, relays during the red button, mints in a window, mints after a speck donation.
    uint256 public scheduled;
    uint256 public executions;
    uint256 public refusedDue;
    uint256 public pausedRelays;
    uint256 public windowMints;
    uint256 public donatedMints;
    string public violation;

    constructor(
        SanxStack memory stack,
        HostileToken[] memory assets_,
        HostileToken reserve_,
        MockV3Aggregator[] memory feeds_,
        uint256[] memory signalKeys_,
        uint256[] memory weightKeys_,
        address[] memory actors_
    ) {
        s = stack;
        assets = assets_;
        reserve = reserve_;
        feeds = feeds_;
        signalKeys = signalKeys_;
        weightKeys = weightKeys_;
        actors = actors_;
    }

    function _fail(string memory why) internal {
        if (bytes(violation).length == 0) violation = why;
    }

    // == Signals ==
    /// @notice Signs a new signal for (asset, day), day in the last ten days, expiring 1 hour to 7 days from
    /// now; kept in the pool (the oldest slot reused). Nothing is relayed.
    function sign(uint256 assetSeed, bool opportunity, uint256 daySeed, uint256 validitySeed) public {
        address asset = address(assets[assetSeed % assets.length]);
        uint32 day = uint32(block.timestamp / DAY - _bound(daySeed, 0, 9));
        if (s.signalOracle.isRelayed(asset, day)) return;
        for (uint256 i = 0; i < poolSize; ++i) {
            if (pool[i].asset == asset && pool[i].day == day) return; // one signal per (asset, day)
        }
        uint64 expiresAt = uint64(block.timestamp + _bound(validitySeed, 1 hours, 7 days));
        pool[_next % POOL] = Sig(asset, opportunity ? 1 : 2, day, expiresAt);
        _next++;
        if (poolSize < POOL) poolSize++;
    }

    /// @dev The signal and 2 of the 3 signatures (ascending signer order), over the oracle's domain.
    function signalAndSigs(uint256 i) public view returns (ISignalOracle.Signal memory sig, bytes[] memory sigs) {
        Sig memory p = pool[i];
        sig = ISignalOracle.Signal({
            asset: p.asset,
            zone: p.zone,
            day: p.day,
            mvrv: p.zone == 1 ? 1e18 : 2e18,
            threshold: 1.5e18,
            expiresAt: p.expiresAt
        });
        bytes32 digest = s.signalOracle.signalDigest(sig);
        sigs = new bytes[](2);
        for (uint256 k = 0; k < 2; ++k) {
            (uint8 v, bytes32 r, bytes32 ss) = vm.sign(signalKeys[k], digest);
            sigs[k] = abi.encodePacked(r, ss, v);
        }
    }

    /// @notice Whether pool entry `i` is still a validly signed, unexpired, unrelayed signal.
    function usable(uint256 i) public view returns (bool) {
        Sig memory p = pool[i];
        return block.timestamp <= p.expiresAt && !s.signalOracle.isRelayed(p.asset, p.day);
    }

    /// @notice Relays pool entry `idx` (a fresh signal is signed first when the pool has none usable), early
    /// (now) or late (after a warp up to its expiry). It must be accepted, or refused only with
    /// `PendingActionDue` for an asset whose pending action is due and the red button up. A scheduled
    /// action must be due no sooner than its day + delay and the minimum notice after now; while the
    /// red button is pressed nothing may be scheduled.
    function relay(uint256 idx, uint256 lateSeed, uint256 signSeed) external {
        if (poolSize == 0) sign(signSeed, signSeed & 1 == 0, signSeed >> 8, signSeed >> 16);
        if (poolSize == 0) return;
        uint256 i = idx % poolSize;
        for (uint256 k = 0; k < poolSize && !usable(i); ++k) {
            i = (i + 1) % poolSize; // the first usable entry from idx on
        }
        if (!usable(i)) return;
        if (lateSeed & 1 == 1) _warp(_bound(lateSeed >> 1, 0, pool[i].expiresAt - block.timestamp));
        (ISignalOracle.Signal memory sig, bytes[] memory sigs) = signalAndSigs(i);
        (ISanxController.ActionKind kindBefore,,) = s.controller.pending(sig.asset);
        bool paused = s.controller.paused();
        if (paused) pausedRelays++;
        try s.signalOracle.submitSignal(sig, sigs) {
            (ISanxController.ActionKind kind, uint64 dueAt, uint32 day) = s.controller.pending(sig.asset);
            if (kindBefore == ISanxController.ActionKind.None && kind != ISanxController.ActionKind.None) {
                if (paused) _fail("sanx: an action was scheduled during the red button");
                if (day != sig.day) _fail("sanx: scheduled action's day is not its signal's");
                if (dueAt < (uint256(sig.day) + s.controller.delayDays()) * DAY) _fail("sanx: due before its day + delay");
                if (dueAt < block.timestamp + s.controller.minNotice()) _fail("sanx: due before the minimum notice");
                scheduled++;
                relayedAt[sig.asset] = block.timestamp;
                scheduledDay[sig.asset] = sig.day;
            }
        } catch (bytes memory err) {
            refusedDue++;
            if (!allowedRefusal(sig.asset, err)) {
                _fail(string.concat("sanx: a usable signal was refused: ", vm.toString(err)));
            }
        }
    }

    /// @notice A relay may be refused only while the asset's pending action is due and the red button is
    /// up (`PendingActionDue`: execute it first); any other refusal burns a usable signal.
    function allowedRefusal(address asset, bytes memory err) public view returns (bool) {
        if (err.length < 4 || bytes4(err) != ISanxController.PendingActionDue.selector) return false;
        (ISanxController.ActionKind kind,,) = s.controller.pending(asset);
        return kind != ISanxController.ActionKind.None && !s.controller.paused();
    }

    // == Executions and the red button ==
    /// @notice Anyone executes the action pending for an asset. Success requires: not paused, now >= the
    /// action's day + delay (UTC day start) and >= its relay + the minimum notice. A due action, with the
    /// red button up, must execute.
    /// `timing` 0-1: now; 2: one second before the due time; 3: at the due time (a warp, feeds re-stamped).
    /// The asset is the first from `assetSeed` on with a pending action, if any.
    function execute(uint256 assetSeed, uint256 callerSeed, uint8 timing) external {
        address asset = address(assets[assetSeed % assets.length]);
        for (uint256 k = 0; k < assets.length; ++k) {
            address a = address(assets[(assetSeed + k) % assets.length]);
            (ISanxController.ActionKind pk,,) = s.controller.pending(a);
            if (pk != ISanxController.ActionKind.None) {
                asset = a;
                break;
            }
        }
        (ISanxController.ActionKind kind, uint64 dueAt,) = s.controller.pending(asset);
        if (kind != ISanxController.ActionKind.None && timing % 4 >= 2 && block.timestamp + 1 < dueAt) {
            _warp(dueAt - block.timestamp - (timing % 4 == 2 ? 1 : 0));
        }
        bool paused = s.controller.paused();
        bool wasMember = s.controller.isMember(asset);
        vm.prank(actors[callerSeed % actors.length]);
        try s.controller.execute(asset) {
            executions++;
            if (paused) _fail("sanx: executed during the red button");
            if (block.timestamp < dueAt) _fail("sanx: executed before dueAt");
            if (block.timestamp < (uint256(scheduledDay[asset]) + s.controller.delayDays()) * DAY) {
                _fail("sanx: executed before its day + delay");
            }
            if (block.timestamp < relayedAt[asset] + s.controller.minNotice()) _fail("sanx: executed before the notice");
            if (s.controller.isMember(asset) == wasMember) _fail("sanx: execution did not change membership");
        } catch (bytes memory err) {
            if (kind != ISanxController.ActionKind.None && !paused && block.timestamp >= dueAt) {
                _fail(string.concat("sanx: a due action failed to execute: ", vm.toString(err)));
            }
        }
    }

    /// @notice The guardian presses the red button (controller and vault; one call in four) or governance
    /// lifts it.
    function redButton(uint256 seed) external {
        if (seed % 4 == 0) {
            vm.startPrank(s.guardian);
            if (!s.controller.paused()) s.controller.pause();
            if (!s.vault.paused()) s.vault.pause();
        } else {
            vm.startPrank(s.admin);
            if (s.controller.paused()) s.controller.unpause();
            if (s.vault.paused()) s.vault.unpause();
        }
        vm.stopPrank();
    }

    /// @notice Governance cancels an asset's pending action (rarely: one call in 32 of this selector acts).
    function cancel(uint256 assetSeed) external {
        if (assetSeed % 32 != 0) return;
        address asset = address(assets[(assetSeed >> 5) % assets.length]);
        vm.prank(s.admin);
        try s.controller.cancel(asset) {} catch {}
    }

    // == Weights and rebalancing ==
    /// @notice When a membership change waits for its report and the red button is up: a weight report over
    /// the gate's expected tokens (equal weights, the remainder on the first) signed by 2 of 3 and relayed.
    function pushWeights() public {
        if (!s.gate.targetsDue() || s.controller.paused()) return;
        address[] memory t = s.gate.expectedTokens();
        uint256[] memory w = new uint256[](t.length);
        for (uint256 i = 0; i < t.length; ++i) {
            w[i] = 1e18 / t.length;
        }
        w[0] += 1e18 - (1e18 / t.length) * t.length;
        IWeightOracle.WeightReport memory r = IWeightOracle.WeightReport({
            index: address(s.gate),
            round: s.weightOracle.lastRound(address(s.gate)) + 1,
            validAfter: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 1 hours),
            constituents: t,
            weights: w
        });
        bytes32 digest = s.weightOracle.reportDigest(r);
        bytes[] memory sigs = new bytes[](2);
        for (uint256 k = 0; k < 2; ++k) {
            (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(weightKeys[k], digest);
            sigs[k] = abi.encodePacked(rr, ss, v);
        }
        try s.weightOracle.submit(r, sigs) {} catch (bytes memory err) {
            _fail(string.concat("sanx: a weight report over the membership was refused: ", vm.toString(err)));
        }
    }

    /// @notice The keeper, one step per call (`step` % 3): 0 opens the window (after relaying a weight report
    /// that is due), 1 makes up to three trades from the most overweight Sell token into the most
    /// underweight Buy token at the oracle price less up to 0.5%, 2 trades and tries to close.
    function rebalance(uint256 slipSeed, uint8 step) external {
        pushWeights();
        (, uint64 openRound,,) = s.rebalancer.window();
        vm.startPrank(s.keeper);
        if (openRound == 0) {
            try s.rebalancer.openRebalance() {} catch {}
        } else if (step % 3 != 0) {
            s.adapter.setSlippageBps(_bound(slipSeed, 0, 50));
            for (uint256 k = 0; k < 3; ++k) {
                if (!_tradeTowardTargets()) break;
            }
            if (step % 3 == 2) {
                try s.rebalancer.closeRebalance() {} catch {}
            }
        }
        vm.stopPrank();
    }

    /// @notice Chainlink Automation, called by anyone (closes an expired window, accrues, opens).
    function upkeep() external {
        try s.rebalancer.performUpkeep("") {} catch {}
    }

    function _tradeTowardTargets() internal returns (bool) {
        (, address[] memory tt, uint256[] memory tw) = s.vault.targets();
        (address[] memory t,) = s.vault.basket();
        uint256 nav;
        uint256[] memory values = new uint256[](t.length);
        for (uint256 i = 0; i < t.length; ++i) {
            values[i] = _usd(t[i], IERC20(t[i]).balanceOf(address(s.vault)));
            nav += values[i];
        }
        (uint256 si, uint256 bi) = (type(uint256).max, type(uint256).max);
        uint256[] memory gap = new uint256[](t.length);
        bool[] memory over = new bool[](t.length);
        for (uint256 i = 0; i < t.length; ++i) {
            uint256 want;
            for (uint256 j = 0; j < tt.length; ++j) {
                if (tt[j] == t[i]) want = Math.mulDiv(nav, tw[j], 1e18);
            }
            over[i] = values[i] > want;
            gap[i] = over[i] ? values[i] - want : want - values[i];
            IRebalancer.Direction d = s.rebalancer.direction(t[i]);
            if (over[i] && d == IRebalancer.Direction.Sell && (si == type(uint256).max || gap[i] > gap[si])) si = i;
            if (!over[i] && d == IRebalancer.Direction.Buy && (bi == type(uint256).max || gap[i] > gap[bi])) bi = i;
        }
        if (si == type(uint256).max || bi == type(uint256).max) return false;
        uint256 usd = gap[si] < gap[bi] ? gap[si] : gap[bi];
        (uint256 p, uint8 dec) = s.registry.priceAndDecimals(t[si]);
        uint256 amountIn = Math.mulDiv(usd, 10 ** dec, p);
        if (amountIn == 0) return false;
        try s.rebalancer.executeTrade(address(s.adapter), t[si], t[bi], amountIn, 0, "") {
            return true;
        } catch {
            return false;
        }
    }

    // == Holders ==
    /// @notice An actor mints a correctly formed mint (maxAmountsIn = previewMint in the same block); with
    /// `donateSeed` odd a donor first sends the vault a speck of a token the mint previewed as 0, keeping the
    /// vault's whole holding of it under the $10 dust bound: the mint must still succeed (review R-4).
    function mint(uint256 actorSeed, uint256 sharesSeed, uint256 donateSeed) external {
        address actor = actors[actorSeed % actors.length];
        uint256 shares = _bound(sharesSeed, 1e15, 1_000e18);
        (address[] memory t, uint256[] memory a) = s.vault.previewMint(shares);
        bool donated = donateSeed & 1 == 1 && _donateSpeck(t, a, donateSeed >> 1);
        for (uint256 i = 0; i < t.length; ++i) {
            HostileToken(t[i]).mint(actor, a[i]);
            vm.prank(actor);
            HostileToken(t[i]).approve(address(s.vault), a[i]);
        }
        if (donated) donatedMints++;
        if (s.vault.rebalancing()) windowMints++;
        vm.prank(actor);
        try s.vault.mint(shares, actor, a) {} catch (bytes memory err) {
            if (!s.vault.paused()) {
                _fail(string.concat(donated ? "sanx: R-4 donation reverted a correct mint: " : "sanx: a correct mint reverted: ", vm.toString(err)));
            }
        }
    }

    /// @dev Donates to the vault some of a token `a` previews as 0, keeping its whole holding worth < $10.
    function _donateSpeck(address[] memory t, uint256[] memory a, uint256 seed) internal returns (bool) {
        for (uint256 k = 0; k < t.length; ++k) {
            uint256 i = (k + seed) % t.length;
            if (a[i] != 0) continue;
            uint256 bal = IERC20(t[i]).balanceOf(address(s.vault));
            (uint256 p, uint8 dec) = s.registry.priceAndDecimals(t[i]);
            uint256 room = Math.mulDiv(DUST_USD - 1, 10 ** dec, p); // {tok}: a holding below it is worth < $10
            if (room <= bal) continue;
            HostileToken(t[i]).mint(address(s.vault), _bound(seed >> 8, 1, room - bal));
            return true;
        }
        return false;
    }

    /// @notice An actor redeems a fraction of its shares (all of them one time in four), minimum 0: it must
    /// succeed, paused or not, in a window or not, through any membership change (ZeroAmounts excepted).
    function redeem(uint256 actorSeed, uint256 fractionSeed) external {
        address actor = actors[actorSeed % actors.length];
        uint256 held = s.vault.balanceOf(actor);
        if (held == 0) return;
        uint256 shares = fractionSeed % 4 == 0 ? held : _bound(Math.mulDiv(held, _bound(fractionSeed >> 2, 1, 10_000), 10_000), 1, held);
        (address[] memory t,) = s.vault.previewRedeem(shares);
        vm.prank(actor);
        try s.vault.redeem(shares, actor, new uint256[](t.length)) {} catch (bytes memory err) {
            if (err.length < 4 || bytes4(err) != IIndexVault.ZeroAmounts.selector) {
                _fail(string.concat("sanx: a redeem reverted: ", vm.toString(err)));
            }
        }
    }

    // == Time ==
    /// @notice Time passes (1 minute to 3 days); every feed is re-stamped at its price.
    function warp(uint256 secondsSeed) external {
        _warp(_bound(secondsSeed, 1 minutes, 3 days));
    }

    function _warp(uint256 secs) internal {
        vm.warp(block.timestamp + secs);
        for (uint256 i = 0; i < feeds.length; ++i) {
            feeds[i].updateAnswer(feeds[i].latestAnswer());
        }
    }

    function _usd(address token, uint256 amount) internal view returns (uint256) {
        (uint256 p, uint8 d) = s.registry.priceAndDecimals(token);
        return Math.mulDiv(amount, p, 10 ** d);
    }

    function poolEntry(uint256 i) external view returns (Sig memory) {
        return pool[i];
    }

    function selectors() external pure returns (bytes4[] memory sel) {
        sel = new bytes4[](10);
        sel[0] = this.sign.selector;
        sel[1] = this.relay.selector;
        sel[2] = this.execute.selector;
        sel[3] = this.redButton.selector;
        sel[4] = this.cancel.selector;
        sel[5] = this.rebalance.selector;
        sel[6] = this.upkeep.selector;
        sel[7] = this.mint.selector;
        sel[8] = this.redeem.selector;
        sel[9] = this.warp.selector;
    }
}
