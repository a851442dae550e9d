// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Hearth test dollar (HUSD)
/// @notice A mintable ERC-20 with 6 decimals for local chains and tests: it has no value anywhere.
contract TestToken is ERC20, Ownable {
    constructor(address owner) ERC20("Hearth Test USD", "HUSD") Ownable(owner) {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Creates `amount` base units for `to` (owner only).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
