//! Merkle tree: every member's proof verifies, non-members have none and fail verification.

use alloy_primitives::{B256, keccak256};
use ftso_core::merkle::{self, MerkleTree};
use proptest::prelude::*;

/// Leaves drawn from a small pool so that duplicates are common.
fn leaves() -> impl Strategy<Value = Vec<B256>> {
    proptest::collection::vec(0u16..200, 0..80).prop_map(|ids| {
        ids.into_iter()
            .map(|i| keccak256(i.to_be_bytes()))
            .collect()
    })
}

proptest! {
    #[test]
    fn proofs_verify_for_members_only(leaves in leaves(), outsider in 200u16..400) {
        let tree = MerkleTree::new(leaves.iter().copied());
        let mut distinct = leaves.clone();
        distinct.sort();
        distinct.dedup();
        prop_assert_eq!(tree.leaves(), distinct.as_slice());
        prop_assert_eq!(tree.nodes().len(), (2 * distinct.len()).saturating_sub(1));
        let outsider = keccak256(outsider.to_be_bytes());
        prop_assert_eq!(tree.proof(&outsider), None);
        let Some(root) = tree.root() else {
            prop_assert!(leaves.is_empty());
            return Ok(());
        };
        for leaf in &leaves {
            let proof = tree.proof(leaf).unwrap();
            prop_assert!(merkle::verify_proof(leaf, &proof, &root));
            prop_assert!(!merkle::verify_proof(&outsider, &proof, &root));
        }
    }

    #[test]
    fn root_does_not_depend_on_leaf_order_or_duplicates(mut leaves in leaves(), seed in any::<u64>()) {
        let root = MerkleTree::new(leaves.iter().copied()).root();
        // A deterministic shuffle, and every leaf twice.
        let n = leaves.len();
        for i in 0..n {
            let j = (seed as usize).wrapping_mul(i + 7) % n;
            leaves.swap(i, j);
        }
        let doubled = leaves.iter().chain(leaves.iter()).copied();
        prop_assert_eq!(MerkleTree::new(doubled).root(), root);
    }
}
