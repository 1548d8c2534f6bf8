//! The FSP result Merkle tree over bytes32 leaves, laid out exactly as the reference builds it.
//!
//! Construction (`MerkleTree.ts`, flare-specs `Utilities/MerkleTree.md`):
//!
//! 1. sort the leaves ascending in byte order and remove duplicates; let `n` be the count;
//! 2. the node array `M` has `2n − 1` entries, `M[n−1 ..]` holding the sorted leaves;
//! 3. for `i = n−2 … 0`: `M[i] = keccak256(min(M[2i+1], M[2i+2]) ‖ max(…))`;
//! 4. the root is `M[0]`: a single leaf is its own root (unhashed), no leaves means no root.
//!
//! This is a heap layout, not a level-by-level pairing: for three sorted leaves `a < b < c`,
//! `M[1] = H(b, c)` and the root is `H(M[1], a)`.
//!
//! The tree is generic over bytes32 leaves: the FTSO result tree hashes ABI-encoded Feed and
//! Random structs into leaves, the reward-claims tree hashes claims.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use alloy_primitives::{B256, keccak256};

/// `keccak256(min(a, b) ‖ max(a, b))`, comparing the hashes as byte strings.
pub fn sorted_hash(a: &B256, b: &B256) -> B256 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut buf = [0u8; 64];
    let (first, second) = buf.split_at_mut(32);
    first.copy_from_slice(lo.as_slice());
    second.copy_from_slice(hi.as_slice());
    keccak256(buf)
}

/// A built Merkle tree: the whole heap-layout node array.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MerkleTree {
    /// `2n − 1` nodes; the last `n` are the sorted distinct leaves. Empty when there are no leaves.
    nodes: Vec<B256>,
}

impl MerkleTree {
    /// Builds the tree from leaves in any order; duplicates are removed.
    pub fn new(leaves: impl IntoIterator<Item = B256>) -> Self {
        let mut sorted: Vec<B256> = leaves.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        let n = sorted.len();
        if n == 0 {
            return Self::default();
        }
        // Internal nodes first (placeholders), then the leaves.
        let mut nodes = vec![B256::ZERO; n - 1];
        nodes.extend(sorted);
        for i in (0..n - 1).rev() {
            let hash = match (nodes.get(2 * i + 1), nodes.get(2 * i + 2)) {
                (Some(left), Some(right)) => sorted_hash(left, right),
                // Unreachable: for i ≤ n−2, 2i+2 ≤ 2n−2 is a valid index.
                _ => continue,
            };
            if let Some(slot) = nodes.get_mut(i) {
                *slot = hash;
            }
        }
        Self { nodes }
    }

    /// The root, `None` for an empty tree; a single leaf is its own root.
    pub fn root(&self) -> Option<B256> {
        self.nodes.first().copied()
    }

    /// Number of distinct leaves.
    pub fn leaf_count(&self) -> usize {
        self.nodes.len().div_ceil(2)
    }

    /// The sorted distinct leaves.
    pub fn leaves(&self) -> &[B256] {
        let n = self.leaf_count();
        self.nodes.get(n.saturating_sub(1)..).unwrap_or(&[])
    }

    /// The full node array `M` (root first, leaves last).
    pub fn nodes(&self) -> &[B256] {
        &self.nodes
    }

    /// Whether `leaf` is one of the tree's leaves.
    pub fn contains(&self, leaf: &B256) -> bool {
        self.leaves().binary_search(leaf).is_ok()
    }

    /// The proof for `leaf`: sibling hashes from the leaf up to the root; `None` if absent.
    ///
    /// A single-leaf tree gives an empty proof.
    pub fn proof(&self, leaf: &B256) -> Option<Vec<B256>> {
        let n = self.leaf_count();
        let k = self.leaves().binary_search(leaf).ok()?;
        let mut pos = n - 1 + k;
        let mut proof = Vec::new();
        while pos > 0 {
            let sibling = if pos % 2 == 1 { pos + 1 } else { pos - 1 };
            proof.push(*self.nodes.get(sibling)?);
            pos = (pos - 1) / 2;
        }
        Some(proof)
    }
}

/// Folds `proof` over `leaf` with sorted-pair hashing: the root the proof leads to.
pub fn root_from_proof(leaf: &B256, proof: &[B256]) -> B256 {
    proof
        .iter()
        .fold(*leaf, |hash, sibling| sorted_hash(&hash, sibling))
}

/// Whether `proof` shows that `leaf` is in the tree with `root`.
pub fn verify_proof(leaf: &B256, proof: &[B256], root: &B256) -> bool {
    root_from_proof(leaf, proof) == *root
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    fn leaf(i: u8) -> B256 {
        keccak256([i])
    }

    #[test]
    fn empty_tree_has_no_root() {
        let tree = MerkleTree::new([]);
        assert_eq!(tree.root(), None);
        assert_eq!(tree.leaf_count(), 0);
        assert!(tree.leaves().is_empty());
        assert_eq!(tree.proof(&leaf(1)), None);
    }

    #[test]
    fn single_leaf_is_the_root() {
        let tree = MerkleTree::new([leaf(1), leaf(1)]);
        assert_eq!(tree.root(), Some(leaf(1)));
        assert_eq!(tree.proof(&leaf(1)), Some(vec![]));
    }

    #[test]
    fn matches_the_digest_roots_for_keccak_of_single_bytes() {
        // data-provider.md §12.3: roots for leaves keccak256(0x01) … keccak256(0x0n).
        let expected = [
            b256!("5fe7f977e71dba2ea1a68e21057beebb9be2ac30c6410aa38d4f3fbe41dcffd2"),
            b256!("71d8979cbfae9b197a4fbcc7d387b1fae9560e2f284d30b4e90c80f6bc074f57"),
            b256!("802ccd24f12e221f0568b5672e58f9198cbf6d2f6e130d6b01c87d3afe35a21e"),
            b256!("43202dd324277dc795816f55332ebbef25c239d650b742c832bfbd9d99545cb3"),
            b256!("5b652e3f75a5299d03147cb308bc62e00396b0a82bd4061ba36cfd0ad86d7645"),
        ];
        for (n, root) in (1u8..).zip(expected) {
            let tree = MerkleTree::new((1..=n).map(leaf));
            assert_eq!(tree.root(), Some(root), "n = {n}");
        }
    }

    #[test]
    fn three_leaves_use_heap_layout() {
        let mut leaves = [leaf(1), leaf(2), leaf(3)];
        leaves.sort();
        let [a, b, c] = leaves;
        let tree = MerkleTree::new([c, a, b]);
        assert_eq!(tree.nodes()[1], sorted_hash(&b, &c));
        assert_eq!(tree.root(), Some(sorted_hash(&sorted_hash(&b, &c), &a)));
    }

    #[test]
    fn every_proof_verifies_and_non_members_have_none() {
        let tree = MerkleTree::new((0..11).map(leaf));
        let root = tree.root().unwrap();
        for i in 0..11 {
            let proof = tree.proof(&leaf(i)).unwrap();
            assert!(verify_proof(&leaf(i), &proof, &root));
            assert!(!verify_proof(&leaf(i + 50), &proof, &root));
        }
        assert_eq!(tree.proof(&leaf(99)), None);
        assert!(!tree.contains(&leaf(99)));
    }
}
