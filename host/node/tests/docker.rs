//! The Docker build does what the tests do: this machine cannot build the image (no registry serves its base
//! images here), so these checks keep the Dockerfile's steps and paths in line with the commands the other tests
//! run and the files they use.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::path::PathBuf;

fn root() -> PathBuf {
    ftso_testkit::workspace_root()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_dockerfile_builds_with_the_tested_commands() {
    let dockerfile = read("Dockerfile");
    assert!(dockerfile.contains("cargo build --release --locked -p ftso-node"));
    assert!(
        dockerfile.contains("FTSO_NODE_BIN=target/release/ftso-node bash scripts/build-plugins.sh"),
        "the plugins are built and signed by the script the binary tests run"
    );
    assert!(read("host/node/tests/support/plugins.rs").contains("scripts/build-plugins.sh"));
    assert!(read("host/node/tests/examples.rs").contains("plugins::build()"));
    let rust_version = read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"').to_owned())
        .expect("workspace rust-version");
    assert!(
        dockerfile.contains(&format!("ARG RUST_VERSION={rust_version}")),
        "the build image uses the workspace's Rust {rust_version}"
    );
}

#[test]
fn the_runtime_image_is_non_root_with_data_in_a_volume_and_the_example_paths_resolving() {
    let dockerfile = read("Dockerfile");
    let runtime = dockerfile
        .split("AS runtime")
        .nth(1)
        .expect("a runtime stage");
    assert!(runtime.contains("USER ftso:ftso"));
    assert!(runtime.contains("VOLUME /data"));
    assert!(runtime.contains("ENV FTSO_NODE_DATA_DIR=/data"));
    // The example configs name their plugins relative to config/: ../target/plugins/...
    assert!(
        runtime.contains("COPY --from=build /src/target/plugins/ /opt/ftso-node/target/plugins/")
    );
    assert!(runtime.contains("COPY config/ /opt/ftso-node/config/"));
    for example in [
        "config/feeds.example.toml",
        "config/node.example.toml",
        "config/local.toml",
    ] {
        assert!(
            read(example).contains("component = \"../target/plugins/"),
            "{example}"
        );
    }
    let network = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("CMD [\"run\", \"--network\", \""))
        .and_then(|rest| rest.split('"').next())
        .expect("CMD runs a network");
    assert!(
        root()
            .join(format!("config/networks/{network}.toml"))
            .is_file()
    );
}

#[test]
fn compose_runs_the_image_alone_or_with_postgres_and_the_context_leaves_out_build_output() {
    let compose = read("docker-compose.yml");
    assert!(compose.contains("build: ."));
    assert!(compose.contains("ftso-data:/data"));
    assert!(compose.contains("profiles: [\"postgres\"]"));
    assert!(
        compose.contains("required: false"),
        "the node starts without the postgres profile"
    );
    let ignore = read(".dockerignore");
    for excluded in ["target/", "tools/", "**/.data/", "*.key"] {
        assert!(ignore.lines().any(|l| l == excluded), "{excluded}");
    }
}
