// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// An EIP-191 signature over a 32-byte message hash; v is 27 or 28.
struct Signature {
    uint8 v;
    bytes32 r;
    bytes32 s;
}

/// A BN254 G1 sortition public key (x, y).
struct PublicKey {
    bytes32 x;
    bytes32 y;
}
