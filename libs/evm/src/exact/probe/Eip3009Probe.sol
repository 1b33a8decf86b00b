// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Eip3009BatchProbe: everything an EIP-3009 verification needs from the chain, for many payments, in ONE
/// `eth_call`, on any node, with nothing deployed.
/// @notice Never deployed. The facilitator sends `eth_call` without `to` and with data = this contract's creation
/// code ++ abi.encode(Check[]): the constructor runs, probes every check and returns abi.encode(bytes[]) (one
/// abi-encoded Result per check) as the call's output ("deployless" call, as viem does for ERC-6492).
/// Each check runs inside its own child CREATE (Eip3009Probe) that always reverts with its result, so every
/// simulation sees the untouched chain state: two copies of one authorization in a batch both simulate as the first.
/// Outer calls are gas-capped so one hostile token or wallet cannot starve the rest of the batch.
struct Check {
    address token;
    address from;
    address to;
    uint256 value;
    uint256 validAfter;
    uint256 validBefore;
    bytes32 nonce;
    /// EIP-712 digest of the authorization, computed off chain.
    bytes32 digest;
    /// 0: skip the signature check; 1: ecrecover(v, r, s) when `from` has no code, else strict ERC-1271.
    uint8 sigMode;
    uint8 v;
    bytes32 r;
    bytes32 s;
    /// The (ERC-6492-unwrapped) signature bytes, for ERC-1271 and the bytes overload.
    bytes signature;
    /// 0: transferWithAuthorization(..., uint8 v, bytes32 r, bytes32 s); 1: the bytes overload; 2: no simulation.
    uint8 simMode;
    /// v exactly as the SDK passes it to the v,r,s overload (27/28, or a raw 0/1 that the token rejects).
    uint8 simV;
    /// ERC-6492 deployment called before the simulation (address(0): none).
    address factory;
    bytes factoryData;
}

/// @dev Results are packed, not ABI-encoded: a deployless call returns its output as "contract code", which EIP-170
/// caps at 24,576 bytes. Record layout: uint32 payerCodeSize | uint32 tokenCodeSize | uint8 flags, then, only when the
/// simulation failed (flag bit 6), five (uint16 length, bytes) fields: simulation revert data, balanceOf, name,
/// version and authorizationState return data, each truncated to 256 bytes.
/// flags: bit0 signatureValid, bit1 simulationOk, bit2 balanceOk, bit3 nameOk, bit4 versionOk, bit5 authStateOk,
/// bit6 diagnostics present.
/// @dev The checks of one authorization, returned as a packed record (layout above).
library Eip3009Checks {
    bytes4 private constant ERC1271_MAGIC_VALUE = 0x1626ba7e;
    uint256 private constant SIGNATURE_GAS = 2_000_000;
    uint256 private constant READ_GAS = 200_000;
    uint256 private constant FACTORY_GAS = 5_000_000;
    uint256 private constant SIMULATION_GAS = 3_000_000;

    function run(Check memory c) internal returns (bytes memory out) {
        uint256 payerCodeSize = c.from.code.length;
        uint256 tokenCodeSize = c.token.code.length;
        uint8 flags;

        if (c.sigMode == 1) {
            bool valid;
            if (payerCodeSize == 0) {
                address recovered = ecrecover(c.digest, c.v, c.r, c.s);
                valid = recovered != address(0) && recovered == c.from;
            } else {
                (bool ok, bytes memory ret) = c.from.staticcall{gas: SIGNATURE_GAS}(
                    abi.encodeWithSelector(0x1626ba7e, c.digest, c.signature)
                );
                valid = ok && ret.length >= 32 && bytes4(ret) == ERC1271_MAGIC_VALUE;
            }
            if (valid) flags |= 1;
        }

        if (c.factory != address(0)) {
            // Result ignored, as Multicall3.tryAggregate(false, ...) in the SDK ignores it.
            (bool deployed, ) = c.factory.call{gas: FACTORY_GAS}(c.factoryData);
            deployed;
        }

        bool simOk = true;
        bytes memory simData;
        if (c.simMode == 0) {
            (simOk, simData) = c.token.call{gas: SIMULATION_GAS}(
                abi.encodeWithSelector(
                    0xe3ee160e, c.from, c.to, c.value, c.validAfter, c.validBefore, c.nonce, c.simV, c.r, c.s
                )
            );
        } else if (c.simMode == 1) {
            (simOk, simData) = c.token.call{gas: SIMULATION_GAS}(
                abi.encodeWithSelector(
                    0xcf092995, c.from, c.to, c.value, c.validAfter, c.validBefore, c.nonce, c.signature
                )
            );
        }

        if (simOk) {
            flags |= 2;
            out = abi.encodePacked(uint32(payerCodeSize), uint32(tokenCodeSize), flags);
        } else {
            // Diagnostics only for a failed simulation (it reverted, so the state is as before it).
            (bool balanceOk, bytes memory balanceData) = c.token.staticcall{gas: READ_GAS}(
                abi.encodeWithSelector(0x70a08231, c.from)
            );
            (bool nameOk, bytes memory nameData) = c.token.staticcall{gas: READ_GAS}(
                abi.encodeWithSelector(0x06fdde03)
            );
            (bool versionOk, bytes memory versionData) = c.token.staticcall{gas: READ_GAS}(
                abi.encodeWithSelector(0x54fd4d50)
            );
            (bool authOk, bytes memory authData) = c.token.staticcall{gas: READ_GAS}(
                abi.encodeWithSelector(0xe94a0102, c.from, c.nonce)
            );
            if (balanceOk) flags |= 4;
            if (nameOk) flags |= 8;
            if (versionOk) flags |= 16;
            if (authOk) flags |= 32;
            flags |= 64;
            out = abi.encodePacked(
                abi.encodePacked(uint32(payerCodeSize), uint32(tokenCodeSize), flags),
                _field(simData),
                _field(balanceData),
                _field(nameData),
                _field(versionData),
                _field(authData)
            );
        }
    }

    function _field(bytes memory data) private pure returns (bytes memory) {
        uint256 n = data.length > 256 ? 256 : data.length;
        assembly {
            mstore(data, n)
        }
        return abi.encodePacked(uint16(n), data);
    }
}

/// @dev Deployless form: one check per child CREATE, which always reverts with its record (state rolled back).
contract Eip3009Probe {
    constructor(Check memory c) {
        bytes memory out = Eip3009Checks.run(c);
        assembly {
            revert(add(out, 32), mload(out))
        }
    }
}

/// @notice State-override form, the hot path: the facilitator places this runtime code at a fixed address for the
/// duration of ONE `eth_call` (nothing is deployed anywhere) and calls `probe(bytes)` with packed checks. Each check
/// runs in a self-call that always reverts with its record, so every simulation sees the untouched chain state.
/// Written close to the metal: on Hardhat every executed opcode is traced and costs microseconds, so the per-check
/// overhead beyond the token's own `transferWithAuthorization` is kept to a few hundred opcodes.
///
/// Packed check (big-endian): token(20) from(20) to(20) value(32) validAfter(32) validBefore(32) nonce(32) digest(32)
/// r(32) s(32) v(1) simV(1) flags(1: bit0 signature check, bits1-2 simMode 0 v,r,s / 1 bytes / 2 none) factory(20)
/// sigLen(2) factoryDataLen(2) sig(sigLen) factoryData(factoryDataLen). flags bit3: the `digest` slot holds the token's
/// EIP-712 domain separator and the runner computes the TransferWithAuthorization digest itself (two KECCAK256
/// opcodes instead of two JavaScript keccaks). `probe` takes uint16 length ++ check, repeated,
/// and returns (raw, not ABI-encoded) uint16 length ++ record per check; records as in the layout above.
contract Eip3009ProbeRunner {
    uint256 private constant SIGNATURE_GAS = 2_000_000;
    uint256 private constant READ_GAS = 200_000;
    uint256 private constant FACTORY_GAS = 5_000_000;
    uint256 private constant SIMULATION_GAS = 3_000_000;

    function probe(bytes calldata checks) external {
        assembly {
            let p := checks.offset
            let end := add(p, checks.length)
            let out := mload(0x40)
            let cursor := out
            let input := add(out, 0x10000)
            for {} lt(p, end) {} {
                let len := shr(240, calldataload(p))
                p := add(p, 2)
                mstore(input, shl(224, 0xffffffff))
                calldatacopy(add(input, 4), p, len)
                pop(call(gas(), address(), 0, input, add(len, 4), 0, 0))
                let rlen := returndatasize()
                mstore(cursor, shl(240, rlen))
                returndatacopy(add(cursor, 2), 0, rlen)
                cursor := add(cursor, add(rlen, 2))
                p := add(p, len)
            }
            return(out, sub(cursor, out))
        }
    }

    fallback() external {
        address token;
        address from;
        uint256 nonce;
        bytes memory head;
        bool simOk;
        assembly {
            let b := 4
            token := shr(96, calldataload(b))
            from := shr(96, calldataload(add(b, 20)))
            let to := shr(96, calldataload(add(b, 40)))
            let value := calldataload(add(b, 60))
            let validAfter := calldataload(add(b, 92))
            let validBefore := calldataload(add(b, 124))
            nonce := calldataload(add(b, 156))
            let digest := calldataload(add(b, 188))
            let r := calldataload(add(b, 220))
            let s := calldataload(add(b, 252))
            let v := byte(0, calldataload(add(b, 284)))
            let simV := byte(0, calldataload(add(b, 285)))
            let flags := byte(0, calldataload(add(b, 286)))
            let factory := shr(96, calldataload(add(b, 287)))
            let sigLen := shr(240, calldataload(add(b, 307)))
            let factoryDataLen := shr(240, calldataload(add(b, 309)))
            let sigStart := add(b, 311)
            let payerCode := extcodesize(from)
            let out := 0
            let m := mload(0x40)
            if and(flags, 8) {
                // keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
                mstore(m, 0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267)
                mstore(add(m, 32), from)
                mstore(add(m, 64), to)
                mstore(add(m, 96), value)
                mstore(add(m, 128), validAfter)
                mstore(add(m, 160), validBefore)
                mstore(add(m, 192), nonce)
                let structHash := keccak256(m, 224)
                mstore(m, shl(240, 0x1901))
                mstore(add(m, 2), digest)
                mstore(add(m, 34), structHash)
                digest := keccak256(m, 66)
            }

            if and(flags, 1) {
                switch payerCode
                case 0 {
                    mstore(m, digest)
                    mstore(add(m, 32), v)
                    mstore(add(m, 64), r)
                    mstore(add(m, 96), s)
                    mstore(add(m, 128), 0)
                    pop(staticcall(gas(), 1, m, 128, add(m, 128), 32))
                    let recovered := mload(add(m, 128))
                    if and(iszero(iszero(recovered)), eq(recovered, from)) { out := 1 }
                }
                default {
                    mstore(m, shl(224, 0x1626ba7e))
                    mstore(add(m, 4), digest)
                    mstore(add(m, 36), 0x40)
                    mstore(add(m, 68), sigLen)
                    calldatacopy(add(m, 100), sigStart, sigLen)
                    mstore(add(add(m, 100), sigLen), 0)
                    let ok := staticcall(SIGNATURE_GAS, from, m, add(100, and(add(sigLen, 31), not(31))), 0, 0)
                    if and(ok, gt(returndatasize(), 31)) {
                        returndatacopy(m, 0, 32)
                        if eq(shr(224, mload(m)), 0x1626ba7e) { out := 1 }
                    }
                }
            }

            if factory {
                calldatacopy(m, add(sigStart, sigLen), factoryDataLen)
                pop(call(FACTORY_GAS, factory, 0, m, factoryDataLen, 0, 0))
            }

            let simMode := and(shr(1, flags), 3)
            simOk := 1
            if eq(simMode, 0) {
                mstore(m, shl(224, 0xe3ee160e))
                mstore(add(m, 4), from)
                mstore(add(m, 36), to)
                mstore(add(m, 68), value)
                mstore(add(m, 100), validAfter)
                mstore(add(m, 132), validBefore)
                mstore(add(m, 164), nonce)
                mstore(add(m, 196), simV)
                mstore(add(m, 228), r)
                mstore(add(m, 260), s)
                simOk := call(SIMULATION_GAS, token, 0, m, 292, 0, 0)
            }
            if eq(simMode, 1) {
                mstore(m, shl(224, 0xcf092995))
                mstore(add(m, 4), from)
                mstore(add(m, 36), to)
                mstore(add(m, 68), value)
                mstore(add(m, 100), validAfter)
                mstore(add(m, 132), validBefore)
                mstore(add(m, 164), nonce)
                mstore(add(m, 196), 0xe0)
                mstore(add(m, 228), sigLen)
                calldatacopy(add(m, 260), sigStart, sigLen)
                mstore(add(add(m, 260), sigLen), 0)
                simOk := call(SIMULATION_GAS, token, 0, m, add(260, and(add(sigLen, 31), not(31))), 0, 0)
            }
            if simOk { out := or(out, 2) }

            // record head: uint32 payerCodeSize | uint32 tokenCodeSize | uint8 flags
            mstore(m, or(or(shl(224, payerCode), shl(192, extcodesize(token))), shl(184, out)))
            if simOk { revert(m, 9) }
            head := add(m, 0x200)
            mstore(head, 9)
            mstore(add(head, 32), mload(m))
            mstore(0x40, add(head, 64))
        }
        // Failed simulation: the revert data and the diagnostic reads (the call reverted: state as before it).
        bytes memory simData = new bytes(returndatasizeOf());
        assembly {
            returndatacopy(add(simData, 32), 0, mload(simData))
        }
        (bool balanceOk, bytes memory balanceData) = token.staticcall{gas: READ_GAS}(abi.encodeWithSelector(0x70a08231, from));
        (bool nameOk, bytes memory nameData) = token.staticcall{gas: READ_GAS}(abi.encodeWithSelector(0x06fdde03));
        (bool versionOk, bytes memory versionData) = token.staticcall{gas: READ_GAS}(abi.encodeWithSelector(0x54fd4d50));
        (bool authOk, bytes memory authData) = token.staticcall{gas: READ_GAS}(abi.encodeWithSelector(0xe94a0102, from, nonce));
        uint8 flagsOut = uint8(head[8]) | 64;
        if (balanceOk) flagsOut |= 4;
        if (nameOk) flagsOut |= 8;
        if (versionOk) flagsOut |= 16;
        if (authOk) flagsOut |= 32;
        head[8] = bytes1(flagsOut);
        bytes memory record = abi.encodePacked(
            head,
            _field(simData),
            _field(balanceData),
            _field(nameData),
            _field(versionData),
            _field(authData)
        );
        assembly {
            revert(add(record, 32), mload(record))
        }
        simOk;
    }

    function returndatasizeOf() private pure returns (uint256 n) {
        assembly {
            n := returndatasize()
        }
    }

    function _field(bytes memory data) private pure returns (bytes memory) {
        uint256 n = data.length > 256 ? 256 : data.length;
        assembly {
            mstore(data, n)
        }
        return abi.encodePacked(uint16(n), data);
    }
}

/// @dev Output: for each check, uint16 length ++ its packed record (length 0: the probe produced nothing).
contract Eip3009BatchProbe {
    constructor(Check[] memory checks) {
        bytes memory out;
        for (uint256 i = 0; i < checks.length; i++) {
            bytes memory data;
            try new Eip3009Probe(checks[i]) {
                // unreachable: the probe always reverts with its result
            } catch (bytes memory reason) {
                data = reason;
            }
            out = abi.encodePacked(out, uint16(data.length), data);
        }
        assembly {
            return(add(out, 32), mload(out))
        }
    }
}
