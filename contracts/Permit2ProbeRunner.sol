// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Permit2ProbeRunner: every chain fact of many Permit2 verifications in ONE `eth_call`, with nothing deployed.
/// @notice Never deployed: the facilitator places this runtime code at a scratch address with an eth_call state
/// override and calls `probe(checks)`. Each check runs in its own self-call (`probeOne`) that always REVERTS with its
/// result, so the simulated `settle` of one check never changes the state the next check sees (two copies of one
/// payment in a batch both simulate as the first). The diagnostic reads (proxy.PERMIT2(), balance, Permit2 allowance,
/// nonce bitmap) are made only when the simulation did not succeed. Sub-calls are gas-capped so one hostile token or wallet cannot
/// starve the rest of the batch; return data is truncated to 256 bytes.
contract Permit2ProbeRunner {
    struct Check {
        address token;
        address owner;
        address proxy;
        address permit2;
        bytes32 digest;
        /// The signature as sent (ERC-1271 gets it verbatim).
        bytes signature;
        /// 1: ask the ecrecover precompile (v, r, s); 0: no ECDSA recovery.
        uint8 ecdsa;
        uint8 v;
        bytes32 r;
        bytes32 s;
        /// nonce >> 8: the word of Permit2's nonce bitmap holding this nonce.
        uint256 wordPos;
        /// proxy.settle(...) calldata; empty: no simulation.
        bytes settleCalldata;
    }

    struct Call {
        bool success;
        bytes data;
    }

    struct Result {
        bool ownerHasCode;
        bool tokenHasCode;
        Call proxyPermit2;
        Call balanceOf;
        Call allowance;
        Call nonceBitmap;
        Call ecrecover;
        Call erc1271;
        Call simulation;
    }

    uint256 private constant READ_GAS = 200_000;
    uint256 private constant SIGNATURE_GAS = 1_000_000;
    uint256 private constant SIMULATION_GAS = 1_500_000;
    uint256 private constant MAX_RETURN = 256;

    error ProbeResult(Result result);

    /// @notice Per check, the revert data of its `probeOne` self-call: `ProbeResult(result)` (anything else, e.g. empty
    /// when it ran out of gas, means the check produced no result).
    function probe(Check[] calldata checks) external returns (bytes[] memory results) {
        results = new bytes[](checks.length);
        for (uint256 i = 0; i < checks.length; i++) {
            (, results[i]) = address(this).call(abi.encodeCall(this.probeOne, (checks[i])));
        }
    }

    /// @notice Runs one check and reverts with `ProbeResult(result)` (never returns normally).
    function probeOne(Check calldata c) external {
        Result memory r;
        r.ownerHasCode = c.owner.code.length > 0;
        r.tokenHasCode = c.token.code.length > 0;
        if (c.ecdsa == 1) r.ecrecover = _call(address(1), abi.encode(c.digest, c.v, c.r, c.s), READ_GAS);
        if (r.ownerHasCode) {
            r.erc1271 = _call(
                c.owner, abi.encodeWithSignature("isValidSignature(bytes32,bytes)", c.digest, c.signature), SIGNATURE_GAS
            );
        }
        // The simulation only when the proxy has code (a call to an empty account "succeeds"). A successful simulation
        // needs no diagnosis; after a failed one (which changed nothing) the diagnostic reads see the same state.
        bool simulated = c.settleCalldata.length > 0 && c.proxy.code.length > 0;
        if (simulated) r.simulation = _call(c.proxy, c.settleCalldata, SIMULATION_GAS);
        if (!simulated || !r.simulation.success) {
            r.proxyPermit2 = _call(c.proxy, abi.encodeWithSignature("PERMIT2()"), READ_GAS);
            r.balanceOf = _call(c.token, abi.encodeWithSignature("balanceOf(address)", c.owner), READ_GAS);
            r.allowance =
                _call(c.token, abi.encodeWithSignature("allowance(address,address)", c.owner, c.permit2), READ_GAS);
            r.nonceBitmap =
                _call(c.permit2, abi.encodeWithSignature("nonceBitmap(address,uint256)", c.owner, c.wordPos), READ_GAS);
        } else {
            r.proxyPermit2.success = true; // proxy has code and its settle ran: it is deployed
        }
        revert ProbeResult(r);
    }

    function _call(address target, bytes memory data, uint256 gasCap) private returns (Call memory out) {
        uint256 gasLimit = gasleft() < gasCap ? gasleft() : gasCap;
        (bool ok, bytes memory ret) = target.call{gas: gasLimit}(data);
        if (ret.length > MAX_RETURN) {
            assembly {
                mstore(ret, 256)
            }
        }
        out = Call(ok, ret);
    }
}
