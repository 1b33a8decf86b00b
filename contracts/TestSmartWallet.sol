// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title TestSmartWallet: a minimal ERC-1271 contract wallet for smart-wallet payment tests.
/// @notice Owned by one EOA. A signature is valid when it is the owner's 65-byte ECDSA signature over the hash
/// itself (no extra wrapping), so the owner signing an EIP-712 message whose `from` is this wallet yields a
/// signature the wallet accepts. The owner can make the wallet call anything with `execute`.
contract TestSmartWallet {
    // ERC-1271: bytes4(keccak256("isValidSignature(bytes32,bytes)"))
    bytes4 private constant ERC1271_MAGIC_VALUE = 0x1626ba7e;
    bytes4 private constant ERC1271_INVALID = 0xffffffff;
    uint256 private constant SECP256K1_HALF_ORDER =
        0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    address public immutable owner;

    event Executed(address indexed to, uint256 value, bytes data);

    constructor(address owner_) {
        require(owner_ != address(0), "TestSmartWallet: zero owner");
        owner = owner_;
    }

    receive() external payable {}

    /// @notice ERC-1271.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        return _recover(hash, signature) == owner ? ERC1271_MAGIC_VALUE : ERC1271_INVALID;
    }

    /// @notice Calls `to` with `value` wei and `data` on the owner's behalf; bubbles up a revert unchanged.
    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        require(msg.sender == owner, "TestSmartWallet: caller is not the owner");
        (bool success, bytes memory result) = to.call{value: value}(data);
        if (!success) {
            assembly {
                revert(add(result, 0x20), mload(result))
            }
        }
        emit Executed(to, value, data);
        return result;
    }

    function _recover(bytes32 hash, bytes calldata signature) private pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > SECP256K1_HALF_ORDER) return address(0);
        if (v != 27 && v != 28) return address(0);
        return ecrecover(hash, v, r, s);
    }
}
