// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {G1Point, SortitionCredential} from "../interfaces/IFastUpdater.sol";
import {Bn256} from "./Bn256.sol";

/// What a ticket is judged against: the epoch's seed, the ticket's block and cutoff, the provider's weight and key.
struct SortitionState {
    uint256 baseSeed;
    uint256 blockNumber;
    uint256 scoreCutoff;
    uint256 weight;
    G1Point publicKey;
}

/// The sortition checks of FastUpdater (VRF credential) and of the sortition-key registration (Schnorr).
library Sortition {
    /// Whether the credential is a valid ticket: replicate below the weight (reverts otherwise), the DLEQ proof
    /// verifies and gamma.x is at most the cutoff.
    function isWinningTicket(SortitionState memory _state, SortitionCredential calldata _credential)
        internal
        view
        returns (bool)
    {
        require(
            _credential.replicate < _state.weight, "Credential's replicate value is not less than provider's weight"
        );
        return verifyProof(_state, _credential) && _credential.gamma.x <= _state.scoreCutoff;
    }

    /// Chaum-Pedersen DLEQ check that log_G(pk) = log_H(gamma) with H = hashToPoint(seed, block, replicate):
    /// U = c·pk + s·G, V = c·gamma + s·H and c = sha256(G, H, pk, gamma, U, V) mod Q.
    function verifyProof(SortitionState memory _state, SortitionCredential calldata _credential)
        internal
        view
        returns (bool)
    {
        G1Point memory gamma = _credential.gamma;
        require(Bn256.isOnCurve(_state.publicKey));
        require(Bn256.isOnCurve(gamma));
        G1Point memory g = Bn256.generator();
        G1Point memory u = Bn256.add(Bn256.mul(_state.publicKey, _credential.c), Bn256.mul(g, _credential.s));
        G1Point memory h =
            Bn256.hashToPoint(abi.encodePacked(_state.baseSeed, _state.blockNumber, _credential.replicate));
        G1Point memory v = Bn256.add(Bn256.mul(gamma, _credential.c), Bn256.mul(h, _credential.s));
        uint256 challenge = uint256(sha256(abi.encode(g, h, _state.publicKey, gamma, u, v))) % Bn256.Q;
        return challenge == _credential.c;
    }

    /// Schnorr check of a key registration: s·G + e·pk = R with e = keccak256(pk ‖ m ‖ R) mod Q.
    function verifySchnorr(G1Point memory _publicKey, bytes32 _message, uint256 _s, G1Point memory _r)
        internal
        view
    {
        uint256 e = uint256(keccak256(abi.encodePacked(_publicKey.x, _publicKey.y, _message, _r.x, _r.y))) % Bn256.Q;
        G1Point memory check = Bn256.add(Bn256.mul(Bn256.generator(), _s), Bn256.mul(_publicKey, e));
        require(check.x == _r.x && check.y == _r.y, "public key verification error");
    }
}
