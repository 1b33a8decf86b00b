// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title DevMulticall3: the Multicall3 entry points the x402 SDK and viem call, for the dev chain.
/// @notice The dev chain installs this runtime code at the canonical Multicall3 address
/// 0xcA11bde05977b3631167028862bE2a173976CA11 (with hardhat_setCode, so it has no constructor and no storage).
/// The x402 SDK's EVM facilitator calls `tryAggregate` there to diagnose failed simulations; viem's `multicall` and
/// batched `eth_call` use `aggregate3`. Written from the function signatures those callers use.
contract DevMulticall3 {
    struct Call {
        address target;
        bytes callData;
    }

    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice Calls each target in order; reverts on the first failure when `requireSuccess`.
    function tryAggregate(bool requireSuccess, Call[] calldata calls)
        external
        payable
        returns (Result[] memory returnData)
    {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            require(success || !requireSuccess, "Multicall3: call failed");
            returnData[i] = Result(success, data);
        }
    }

    /// @notice Calls each target in order; reverts when a call that does not allow failure fails.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            require(success || calls[i].allowFailure, "Multicall3: call failed");
            returnData[i] = Result(success, data);
        }
    }

    function getBlockNumber() external view returns (uint256) {
        return block.number;
    }

    function getCurrentBlockTimestamp() external view returns (uint256) {
        return block.timestamp;
    }

    function getChainId() external view returns (uint256) {
        return block.chainid;
    }

    function getEthBalance(address account) external view returns (uint256) {
        return account.balance;
    }
}
