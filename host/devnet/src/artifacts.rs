//! The compiled contract artifacts committed under `artifacts/` (rebuilt by `scripts/build-contracts.sh`),
//! embedded so the devnet needs neither node nor solc at run time.

use alloy::primitives::Bytes;
use anyhow::{Context, anyhow};

/// One compiled contract: its creation bytecode and runtime bytecode.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// Contract name.
    pub name: &'static str,
    /// Creation bytecode (constructor arguments are appended ABI-encoded).
    pub bytecode: Bytes,
    /// Runtime bytecode (what `anvil_setCode` installs).
    pub deployed_bytecode: Bytes,
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        /// (name, artifact JSON) of every deployable contract.
        const EMBEDDED: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../artifacts/", $name, ".json")))),*
        ];
    };
}

embedded!(
    "EntityManager",
    "FastUpdateIncentiveManager",
    "FastUpdater",
    "FastUpdatesConfiguration",
    "FeeCalculator",
    "FlareContractRegistry",
    "FlareSystemsCalculator",
    "FlareSystemsManager",
    "FtsoFeedPublisherStub",
    "FtsoRewardOffersManager",
    "LegacyEventEmitter",
    "Relay",
    "RewardManagerStub",
    "Submission",
    "VotePowerStub",
    "VoterRegistry",
    "WNatDelegationFee",
);

/// Names of the embedded deployable contracts.
pub fn artifact_names() -> impl Iterator<Item = &'static str> {
    EMBEDDED.iter().map(|(name, _)| *name)
}

/// The embedded artifact of `name`.
pub fn artifact(name: &str) -> anyhow::Result<Artifact> {
    let (name, json) = EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| anyhow!("no embedded artifact named {name}"))?;
    let value: serde_json::Value =
        serde_json::from_str(json).with_context(|| format!("artifact {name}"))?;
    let field = |key: &str| -> anyhow::Result<Bytes> {
        let hex = value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| anyhow!("artifact {name} has no {key}"))?;
        hex.parse::<Bytes>()
            .with_context(|| format!("artifact {name}: {key}"))
    };
    Ok(Artifact {
        name,
        bytecode: field("bytecode")?,
        deployed_bytecode: field("deployedBytecode")?,
    })
}
