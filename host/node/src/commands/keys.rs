//! `ftso-node keys generate|import|show`: an entity's keys from one BIP-39 mnemonic.
//!
//! The five role addresses of an entity are derived on the BIP-44 EVM path `m/44'/<coin>'/<account>'/0/<index>`
//! (coin type 60 by default) with alloy's mnemonic signer, and the fast-updates sortition key from the next two
//! keys of the same path (64 bytes reduced modulo the BN254 group order), so the mnemonic alone restores every key.
//!
//! The key directory (mode 0700) holds, each file mode 0600:
//!
//! | file | content | read by |
//! |---|---|---|
//! | `mnemonic` | the 24 words | `keys import` on another machine |
//! | `identity.key`, `submit.key`, `submit_signatures.key`, `signing_policy.key`, `delegation.key` | the role's secp256k1 private key, `0x` + 64 hex digits | `ftso_chain::keys::KeySource { file }` |
//! | `sortition.key` | the sortition scalar, `0x` + 64 hex digits | `ftso_core::fast_updates::key::SortitionKey::parse` |
//!
//! Nothing secret is printed unless `--show-mnemonic` is given; `keys show` prints addresses and the sortition
//! public key only.

use std::{
    io::Read as _,
    path::{Path, PathBuf},
};

use alloy::primitives::Address;
use alloy_signer_local::{
    MnemonicBuilder, PrivateKeySigner,
    coins_bip39::{English, Entropy, Mnemonic},
};
use anyhow::Context as _;
use clap::{Args, Subcommand};
use ftso_core::fast_updates::key::SortitionKey;

use crate::secret_file::{create_private_dir, write_private};

/// The roles of an entity's keys, in derivation order (index 0 to 4 of the path).
pub const ROLES: [&str; 5] = [
    "identity",
    "submit",
    "submit_signatures",
    "signing_policy",
    "delegation",
];
/// The first of the two path indices whose keys make the sortition key.
const SORTITION_INDEX: u32 = 5;
/// The BIP-44 coin type of Ethereum, which Flare's wallets use.
pub const EVM_COIN_TYPE: u32 = 60;
const MNEMONIC_FILE: &str = "mnemonic";
const SORTITION_FILE: &str = "sortition.key";

/// Manages an entity's keys.
#[derive(Debug, Args)]
pub struct KeysCommand {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Creates a 24-word mnemonic and derives the five role keys and the sortition key into a directory.
    Generate {
        #[command(flatten)]
        target: Target,
        /// Also print the mnemonic (write it down offline; it restores every key).
        #[arg(long)]
        show_mnemonic: bool,
    },
    /// Derives the keys from a mnemonic read on stdin.
    Import {
        #[command(flatten)]
        target: Target,
    },
    /// Prints the addresses and the sortition public key of a key directory (no secrets).
    Show {
        /// The key directory.
        #[arg(long)]
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
struct Target {
    /// The key directory to write (created with mode 0700).
    #[arg(long)]
    dir: PathBuf,
    /// BIP-44 coin type of the derivation path.
    #[arg(long, default_value_t = EVM_COIN_TYPE)]
    coin_type: u32,
    /// BIP-44 account of the derivation path.
    #[arg(long, default_value_t = 0)]
    account: u32,
    /// Replace key files that exist.
    #[arg(long)]
    force: bool,
}

impl KeysCommand {
    /// Runs the chosen action.
    pub fn execute(self) -> anyhow::Result<()> {
        match self.action {
            Action::Generate {
                target,
                show_mnemonic,
            } => {
                let mut entropy = [0u8; 32];
                getrandom::fill(&mut entropy)
                    .map_err(|e| anyhow::anyhow!("no randomness for the mnemonic: {e}"))?;
                let phrase =
                    Mnemonic::<English>::new_from_entropy(Entropy::from(entropy)).to_phrase();
                let keys = EntityKeys::derive(&phrase, target.coin_type, target.account)?;
                keys.write(&target.dir, target.force)?;
                if show_mnemonic {
                    println!("mnemonic: {phrase}");
                }
                print!("{}", keys.describe());
                println!(
                    "written to {} (mode 0700, files 0600)",
                    target.dir.display()
                );
                Ok(())
            }
            Action::Import { target } => {
                let mut phrase = String::new();
                std::io::stdin()
                    .read_to_string(&mut phrase)
                    .context("cannot read the mnemonic from stdin")?;
                let phrase = normalise(&phrase);
                let keys = EntityKeys::derive(&phrase, target.coin_type, target.account)?;
                keys.write(&target.dir, target.force)?;
                print!("{}", keys.describe());
                println!(
                    "written to {} (mode 0700, files 0600)",
                    target.dir.display()
                );
                Ok(())
            }
            Action::Show { dir } => {
                print!("{}", EntityKeys::read(&dir)?.describe());
                Ok(())
            }
        }
    }
}

/// The words of a mnemonic separated by single spaces.
fn normalise(phrase: &str) -> String {
    phrase.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An entity's keys: the mnemonic (when known), one signer per role in [`ROLES`] order, the sortition key.
pub struct EntityKeys {
    mnemonic: Option<String>,
    roles: Vec<PrivateKeySigner>,
    sortition: SortitionKey,
}

impl std::fmt::Debug for EntityKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityKeys")
            .field("addresses", &self.addresses())
            .field("sortition", &self.sortition)
            .finish_non_exhaustive()
    }
}

impl EntityKeys {
    /// Derives every key from `phrase` on `m/44'/<coin_type>'/<account>'/0/<index>`.
    pub fn derive(phrase: &str, coin_type: u32, account: u32) -> anyhow::Result<Self> {
        let signer = |index: u32| -> anyhow::Result<PrivateKeySigner> {
            MnemonicBuilder::<English>::default()
                .phrase(phrase)
                .derivation_path(format!("m/44'/{coin_type}'/{account}'/0/{index}"))?
                .build()
                .context("not a valid BIP-39 English mnemonic")
        };
        let roles = (0..ROLES.len() as u32)
            .map(signer)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut sortition_bytes = Vec::with_capacity(64);
        for index in [SORTITION_INDEX, SORTITION_INDEX + 1] {
            sortition_bytes.extend_from_slice(signer(index)?.to_bytes().as_slice());
        }
        let sortition = SortitionKey::from_be_bytes(&sortition_bytes)
            .context("the derived sortition key is zero")?;
        Ok(Self {
            mnemonic: Some(phrase.to_owned()),
            roles,
            sortition,
        })
    }

    /// Reads the key files of a directory written by [`Self::write`].
    pub fn read(dir: &Path) -> anyhow::Result<Self> {
        let read = |name: String| -> anyhow::Result<String> {
            let path = dir.join(&name);
            std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))
        };
        let roles = ROLES
            .iter()
            .map(|role| {
                let text = read(format!("{role}.key"))?;
                let digits = text.trim().trim_start_matches("0x");
                let bytes: [u8; 32] = hex::decode(digits)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .with_context(|| format!("{role}.key does not hold 32 bytes of hex"))?;
                PrivateKeySigner::from_bytes(&bytes.into())
                    .with_context(|| format!("{role}.key is not a valid secp256k1 key"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let sortition = SortitionKey::parse(&read(SORTITION_FILE.to_owned())?)
            .with_context(|| format!("{SORTITION_FILE} in {}", dir.display()))?;
        Ok(Self {
            mnemonic: None,
            roles,
            sortition,
        })
    }

    /// Writes the mnemonic and the key files into `dir` (created with mode 0700; files 0600).
    pub fn write(&self, dir: &Path, force: bool) -> anyhow::Result<()> {
        create_private_dir(dir)?;
        if let Some(phrase) = &self.mnemonic {
            write_private(&dir.join(MNEMONIC_FILE), &format!("{phrase}\n"), force)?;
        }
        for (role, signer) in ROLES.iter().zip(&self.roles) {
            let text = format!("0x{}\n", hex::encode(signer.to_bytes()));
            write_private(&dir.join(format!("{role}.key")), &text, force)?;
        }
        let scalar = self.sortition.secret_word().to_be_bytes::<32>();
        let text = format!("0x{}\n", hex::encode(scalar));
        write_private(&dir.join(SORTITION_FILE), &text, force)
    }

    /// The role addresses, in [`ROLES`] order.
    pub fn addresses(&self) -> Vec<Address> {
        self.roles.iter().map(PrivateKeySigner::address).collect()
    }

    /// Addresses and the sortition public key, one per line: what `keys show` prints.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (role, address) in ROLES.iter().zip(self.addresses()) {
            out.push_str(&format!("{:<22} {address}\n", format!("{role}_address")));
        }
        let public = self.sortition.public_words();
        for (name, word) in [
            ("sortition_public_x", public.x),
            ("sortition_public_y", public.y),
        ] {
            out.push_str(&format!(
                "{name:<22} 0x{}\n",
                hex::encode(word.to_be_bytes::<32>())
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hardhat's and anvil's published test mnemonic.
    const TEST_MNEMONIC: &str = "test test test test test test test test test test test junk";

    #[test]
    fn the_test_mnemonic_gives_its_well_known_first_addresses() {
        let keys = EntityKeys::derive(TEST_MNEMONIC, EVM_COIN_TYPE, 0).unwrap();
        let expected: Vec<Address> = [
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
            "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
            "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        assert_eq!(keys.addresses(), expected);
        assert_eq!(
            hex::encode(keys.roles[0].to_bytes()),
            "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        );
    }

    #[test]
    fn the_coin_type_and_account_change_the_path() {
        let evm = EntityKeys::derive(TEST_MNEMONIC, EVM_COIN_TYPE, 0).unwrap();
        let other_coin = EntityKeys::derive(TEST_MNEMONIC, 0, 0).unwrap();
        let other_account = EntityKeys::derive(TEST_MNEMONIC, EVM_COIN_TYPE, 1).unwrap();
        assert_ne!(evm.addresses()[0], other_coin.addresses()[0]);
        assert_ne!(evm.addresses()[0], other_account.addresses()[0]);
        assert_ne!(evm.sortition, other_coin.sortition);
    }

    #[test]
    fn bip39_reference_vectors_mnemonic_and_seed() {
        // The BIP-39 reference vectors (trezor/python-mnemonic vectors.json, passphrase "TREZOR").
        let cases = [
            (
                [0u8; 32],
                "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon \
                 abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
                "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8",
            ),
            (
                [0x7f; 32],
                "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful \
                 legal winner thank year wave sausage worth title",
                "bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a4021b146ad717fbb7e451ce9eb835f43620bf5c514db0f8add49f5d121449d3e87",
            ),
        ];
        for (entropy, phrase, seed) in cases {
            let mnemonic = Mnemonic::<English>::new_from_entropy(Entropy::from(entropy));
            assert_eq!(mnemonic.to_phrase(), phrase);
            assert_eq!(hex::encode(mnemonic.to_seed(Some("TREZOR")).unwrap()), seed);
        }
    }

    #[test]
    fn written_keys_read_back_with_private_modes_and_no_secret_in_the_description() {
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("keys");
        let keys = EntityKeys::derive(TEST_MNEMONIC, EVM_COIN_TYPE, 0).unwrap();
        keys.write(&keys_dir, false).unwrap();
        assert!(
            keys.write(&keys_dir, false).is_err(),
            "existing files need --force"
        );
        let back = EntityKeys::read(&keys_dir).unwrap();
        assert_eq!(back.addresses(), keys.addresses());
        assert_eq!(back.sortition, keys.sortition);
        let description = back.describe();
        assert!(description.contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        assert!(!description.contains("ac0974bec39a17e3"));
        assert!(!description.contains("junk"));
        let sortition_text = std::fs::read_to_string(keys_dir.join(SORTITION_FILE)).unwrap();
        assert_eq!(
            SortitionKey::parse(&sortition_text).unwrap(),
            keys.sortition
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&keys_dir), 0o700);
            for entry in std::fs::read_dir(&keys_dir).unwrap() {
                assert_eq!(mode(&entry.unwrap().path()), 0o600);
            }
        }
        let debug = format!("{keys:?}");
        assert!(
            !debug.contains("junk") && !debug.contains("ac0974bec39a17e3"),
            "{debug}"
        );
    }
}
