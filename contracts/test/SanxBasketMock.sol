// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISanxBasket, ISanxController} from "../interfaces/ISanxController.sol";

/// @notice Test-only ISanxBasket: records every call, the caller's view of membership at call time,
/// and can be told to revert.
contract SanxBasketMock is ISanxBasket {
    struct Call {
        address caller;
        address asset;
        bool added;
        bool memberDuringCall; // ISanxController(caller).isMember(asset) while the hook runs
        uint256 memberCountDuringCall;
    }

    error BasketFailure();

    Call[] private _calls;
    bool public shouldRevert;

    function setShouldRevert(bool value) external {
        shouldRevert = value;
    }

    function onMembershipChanged(address asset, bool added) external {
        if (shouldRevert) revert BasketFailure();
        ISanxController c = ISanxController(msg.sender);
        _calls.push(Call(msg.sender, asset, added, c.isMember(asset), c.members().length));
    }

    function callCount() external view returns (uint256) {
        return _calls.length;
    }

    function callAt(uint256 i) external view returns (Call memory) {
        return _calls[i];
    }
}
