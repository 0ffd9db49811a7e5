// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";
import {IndexVault} from "../../../contracts/IndexVault.sol";
import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {IIndexZap} from "../../../contracts/interfaces/IIndexZap.sol";
import {IndexZap} from "../../../contracts/periphery/IndexZap.sol";
import {PriceRegistry} from "../../../contracts/oracles/PriceRegistry.sol";
import {ZapToken, ZapWETH, OracleSwapRouter, ForceEth} from "./mocks/ZapMocks.sol";

/// @dev The cheatcodes this suite uses (its own copy: the shared test/invariant/utils may change under it).
interface ZapVm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function deal(address who, uint256 amount) external;
    function label(address account, string calldata name) external;
    function assertEq(uint256 left, uint256 right, string calldata error) external pure;
    function assertEq(string calldata left, string calldata right, string calldata error) external pure;
    function assertLe(uint256 left, uint256 right, string calldata error) external pure;
    function toString(uint256 value) external pure returns (string memory);
}

abstract contract ZapCheats {
    ZapVm internal constant vm = ZapVm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev `x` mapped into [lo, hi] (inclusive) by modulo; never reverts.
    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + (x % (hi - lo + 1));
    }
}

/// @notice The deployment: four constituents (USDC 6, WBTC 8, WETH 18, UNI 18 decimals) priced by Chainlink
/// mock feeds in the real PriceRegistry, the real IndexVault behind an OpenZeppelin TimelockController
/// (1 day), the real IndexZap over an oracle-price SwapRouter with fee tiers, and a first in-kind holder.
contract ZapDeployment is ZapCheats {
    TimelockController public timelock;
    PriceRegistry public registry;
    IndexVault public vault;
    IndexZap[2] public zaps; // one per RouterKind: SwapRouter (with deadline), SwapRouter02 (without)
    OracleSwapRouter public router;
    ZapWETH public weth;
    ZapToken public usdc;
    ZapToken public wbtc;
    ZapToken public uni;
    address[] public tokens; // the targets: usdc, wbtc, weth, uni
    MockV3Aggregator[] public feeds; // same order
    uint256 public constant HEARTBEAT = 1 days;
    address public constant FEE_RECIPIENT = address(0xFEE0001);

    function _deploy(address guardianAndRebalancer) internal {
        vm.warp(1_750_000_000);
        address[] memory none = new address[](0);
        timelock = new TimelockController(1 days, none, none, address(0));
        registry = new PriceRegistry(address(timelock));
        weth = new ZapWETH();
        usdc = new ZapToken("USDC", 6);
        wbtc = new ZapToken("WBTC", 8);
        uni = new ZapToken("UNI", 18);
        tokens.push(address(usdc));
        tokens.push(address(wbtc));
        tokens.push(address(weth));
        tokens.push(address(uni));
        int256[4] memory prices = [int256(1e8), 60_000e8, 3_000e8, 10e8];
        vm.startPrank(address(timelock));
        for (uint256 i = 0; i < 4; ++i) {
            feeds.push(new MockV3Aggregator(8, prices[i]));
            registry.setFeed(tokens[i], address(feeds[i]), HEARTBEAT);
        }
        vault = new IndexVault(
            IndexVault.Config({
                name: "Zap Invariant Index",
                symbol: "ZINV",
                admin: address(timelock),
                priceRegistry: address(registry),
                initialNavPerShare: 100e18,
                maxFeeRate: 0.5e18,
                feeRate: 0.02e18,
                feeRecipient: FEE_RECIPIENT
            })
        );
        vault.grantRole(vault.ORACLE_ROLE(), address(this));
        vault.grantRole(vault.GUARDIAN_ROLE(), guardianAndRebalancer);
        vault.grantRole(vault.REBALANCER_ROLE(), guardianAndRebalancer);
        vm.stopPrank();
        uint256[] memory w = new uint256[](4);
        (w[0], w[1], w[2], w[3]) = (0.3e18, 0.3e18, 0.3e18, 0.1e18);
        vault.setTargets(1, tokens, w);

        router = new OracleSwapRouter(registry);
        zaps[0] = new IndexZap(address(router), IIndexZap.RouterKind.SwapRouter, address(weth));
        zaps[1] = new IndexZap(address(router), IIndexZap.RouterKind.SwapRouter02, address(weth));
        // Deep reserves: the router pays out of them, like pools far larger than any trade here.
        usdc.mint(address(router), 1e18);
        wbtc.mint(address(router), 1e16);
        uni.mint(address(router), 1e30);
        weth.mint(address(router), 1e30);
        vm.deal(address(weth), 1e30); // backs the minted WETH so withdraw pays
        _mintInKind(address(0xB0B0001), 100e18);
    }

    function _mintInKind(address to, uint256 shares) internal {
        (address[] memory t, uint256[] memory a) = vault.previewMint(shares);
        for (uint256 i = 0; i < t.length; ++i) {
            _fund(t[i], to, a[i]);
            vm.prank(to);
            IERC20(t[i]).approve(address(vault), a[i]);
        }
        vm.prank(to);
        vault.mint(shares, to, a);
    }

    function _fund(address token, address to, uint256 amount) internal {
        if (token == address(weth)) {
            vm.deal(address(this), amount);
            weth.deposit{value: amount}();
            weth.transfer(to, amount);
        } else {
            ZapToken(token).mint(to, amount);
        }
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }
}

/// @notice Drives IndexZap for four actors with bounded inputs, and moves the world around it: oracle
/// prices, a sandwich on the pools, donations of tokens and ETH to the zap, the guardian's pause, a
/// rebalance window, time. Every zap call is checked against its own bounds at once (a handler cannot fail
/// a run: it records the first violation, and `invariant_noActorBoundBroken` fails on it).
contract ZapHandler is ZapDeployment {
    address internal constant NATIVE = address(0);
    address[] public actors;
    string public violation;
    mapping(uint256 => mapping(address => uint256)) public donated; // {tok} given to zaps[k], per token (NATIVE for ETH)
    uint256 public mints;
    uint256 public mintsFailed;
    uint256 public redeems;
    uint256 public redeemsFailed;
    uint256 public pausedMintsRefused;
    uint256 public pausedRedeems;
    uint256 public windowMints;
    uint256 public windowRedeems;
    uint256 public multiHop;
    uint256 public router02Ok; // successful zap calls through the SwapRouter02-kind zap

    constructor() {
        _deploy(address(this));
        for (uint256 i = 0; i < 4; ++i) {
            actors.push(address(uint160(0xA11CE000 + i)));
            _mintInKind(actors[i], 10e18); // something to redeem from the first call on
        }
    }

    receive() external payable {}

    // == Zap calls ==
    /// @dev One zap call's context (a struct: the checks need more locals than the stack holds).
    struct Ctx {
        IndexZap zap; // zaps[0] or zaps[1]
        address payer;
        address receiver;
        address token; // pay or receive token, NATIVE for ETH
        address erc; // the ERC-20 the routes end in (WETH for NATIVE)
        uint256 shares;
        uint256 quote; // {tok} what the router charges (mint) or pays (redeem), from its quote views
        uint256 bound; // {tok} maxAmountIn or minAmountOut
        bool paused;
        bool window;
        bool dust; // every in-kind amount rounds to zero: the vault refuses (ZeroAmounts), by design
        uint256 tokBefore;
        uint256 sharesBefore;
    }

    function zapMint(uint256 actorSeed, uint256 receiverSeed, uint256 paySeed, uint256 sharesSeed, uint256 slipSeed, uint256 hopSeed)
        external
    {
        Ctx memory c;
        c.zap = zaps[uint256(keccak256(abi.encode(hopSeed, sharesSeed))) % 2]; // fuzz seeds are often small: hash them
        c.payer = actors[actorSeed % actors.length];
        c.receiver = actors[receiverSeed % actors.length];
        c.token = _payToken(paySeed);
        c.erc = c.token == NATIVE ? address(weth) : c.token;
        c.shares = _bound(sharesSeed, 1e12, 50e18);
        bytes[] memory routes = _mintRoutes(c, hopSeed);
        // -2% .. +5% around the exact quote: some calls must revert on the bound.
        c.bound = c.quote * _bound(slipSeed, 9_800, 10_500) / 10_000;
        if (c.bound == 0) c.bound = 1;
        IIndexZap.MintParams memory p = IIndexZap.MintParams({
            vault: IIndexVault(address(vault)),
            shares: c.shares,
            receiver: c.receiver,
            tokenIn: c.token,
            maxAmountIn: c.bound,
            deadline: block.timestamp + _bound(slipSeed >> 32, 0, 600),
            routes: routes
        });
        uint256 value;
        if (c.token == NATIVE) {
            vm.deal(c.payer, c.payer.balance + c.bound);
            value = c.bound;
        } else {
            _fund(c.token, c.payer, c.bound);
            vm.prank(c.payer);
            IERC20(c.token).approve(address(c.zap), c.bound);
        }
        c.paused = vault.paused();
        c.window = vault.rebalancing();
        c.tokBefore = _balance(c.token, c.payer);
        c.sharesBefore = vault.balanceOf(c.receiver);
        vm.prank(c.payer);
        try c.zap.mint{value: value}(p) returns (uint256 spent) {
            _afterMint(c, spent);
        } catch (bytes memory err) {
            _afterMintFailed(c, err);
        }
        if (c.token != NATIVE) {
            vm.prank(c.payer);
            IERC20(c.token).approve(address(c.zap), 0);
        }
        _checkZapEmpty();
    }

    function _mintRoutes(Ctx memory c, uint256 hopSeed) private returns (bytes[] memory routes) {
        (address[] memory t, uint256[] memory a) = vault.previewMint(c.shares);
        routes = new bytes[](t.length);
        for (uint256 i = 0; i < t.length; ++i) {
            routes[i] = _route(t[i], c.erc, hopSeed >> (4 * i));
            if (t[i] == c.erc) c.quote += a[i];
            else if (a[i] != 0) c.quote += router.quoteExactOutput(routes[i], a[i]);
            if (routes[i].length > 43) multiHop++;
        }
    }

    function _afterMint(Ctx memory c, uint256 spent) private {
        mints++;
        if (c.zap == zaps[1]) router02Ok++;
        if (c.window) windowMints++;
        if (c.paused) _fail("zap minted while the vault is paused");
        uint256 paid = c.tokBefore - _balance(c.token, c.payer);
        if (paid > c.bound) _fail(string.concat("mint took more than maxAmountIn: ", vm.toString(paid), " > ", vm.toString(c.bound)));
        if (paid != spent) _fail("mint's returned amountIn differs from what the payer paid");
        if (paid > c.quote) _fail("mint charged more than the router's quote");
        if (vault.balanceOf(c.receiver) - c.sharesBefore != c.shares) _fail("mint did not deliver the exact shares");
    }

    function _afterMintFailed(Ctx memory c, bytes memory err) private {
        mintsFailed++;
        if (c.paused) {
            if (bytes4(err) != IIndexZap.VaultPaused.selector) _fail("paused mint refused without VaultPaused");
            pausedMintsRefused++;
        } else if (c.bound >= c.quote) {
            _fail(string.concat("mint with a sufficient maxAmountIn reverted, selector ", vm.toString(uint256(uint32(bytes4(err))))));
        } else if (bytes4(err) != IIndexZap.AmountInAboveMax.selector && bytes4(err) != IIndexZap.SwapAboveBudget.selector) {
            _fail(string.concat("mint over budget reverted without a named error, selector ", vm.toString(uint256(uint32(bytes4(err))))));
        }
        if (_balance(c.token, c.payer) != c.tokBefore) _fail("failed mint moved the payer's funds");
    }

    function zapRedeem(uint256 actorSeed, uint256 receiverSeed, uint256 outSeed, uint256 sharesSeed, uint256 slipSeed, uint256 hopSeed)
        external
    {
        Ctx memory c;
        c.zap = zaps[uint256(keccak256(abi.encode(hopSeed, sharesSeed))) % 2]; // fuzz seeds are often small: hash them
        c.payer = actors[actorSeed % actors.length];
        c.receiver = actors[receiverSeed % actors.length];
        uint256 held = vault.balanceOf(c.payer);
        if (held == 0) return;
        c.shares = _bound(sharesSeed, 1, held);
        c.token = _payToken(outSeed);
        c.erc = c.token == NATIVE ? address(weth) : c.token;
        bytes[] memory routes = _redeemRoutes(c, hopSeed);
        // +2% .. -5% around the exact quote.
        c.bound = c.quote * _bound(slipSeed, 9_500, 10_200) / 10_000;
        IIndexZap.RedeemParams memory p = IIndexZap.RedeemParams({
            vault: IIndexVault(address(vault)),
            shares: c.shares,
            receiver: c.receiver,
            tokenOut: c.token,
            minAmountOut: c.bound,
            deadline: block.timestamp + _bound(slipSeed >> 32, 0, 600),
            routes: routes
        });
        vm.prank(c.payer);
        vault.approve(address(c.zap), c.shares);
        c.paused = vault.paused();
        c.window = vault.rebalancing();
        c.tokBefore = _balance(c.token, c.receiver);
        c.sharesBefore = vault.balanceOf(c.payer);
        vm.prank(c.payer);
        try c.zap.redeem(p) returns (uint256 got) {
            _afterRedeem(c, got);
        } catch (bytes memory err) {
            redeemsFailed++;
            if (c.dust) {
                if (bytes4(err) != IIndexVault.ZeroAmounts.selector) _fail("dust redeem refused without ZeroAmounts");
            } else if (c.bound <= c.quote) {
                _fail(string.concat("redeem with a reachable minAmountOut reverted, selector ", vm.toString(uint256(uint32(bytes4(err))))));
            } else if (bytes4(err) != IIndexZap.AmountOutBelowMin.selector) {
                _fail("redeem below its minimum reverted without AmountOutBelowMin");
            }
            if (vault.balanceOf(c.payer) != c.sharesBefore) _fail("failed redeem moved the payer's shares");
        }
        vm.prank(c.payer);
        vault.approve(address(c.zap), 0);
        _checkZapEmpty();
    }

    function _redeemRoutes(Ctx memory c, uint256 hopSeed) private returns (bytes[] memory routes) {
        (address[] memory t, uint256[] memory a) = vault.previewRedeem(c.shares);
        routes = new bytes[](t.length);
        c.dust = true;
        for (uint256 i = 0; i < t.length; ++i) {
            routes[i] = _route(t[i], c.erc, hopSeed >> (4 * i));
            if (a[i] != 0) c.dust = false;
            if (t[i] == c.erc) c.quote += a[i];
            else if (a[i] != 0) c.quote += router.quoteExactInput(routes[i], a[i]);
            if (routes[i].length > 43) multiHop++;
        }
    }

    function _afterRedeem(Ctx memory c, uint256 got) private {
        redeems++;
        if (c.zap == zaps[1]) router02Ok++;
        if (c.paused) pausedRedeems++;
        if (c.window) windowRedeems++;
        uint256 received = _balance(c.token, c.receiver) - c.tokBefore;
        if (received < c.bound) _fail(string.concat("redeem paid less than minAmountOut: ", vm.toString(received), " < ", vm.toString(c.bound)));
        if (received != got) _fail("redeem's returned amountOut differs from what the receiver got");
        if (received < c.quote) _fail("redeem paid less than the router's quote");
        if (c.sharesBefore - vault.balanceOf(c.payer) != c.shares) _fail("redeem took other than the exact shares");
    }

    // == Donations to the zap ==
    function donateToken(uint256 tokenSeed, uint256 amountSeed) external {
        uint256 z = (tokenSeed >> 16) % 2;
        uint256 k = tokenSeed % 5;
        address token = k == 4 ? address(vault) : tokens[k];
        uint256 amount = _bound(amountSeed, 1, token == address(wbtc) ? 1e8 : token == address(usdc) ? 10_000e6 : 10e18);
        if (token == address(vault)) {
            address from = actors[(tokenSeed >> 8) % actors.length];
            amount = _bound(amountSeed, 0, vault.balanceOf(from) / 100);
            if (amount == 0) return;
            vm.prank(from);
            vault.transfer(address(zaps[z]), amount);
        } else {
            _fund(token, address(zaps[z]), amount);
        }
        donated[z][token] += amount;
    }

    function donateEth(uint256 amountSeed, bool forced) external {
        uint256 z = (amountSeed >> 128) % 2;
        uint256 amount = _bound(amountSeed, 1, 10 ether);
        vm.deal(address(this), address(this).balance + amount);
        if (forced) {
            new ForceEth{value: amount}(payable(address(zaps[z])));
            donated[z][NATIVE] += amount;
        } else {
            (bool ok,) = address(zaps[z]).call{value: amount}("");
            if (ok) _fail("the zap accepted a plain ETH transfer from a non-WETH sender");
        }
    }

    // == The world ==
    /// @dev Pauses one call in four (the zap must then refuse mints and still redeem); always unpauses.
    function togglePause(uint256 seed) external {
        if (vault.paused()) {
            vm.prank(address(timelock));
            vault.unpause();
        } else if (seed % 4 == 0) {
            vault.pause();
        }
    }

    /// @dev Opens a window on the targets (units follow balances), or closes it on the held basket.
    function toggleWindow(uint256 seed) external {
        if (vault.rebalancing()) {
            (address[] memory t,) = vault.basket();
            vault.endRebalance(t);
        } else if (seed % 2 == 0) {
            vault.beginRebalance(tokens);
        }
    }

    function movePrice(uint256 tokenSeed, uint256 bpsSeed) external {
        MockV3Aggregator f = feeds[tokenSeed % feeds.length];
        int256 p = f.latestAnswer();
        int256 bps = int256(_bound(bpsSeed, 9_000, 11_000));
        int256 next = p * bps / 10_000;
        if (next > 0) f.updateAnswer(next);
    }

    function sandwich(uint256 bpsSeed) external {
        router.setSkew(_bound(bpsSeed, 0, 300));
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 12 hours));
        for (uint256 i = 0; i < feeds.length; ++i) {
            feeds[i].updateAnswer(feeds[i].latestAnswer()); // keeps every feed inside its heartbeat
        }
    }

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](9);
        s[0] = this.zapMint.selector;
        s[1] = this.zapRedeem.selector;
        s[2] = this.donateToken.selector;
        s[3] = this.donateEth.selector;
        s[4] = this.togglePause.selector;
        s[5] = this.toggleWindow.selector;
        s[6] = this.movePrice.selector;
        s[7] = this.sandwich.selector;
        s[8] = this.warp.selector;
    }

    // == Helpers ==
    function _payToken(uint256 seed) private view returns (address) {
        uint256 k = seed % 4;
        return k == 0 ? address(usdc) : k == 1 ? address(weth) : k == 2 ? NATIVE : address(wbtc);
    }

    /// @dev Direct (one hop) or through a hub (USDC, else WETH) when `hop` is odd. Mint paths are
    /// exactOutput (constituent ... pay), redeem paths exactInput (constituent ... out): both start at the
    /// constituent. Fee tiers 0.05%, 0.3%, 1% by seed.
    function _route(address constituent, address end, uint256 hop) private view returns (bytes memory) {
        if (constituent == end) return "";
        uint24[3] memory fees = [uint24(500), 3000, 10_000];
        uint24 f1 = fees[(hop >> 1) % 3];
        uint24 f2 = fees[(hop >> 3) % 3];
        address hub = address(usdc);
        if (constituent == hub || end == hub) hub = address(weth);
        if (hop % 2 == 1 && constituent != hub && end != hub) {
            return abi.encodePacked(constituent, f1, hub, f2, end);
        }
        return abi.encodePacked(constituent, f1, end);
    }

    function _balance(address token, address who) private view returns (uint256) {
        return token == NATIVE ? who.balance : IERC20(token).balanceOf(who);
    }

    function _checkZapEmpty() private {
        for (uint256 z = 0; z < 2; ++z) {
            address zap = address(zaps[z]);
            for (uint256 i = 0; i < tokens.length; ++i) {
                if (IERC20(tokens[i]).balanceOf(zap) != donated[z][tokens[i]]) _fail("zap kept a constituent after a call");
                if (IERC20(tokens[i]).allowance(zap, address(vault)) != 0) _fail("zap left an allowance to the vault");
            }
            if (vault.balanceOf(zap) != donated[z][address(vault)]) _fail("zap kept index shares after a call");
            if (zap.balance != donated[z][NATIVE]) _fail("zap kept ETH after a call");
        }
    }

    function _fail(string memory why) private {
        if (bytes(violation).length == 0) violation = why;
    }
}

/// @notice Issue 11: IndexZap holds nothing after any call, and no actor pays more than its maxAmountIn or
/// receives less than its minAmountOut; the vault stays collateralised throughout.
/// The zap has no sweep, so what is donated to it stays there: "holds zero" is checked as "holds exactly
/// what was donated" (with no donation, zero); a zap that used or paid out a donation would fail it too.
contract IndexZapInvariantTest is ZapCheats {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    ZapHandler internal h;

    function setUp() public {
        h = new ZapHandler();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(h);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory s) {
        s = new FuzzSelector[](1);
        s[0] = FuzzSelector(address(h), h.selectors());
    }

    /// @notice The zap's balance of every constituent, of WETH, of the index token and of ETH is zero
    /// (beyond donations), and it leaves no allowance to the vault (its router approval is max by design).
    function invariant_zapHoldsNothing() public view {
        for (uint256 z = 0; z < 2; ++z) {
            address zap = address(h.zaps(z));
            for (uint256 i = 0; i < h.tokenCount(); ++i) {
                address t = h.tokens(i);
                vm.assertEq(IERC20(t).balanceOf(zap), h.donated(z, t), "zap holds a constituent");
                vm.assertEq(IERC20(t).allowance(zap, address(h.vault())), 0, "zap allowance to the vault");
            }
            vm.assertEq(IERC20(address(h.weth())).balanceOf(zap), h.donated(z, address(h.weth())), "zap holds WETH");
            vm.assertEq(h.vault().balanceOf(zap), h.donated(z, address(h.vault())), "zap holds index shares");
            vm.assertEq(zap.balance, h.donated(z, address(0)), "zap holds ETH");
        }
    }

    /// @notice No zap call took more than its maxAmountIn, paid less than its minAmountOut, minted or burnt
    /// other than the exact shares, minted while paused, or reverted with a sufficient bound.
    function invariant_noActorBoundBroken() public view {
        vm.assertEq(h.violation(), "", "handler violation");
    }

    /// @notice Every basket token's balance covers units x supply (pending fee shares included).
    function invariant_vaultCollateralised() public view {
        IndexVault vault = h.vault();
        (address[] memory t, uint256[] memory u) = vault.basket();
        uint256 supply = vault.effectiveSupply();
        for (uint256 i = 0; i < t.length; ++i) {
            // {tok} = floor(units * supply / 1e18): units round down, so this is the least owed.
            vm.assertLe(u[i] * supply / 1e18, IERC20(t[i]).balanceOf(address(vault)), "vault undercollateralised");
        }
    }

    event log_named_uint(string key, uint256 val);

    /// @notice Coverage of the run (shown with -vv): a campaign whose zap calls all failed proves nothing.
    function afterInvariant() public {
        emit log_named_uint("zap mints ok", h.mints());
        emit log_named_uint("zap mints reverted", h.mintsFailed());
        emit log_named_uint("  of which paused (VaultPaused)", h.pausedMintsRefused());
        emit log_named_uint("  ok in a rebalance window", h.windowMints());
        emit log_named_uint("zap redeems ok", h.redeems());
        emit log_named_uint("zap redeems reverted", h.redeemsFailed());
        emit log_named_uint("  ok while paused", h.pausedRedeems());
        emit log_named_uint("  ok in a rebalance window", h.windowRedeems());
        emit log_named_uint("two-hop routes", h.multiHop());
        emit log_named_uint("ok through the SwapRouter02 zap", h.router02Ok());
    }
}
