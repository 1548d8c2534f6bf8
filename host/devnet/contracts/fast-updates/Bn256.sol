// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {G1Point} from "../interfaces/IFastUpdater.sol";

/// BN254 (alt_bn128) G1 arithmetic on the EVM precompiles: 0x05 modexp, 0x06 point addition, 0x07 scalar
/// multiplication. Every precompile failure (e.g. a coordinate not below p) is a bare revert.
library Bn256 {
    /// Field modulus.
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// Group order.
    uint256 internal constant Q = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// The generator (1, 2).
    function generator() internal pure returns (G1Point memory) {
        return G1Point(1, 2);
    }

    /// `_base ^ _exponent mod P`.
    function powModP(uint256 _base, uint256 _exponent) internal view returns (uint256 result) {
        (bool ok, bytes memory out) = address(0x05).staticcall(abi.encode(32, 32, 32, _base, _exponent, P));
        require(ok);
        result = abi.decode(out, (uint256));
    }

    /// `_a + _b`.
    function add(G1Point memory _a, G1Point memory _b) internal view returns (G1Point memory) {
        (bool ok, bytes memory out) = address(0x06).staticcall(abi.encode(_a.x, _a.y, _b.x, _b.y));
        require(ok);
        (uint256 x, uint256 y) = abi.decode(out, (uint256, uint256));
        return G1Point(x, y);
    }

    /// `_scalar · _point`.
    function mul(G1Point memory _point, uint256 _scalar) internal view returns (G1Point memory) {
        (bool ok, bytes memory out) = address(0x07).staticcall(abi.encode(_point.x, _point.y, _scalar));
        require(ok);
        (uint256 x, uint256 y) = abi.decode(out, (uint256, uint256));
        return G1Point(x, y);
    }

    /// Whether y² = x³ + 3 (mod P), both sides reduced; (0, 0) is not on the curve.
    function isOnCurve(G1Point memory _point) internal view returns (bool) {
        return powModP(_point.y, 2) == addmod(powModP(_point.x, 3), 3, P);
    }

    /// Try-and-increment hash to G1: x = sha256(m) mod P, the first x (counting up) whose x³ + 3 is a non-zero
    /// quadratic residue (Euler's criterion), and y = (x³ + 3)^((P + 1) / 4), the principal root.
    function hashToPoint(bytes memory _message) internal view returns (G1Point memory) {
        uint256 x = uint256(sha256(_message)) % P;
        while (true) {
            uint256 ySquared = addmod(powModP(x, 3), 3, P);
            if (ySquared != 0 && powModP(ySquared, (P - 1) / 2) == 1) {
                return G1Point(x, powModP(ySquared, (P + 1) / 4));
            }
            x += 1;
        }
        revert();
    }
}
