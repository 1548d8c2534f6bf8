//! VoterRegistry rules along the reward-epoch timeline: registration only after random acquisition starts and
//! the vote-power block is selected, only with the chain-id message signed by the signing-policy key, once.

use alloy::primitives::U256;
use ftso_chain::IVoterRegistry;
use ftso_core::registration::{self, RegistrationScheme};
use ftso_devnet::{Devnet, DevnetConfig, scenario};

fn reason(result: anyhow::Result<impl std::fmt::Debug>) -> String {
    format!("{:#}", result.expect_err("the call must revert"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_rules() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig {
        entities: 2,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let [a, b] = [&devnet.entities()[0], &devnet.entities()[1]];

    let early = reason(scenario::register_voter(&devnet, a, 1).await);
    assert!(early.contains("registration not available yet"), "{early}");

    scenario::start_random_acquisition(&devnet).await.unwrap();
    let no_vpb = reason(scenario::register_voter(&devnet, a, 1).await);
    assert!(no_vpb.contains("vote power block zero"), "{no_vpb}");

    scenario::select_vote_power_block(&devnet).await.unwrap();
    // The epoch-only message (what the Go client signs on unknown chains such as 31337) is rejected.
    let old = registration::sign_voter_registration(
        &a.signing_policy,
        RegistrationScheme::EpochOnly,
        devnet.chain_id(),
        1,
        a.identity_address(),
    )
    .unwrap();
    let call = IVoterRegistry::registerVoterCall {
        _voter: a.identity_address(),
        _signature: scenario::to_signature(&old.signature),
    };
    let invalid = reason(
        devnet
            .send(
                a.signing_policy_address(),
                devnet.contracts().voter_registry,
                &call,
            )
            .await,
    );
    assert!(invalid.contains("invalid signature"), "{invalid}");
    // Signed by another key: rejected too.
    let wrong = registration::sign_voter_registration(
        &b.signing_policy,
        RegistrationScheme::WithChainId,
        devnet.chain_id(),
        1,
        a.identity_address(),
    )
    .unwrap();
    let call = IVoterRegistry::registerVoterCall {
        _voter: a.identity_address(),
        _signature: scenario::to_signature(&wrong.signature),
    };
    let invalid = reason(
        devnet
            .send(
                b.signing_policy_address(),
                devnet.contracts().voter_registry,
                &call,
            )
            .await,
    );
    assert!(invalid.contains("invalid signature"), "{invalid}");
    // An address without registered roles.
    let stranger = devnet.deployer().address();
    let call = IVoterRegistry::registerVoterCall {
        _voter: stranger,
        _signature: scenario::to_signature(&wrong.signature),
    };
    let unset = reason(
        devnet
            .send(stranger, devnet.contracts().voter_registry, &call)
            .await,
    );
    assert!(unset.contains("signing policy address not set"), "{unset}");

    scenario::register_voter(&devnet, a, 1)
        .await
        .expect("chain-id message accepted");
    let twice = reason(scenario::register_voter(&devnet, a, 1).await);
    assert!(twice.contains("already registered"), "{twice}");
    let registered = devnet
        .call(
            devnet.contracts().voter_registry,
            &IVoterRegistry::isVoterRegisteredCall {
                _voter: a.identity_address(),
                _rewardEpochId: U256::from(1),
            },
        )
        .await
        .unwrap();
    assert!(registered);

    // With only one of the two required voters the policy is not initialized yet; with both it is.
    devnet
        .warp(devnet.config().voter_registration_min_duration.as_secs() + 1)
        .await
        .unwrap();
    let receipt = devnet.daemonize().await.unwrap();
    assert!(
        receipt
            .inner
            .logs()
            .iter()
            .all(|l| l.topic0() != Some(&ftso_chain::topics::SIGNING_POLICY_INITIALIZED))
    );
    scenario::register_voter(&devnet, b, 1).await.unwrap();
    let (_, policy, _) = scenario::initialize_signing_policy(&devnet).await.unwrap();
    assert_eq!(
        policy.voters,
        vec![a.signing_policy_address(), b.signing_policy_address()]
    );
    assert_eq!(policy.weights, vec![32767, 32767]);
}
