// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {PayoutVault} from "../PayoutVault.sol";

/// @title Hostile token (tests only)
/// @notice An ERC-20 that, once armed, calls back into the vault from inside its own transfer, to show
/// that a token cannot make the vault pay a voucher twice. The reentrant call's revert bubbles up.
contract HostileToken is ERC20 {
    PayoutVault private _vault;
    PayoutVault.Voucher private _voucher;
    bytes private _signature;
    bool private _armed;

    constructor() ERC20("Hostile", "HOST") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Makes the next transfer out of `vault` re-enter `vault.claim(voucher, signature)`.
    function arm(PayoutVault vault, PayoutVault.Voucher calldata voucher, bytes calldata signature) external {
        _vault = vault;
        _voucher = voucher;
        _signature = signature;
        _armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (_armed && from == address(_vault)) {
            _armed = false;
            _vault.claim(_voucher, _signature);
        }
    }
}
