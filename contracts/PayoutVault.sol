// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title Hearth PayoutVault
/// @notice Pays providers in ERC-20 tokens against cumulative vouchers signed by an authorized
/// coordinator key. A voucher states the total a provider has earned in a token; `claim` pays the
/// part not claimed yet, so only the latest voucher matters and an older one pays nothing.
/// @dev Interface documented in docs/payouts.md. The reentrancy guard is the transient-storage one
/// (EIP-1153, evmVersion cancun): it costs ~200 gas per claim instead of a storage write.
contract PayoutVault is Ownable, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    struct Voucher {
        address provider;
        address recipient;
        address token;
        uint256 cumulativeAmount;
        uint64 expiry;
    }

    bytes32 private constant VOUCHER_TYPEHASH =
        keccak256("Voucher(address provider,address recipient,address token,uint256 cumulativeAmount,uint64 expiry)");

    /// @notice The longest revocation delay a vault accepts (a year): a longer one would make a
    /// revocation meaningless.
    uint64 public constant MAX_REVOCATION_DELAY = 365 days;

    /// @dev signer => the first timestamp at which it is no longer accepted. 0: never a signer;
    /// type(uint64).max: active. One slot read per claim.
    mapping(address signer => uint64 until) private _signerUntil;

    /// @notice What each provider has been paid so far, per token (the cumulative amount of the
    /// latest voucher claimed).
    mapping(address provider => mapping(address token => uint256 amount)) public claimed;

    /// @notice Seconds between `revokeSigner` and the moment the key stops being accepted, so
    /// vouchers signed just before a rotation can still be claimed.
    uint64 public immutable REVOCATION_DELAY;

    event Claimed(
        address indexed provider, address indexed token, address indexed recipient, uint256 paid, uint256 cumulativeAmount
    );
    event Deposited(address indexed token, address indexed from, uint256 amount);
    event SignerAdded(address indexed signer);
    event SignerRevoked(address indexed signer, uint64 effectiveAt);

    /// @notice The voucher's expiry (seconds) is at or before the current block's timestamp.
    error VoucherExpired(uint64 expiry, uint256 blockTimestamp);
    /// @notice The signature is not 65 bytes or does not recover to an address.
    error InvalidSignature();
    /// @notice The signature's s is in the upper half of the curve order (a malleated copy).
    error NonCanonicalSignature();
    /// @notice The voucher was not signed by a key this vault ever authorized (or was altered after signing).
    error UnknownSigner(address signer);
    /// @notice The voucher's signer was revoked and the revocation took effect at `effectiveAt`.
    error RevokedSigner(address signer, uint64 effectiveAt);
    /// @notice The voucher's cumulative amount is not above what the provider has already claimed.
    error NothingToClaim(uint256 cumulativeAmount, uint256 alreadyClaimed);
    /// @notice The vault holds less of the token than this claim pays.
    error InsufficientVaultBalance(address token, uint256 needed, uint256 available);
    /// @notice The signer is already active.
    error SignerAlreadyActive(address signer);
    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice A deposit of zero tokens.
    error ZeroAmount();
    /// @notice The revocation delay is above MAX_REVOCATION_DELAY.
    error RevocationDelayTooLong(uint64 delay, uint64 max);

    constructor(address owner, address signer, uint64 revocationDelay)
        Ownable(owner)
        EIP712("Hearth PayoutVault", "1")
    {
        if (revocationDelay > MAX_REVOCATION_DELAY) revert RevocationDelayTooLong(revocationDelay, MAX_REVOCATION_DELAY);
        REVOCATION_DELAY = revocationDelay;
        _addSigner(signer);
    }

    /// @notice Pays `cumulativeAmount − claimed[provider][token]` to the voucher's recipient. Anyone may
    /// submit it; the money only ever goes to the signed recipient.
    function claim(Voucher calldata v, bytes calldata signature) external nonReentrant returns (uint256 paid) {
        uint256 already = _check(v, signature);
        paid = v.cumulativeAmount - already;
        // Effects before the transfer: a reentrant call (also blocked by the guard) sees the claim done.
        claimed[v.provider][v.token] = v.cumulativeAmount;
        emit Claimed(v.provider, v.token, v.recipient, paid, v.cumulativeAmount);
        // The vault's balance is read only when the transfer fails, to say why: a balanceOf call before
        // every transfer would cost each claim ~1k gas for the rare case.
        if (!IERC20(v.token).trySafeTransfer(v.recipient, paid)) _transferFailed(IERC20(v.token), paid);
    }

    /// @notice What `claim` would pay for this voucher now, without the vault-balance check. Reverts
    /// with the same errors as `claim` for an expired or badly signed voucher; returns 0 when the
    /// voucher's amount is already claimed.
    function claimable(Voucher calldata v, bytes calldata signature) external view returns (uint256) {
        if (block.timestamp >= v.expiry) revert VoucherExpired(v.expiry, block.timestamp);
        _checkSigner(_recover(v, signature));
        uint256 already = claimed[v.provider][v.token];
        return v.cumulativeAmount > already ? v.cumulativeAmount - already : 0;
    }

    /// @notice The EIP-712 digest of a voucher under this vault's domain (what the coordinator signs).
    function voucherDigest(Voucher calldata v) external view returns (bytes32) {
        return _digest(v);
    }

    /// @notice Pulls `amount` of `token` from the caller into the vault (approve it first).
    function deposit(address token, uint256 amount) external nonReentrant {
        if (token == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(token, msg.sender, amount);
    }

    /// @notice Authorizes a voucher signer, or reinstates a revoked one at once.
    function addSigner(address signer) external onlyOwner {
        _addSigner(signer);
    }

    /// @notice Schedules the end of a signer: its vouchers stay valid for REVOCATION_DELAY seconds more.
    function revokeSigner(address signer) external onlyOwner {
        uint64 until = _signerUntil[signer];
        if (until == 0) revert UnknownSigner(signer);
        if (until != type(uint64).max) revert RevokedSigner(signer, until);
        uint64 effectiveAt = uint64(block.timestamp) + REVOCATION_DELAY;
        _signerUntil[signer] = effectiveAt;
        emit SignerRevoked(signer, effectiveAt);
    }

    /// @notice True while vouchers signed by `signer` are accepted (a revoked signer until its delay ends).
    function isSigner(address signer) external view returns (bool) {
        return block.timestamp < _signerUntil[signer];
    }

    /// @dev Reverts with the reason a transfer out of the vault failed: InsufficientVaultBalance when the
    /// vault holds too little, else the token's own revert data, else SafeERC20FailedOperation.
    function _transferFailed(IERC20 token, uint256 amount) private view {
        bytes memory reason;
        assembly ("memory-safe") {
            // Still the failed transfer's return data: nothing was called since.
            reason := mload(0x40)
            mstore(reason, returndatasize())
            returndatacopy(add(reason, 0x20), 0, returndatasize())
            mstore(0x40, add(add(reason, 0x20), returndatasize()))
        }
        // A "token" without code answers nothing (and decoding its empty answer is not caught by try).
        if (address(token).code.length == 0) revert SafeERC20.SafeERC20FailedOperation(address(token));
        try token.balanceOf(address(this)) returns (uint256 available) {
            if (available < amount) revert InsufficientVaultBalance(address(token), amount, available);
        } catch {}
        // 32 bytes is a transfer that returned false rather than reverting: there is no reason to pass on.
        if (reason.length > 0 && reason.length != 32) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
        revert SafeERC20.SafeERC20FailedOperation(address(token));
    }

    function _addSigner(address signer) private {
        if (signer == address(0)) revert ZeroAddress();
        if (_signerUntil[signer] == type(uint64).max) revert SignerAlreadyActive(signer);
        _signerUntil[signer] = type(uint64).max;
        emit SignerAdded(signer);
    }

    /// @dev Every check `claim` makes before paying; returns what the provider has already claimed.
    function _check(Voucher calldata v, bytes calldata signature) private view returns (uint256 already) {
        if (block.timestamp >= v.expiry) revert VoucherExpired(v.expiry, block.timestamp);
        _checkSigner(_recover(v, signature));
        already = claimed[v.provider][v.token];
        if (v.cumulativeAmount <= already) revert NothingToClaim(v.cumulativeAmount, already);
    }

    function _checkSigner(address signer) private view {
        uint64 until = _signerUntil[signer];
        if (block.timestamp < until) return;
        if (until == 0) revert UnknownSigner(signer);
        revert RevokedSigner(signer, until);
    }

    function _recover(Voucher calldata v, bytes calldata signature) private view returns (address signer) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(_digest(v), signature);
        if (err == ECDSA.RecoverError.InvalidSignatureS) revert NonCanonicalSignature();
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature();
        return recovered;
    }

    /// @dev hashStruct(v): the voucher's five static fields are already their EIP-712 encoding in calldata,
    /// so they are hashed in place (~250 gas less than abi.encode). A field with dirty high bits hashes to
    /// a digest nobody signed, so such a voucher fails as UnknownSigner; reading the field reverts anyway.
    function _digest(Voucher calldata v) private view returns (bytes32) {
        bytes32 typeHash = VOUCHER_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), v, 0xa0)
            structHash := keccak256(ptr, 0xc0)
        }
        return _hashTypedDataV4(structHash);
    }
}
