// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Env} from "./Env.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {HostileToken} from "../mocks/HostileToken.sol";

/// @notice Users and the vault's own roles: mint, redeem, transfers, permit, fee accrual and claims, fee
/// rate and recipient (admin), pause (guardian) and unpause (admin). One thin wrapper per vault call
/// (`_mint`, `_redeem`): adapt a changed signature there.
contract IndexVaultHandler is HandlerBase {
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    constructor(Env env_) HandlerBase(env_) {}

    // == Wrappers around each vault call ==
    /// @dev Funds `actor` with exactly what `previewMint` asks, approves it, and mints `shares` to `receiver`.
    function _mint(address actor, uint256 shares, address receiver) internal {
        (address[] memory tokens, uint256[] memory amounts) = vault.previewMint(shares);
        for (uint256 i = 0; i < tokens.length; ++i) {
            HostileToken(tokens[i]).mint(actor, amounts[i]);
            vm.prank(actor);
            IERC20(tokens[i]).approve(address(vault), amounts[i]);
        }
        vm.prank(actor);
        vault.mint(shares, receiver, amounts);
        env.addMinted(shares);
        _delta += int256(shares);
    }

    /// @dev Redeems `shares` of `actor` to `receiver` with no floor (one zero per constituent now redeemable).
    function _redeem(address actor, uint256 shares, address receiver) internal {
        (address[] memory tokens,) = vault.previewRedeem(shares);
        vm.prank(actor);
        vault.redeem(shares, receiver, new uint256[](tokens.length));
        env.addBurned(shares);
        _delta -= int256(shares);
    }

    /// @dev `_redeem`, skipping the hostile constituent: nothing of it is sent, its share stays in the vault.
    function _redeemSkipping(address actor, uint256 shares, address receiver) internal {
        (address[] memory tokens,) = vault.previewRedeem(shares);
        address[] memory skip = new address[](1);
        skip[0] = address(env.tokens(env.HOSTILE()));
        vm.prank(actor);
        vault.redeemSkipping(shares, receiver, new uint256[](tokens.length), skip);
        env.addBurned(shares);
        _delta -= int256(shares);
    }

    // == Fuzzed entry points ==
    function mint(uint256 actorSeed, uint256 sharesSeed) external conserving("mint") {
        address actor = _actor(actorSeed);
        _mint(actor, _shares(sharesSeed), actor);
    }

    function redeem(uint256 actorSeed, uint256 fractionBps, uint256 receiverSeed) external conserving("redeem") {
        address actor = _actor(actorSeed);
        uint256 bal = vault.balanceOf(actor);
        uint256 shares = _bound(bal * _bound(fractionBps, 1, 10_000) / 10_000, 1, bal);
        _redeem(actor, shares, _actor(receiverSeed));
    }

    /// @notice A holder forgoes the hostile constituent (frozen or not): the other constituents are paid,
    /// the solvency invariant then checks the forgone share stayed for the remaining holders.
    function redeemSkipping(uint256 actorSeed, uint256 fractionBps, uint256 receiverSeed)
        external
        conserving("redeemSkipping")
    {
        address actor = _actor(actorSeed);
        uint256 bal = vault.balanceOf(actor);
        uint256 shares = _bound(bal * _bound(fractionBps, 1, 10_000) / 10_000, 1, bal);
        _redeemSkipping(actor, shares, _actor(receiverSeed));
    }

    /// @notice No free value: one actor's mint then redeem of the same shares, in one step, never returns
    /// more of any constituent than the mint took.
    function mintThenRedeem(uint256 actorSeed, uint256 sharesSeed) external conserving("mintThenRedeem") {
        address actor = _actor(actorSeed);
        uint256 shares = _shares(sharesSeed);
        (address[] memory tokens, uint256[] memory paid) = vault.previewMint(shares);
        uint256[] memory before = new uint256[](tokens.length);
        for (uint256 i = 0; i < tokens.length; ++i) {
            before[i] = IERC20(tokens[i]).balanceOf(actor) + paid[i]; // after funding, before mint
        }
        _mint(actor, shares, actor);
        for (uint256 i = 0; i < tokens.length; ++i) {
            uint256 bal = IERC20(tokens[i]).balanceOf(actor);
            paid[i] = before[i] - bal; // what the mint actually took
        }
        _redeem(actor, shares, actor);
        for (uint256 i = 0; i < tokens.length; ++i) {
            uint256 got = IERC20(tokens[i]).balanceOf(actor) + paid[i] - before[i];
            if (got > paid[i]) env.fail("no free value: mint then redeem returned more than it took");
        }
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amountSeed) external conserving("transfer") {
        address from = _actor(fromSeed);
        address to = _actor(toSeed);
        uint256 amount = _bound(amountSeed, 0, vault.balanceOf(from));
        vm.prank(from);
        vault.transfer(to, amount);
    }

    /// @notice EIP-2612: the owner signs with its test key, anyone relays, the spender then moves the shares.
    function permitAndPull(uint256 ownerSeed, uint256 spenderSeed, uint256 amountSeed)
        external
        conserving("permit")
    {
        uint256 i = ownerSeed % env.actorCount();
        address owner = env.actors(i);
        address spender = _actor(spenderSeed);
        uint256 value = _bound(amountSeed, 0, vault.balanceOf(owner));
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                vault.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, vault.nonces(owner), deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(env.actorKeys(i), digest);
        vault.permit(owner, spender, value, deadline, v, r, s);
        if (vault.allowance(owner, spender) != value) env.fail("permit: allowance not set to the signed value");
        vm.prank(spender);
        vault.transferFrom(owner, spender, value);
    }

    function accrueFees() external conserving("accrueFees") {
        vault.accrueFees();
    }

    function claimFees(uint256 callerSeed) external conserving("claimFees") {
        vm.prank(_actor(callerSeed));
        vault.claimFees();
    }

    function setFeeRate(uint256 rateSeed) external conserving("setFeeRate") {
        (, uint256 maxRate,,,,) = vault.feeState();
        vm.prank(env.admin());
        vault.setFeeRate(_bound(rateSeed, 0, maxRate));
    }

    function setFeeRecipient(bool toActor) external conserving("setFeeRecipient") {
        address recipient = toActor ? env.actors(0) : env.feeRecipient();
        vm.prank(env.admin());
        vault.setFeeRecipient(recipient);
    }

    /// @notice The guardian pauses, one call in four (so the vault is not paused half of the run).
    function pause(uint256 seed) external conserving("pause") {
        if (seed % 4 != 0) return;
        vm.prank(env.guardian());
        vault.pause();
    }

    function unpause() external conserving("unpause") {
        vm.prank(env.admin());
        vault.unpause();
    }

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](12);
        s[0] = this.mint.selector;
        s[1] = this.redeem.selector;
        s[2] = this.mintThenRedeem.selector;
        s[3] = this.transfer.selector;
        s[4] = this.permitAndPull.selector;
        s[5] = this.accrueFees.selector;
        s[6] = this.claimFees.selector;
        s[7] = this.setFeeRate.selector;
        s[8] = this.setFeeRecipient.selector;
        s[9] = this.pause.selector;
        s[10] = this.unpause.selector;
        s[11] = this.redeemSkipping.selector;
    }
}
