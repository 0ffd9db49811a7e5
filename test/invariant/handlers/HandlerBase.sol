// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IndexVault} from "../../../contracts/IndexVault.sol";
import {CheatBase} from "../utils/Vm.sol";
import {Env} from "./Env.sol";
import {HostileToken} from "../mocks/HostileToken.sol";

/// @notice What every handler shares: the environment, actor choice, and the supply check that wraps every
/// call. `conserving(expected)`: the vault's effective supply (shares + pending fees, accrued to now)
/// after the call must equal the supply before plus `_delta` (set by the call: + minted, - burned); time
/// does not move inside a call, so fees accrued so far are in both readings.
abstract contract HandlerBase is CheatBase {
    Env internal immutable env;
    IndexVault internal immutable vault;
    int256 internal _delta; // {shares} the call's expected change of the effective supply

    constructor(Env env_) {
        env = env_;
        vault = env_.vault();
    }

    modifier conserving(string memory op) {
        uint256 before = vault.effectiveSupply();
        _delta = 0;
        _;
        int256 change = int256(vault.effectiveSupply()) - int256(before);
        if (change != _delta) env.fail(string.concat(op, ": effective supply changed other than by mint/redeem"));
    }

    function _actor(uint256 seed) internal view returns (address) {
        return env.actors(seed % env.actorCount());
    }

    function _token(uint256 seed) internal view returns (HostileToken) {
        return env.tokens(seed % env.tokenCount());
    }

    /// @dev A share amount spread over magnitudes 1e9 .. 1e24 wei, and one time in eight 1 .. 1e9 wei
    /// (tiny amounts exercise the rounding; most of them revert with ZeroAmount).
    function _shares(uint256 seed) internal pure returns (uint256) {
        // Hashed: forge's fuzzer favours small and edge values, which would all land on 1 wei.
        uint256 h = uint256(keccak256(abi.encode(seed)));
        uint256 exp = (h >> 200) % 8 == 0 ? h % 10 : 9 + h % 16;
        return _bound(h >> 8, 10 ** exp / 10 + 1, 10 ** exp);
    }
}
