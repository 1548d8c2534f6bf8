//! `ftso-node register` on the devnet: from a fresh entity (keys from `keys generate`, funded, vote power on its
//! delegation address, nothing proposed) to a registered voter of the next reward epoch. `--dry-run` prints the
//! steps and sends nothing; the real run confirms the four addresses and the sortition key; a second run sends
//! nothing; the system client's registration duty then registers the entity, which is in the next signing policy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod support;

use ftso_chain::IEntityManager;
use support::entity::Fixture;
use support::text;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_entity_becomes_a_registered_voter() {
    let fixture = Fixture::start().await;
    let identity = fixture.address("identity");
    let before = fixture.nonces().await;

    let dry = fixture.run("register", &["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let printed = text(&dry.stdout);
    assert!(printed.contains("dry run: 9 transaction(s)"), "{printed}");
    for step in [
        format!("proposeSubmitAddress({})", fixture.address("submit")),
        format!("confirmSubmitAddressRegistration({identity})"),
        format!(
            "proposeSubmitSignaturesAddress({})",
            fixture.address("submit_signatures")
        ),
        format!(
            "proposeSigningPolicyAddress({})",
            fixture.address("signing_policy")
        ),
        format!(
            "proposeDelegationAddress({})",
            fixture.address("delegation")
        ),
        format!("confirmDelegationAddressRegistration({identity})"),
        "registerPublicKey(0x".to_string(),
    ] {
        assert!(printed.contains(&step), "{step} missing from:\n{printed}");
    }
    assert!(
        printed.contains(&format!(
            "from signing_policy {}",
            fixture.address("signing_policy")
        )),
        "{printed}"
    );
    assert_eq!(
        fixture.nonces().await,
        before,
        "the dry run sent a transaction"
    );

    let real = fixture.run("register", &[]);
    assert!(real.status.success(), "{}", text(&real.stderr));
    assert_eq!(
        text(&real.stdout).matches("sent ").count(),
        9,
        "{}",
        text(&real.stdout)
    );
    let entity_manager = fixture.devnet.contracts().entity_manager;
    let addresses = fixture
        .devnet
        .call(
            entity_manager,
            &IEntityManager::getVoterAddressesCall { _voter: identity },
        )
        .await
        .unwrap();
    assert_eq!(addresses.submitAddress, fixture.address("submit"));
    assert_eq!(
        addresses.submitSignaturesAddress,
        fixture.address("submit_signatures")
    );
    assert_eq!(
        addresses.signingPolicyAddress,
        fixture.address("signing_policy")
    );
    let delegation = fixture
        .devnet
        .call(
            entity_manager,
            &IEntityManager::getDelegationAddressOfCall { _voter: identity },
        )
        .await
        .unwrap();
    assert_eq!(delegation, fixture.address("delegation"));
    let public_key = fixture
        .devnet
        .call(
            entity_manager,
            &IEntityManager::getPublicKeyOfCall { _voter: identity },
        )
        .await
        .unwrap();
    assert_ne!(public_key._0, alloy::primitives::B256::ZERO);

    let after = fixture.nonces().await;
    let again = fixture.run("register", &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let again_text = text(&again.stdout);
    assert!(again_text.contains("nothing to send"), "{again_text}");
    assert!(
        again_text.contains("sortition public key: registered"),
        "{again_text}"
    );
    assert_eq!(
        fixture.nonces().await,
        after,
        "the second run sent a transaction"
    );

    let next = fixture.switch_epoch_registering_the_entity().await;
    let registered = fixture
        .devnet
        .call(
            fixture.devnet.contracts().voter_registry,
            &ftso_chain::IVoterRegistry::isVoterRegisteredCall {
                _voter: identity,
                _rewardEpochId: alloy::primitives::U256::from(next),
            },
        )
        .await
        .unwrap();
    assert!(registered, "not a registered voter of epoch {next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_reports_missing_vote_power_and_refuses_without_funds() {
    let fixture = Fixture::start().await;
    let call = ftso_devnet::admin::IVotePowerStub::setVotePowerCall {
        _owner: fixture.address("delegation"),
        _votePower: alloy::primitives::U256::ZERO,
    };
    fixture
        .devnet
        .send(
            fixture.devnet.deployer().address(),
            fixture.devnet.contracts().wnat,
            &call,
        )
        .await
        .unwrap();
    let dry = fixture.run("register", &["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let printed = text(&dry.stdout);
    assert!(
        printed.contains(&format!(
            "missing: no vote power on the delegation address {}",
            fixture.address("delegation")
        )),
        "{printed}"
    );

    fixture
        .devnet
        .set_balance(fixture.address("identity"), alloy::primitives::U256::ZERO)
        .await
        .unwrap();
    let before = fixture.nonces().await;
    let refused = fixture.run("register", &[]);
    assert!(!refused.status.success());
    let error = text(&refused.stderr);
    assert!(
        error.contains("not enough balance")
            && error.contains(&format!("identity {}", fixture.address("identity"))),
        "{error}"
    );
    assert_eq!(fixture.nonces().await, before, "a transaction was sent");
}
