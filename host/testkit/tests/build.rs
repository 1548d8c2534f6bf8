//! Builds real components through cargo (slow the first time, cached in target/wasm after).

/// The first bytes of a WebAssembly component (not a core module): magic, version 0x0d, layer 1.
const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

#[test]
fn builds_the_fixed_plugin_as_a_component() {
    let path = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    assert!(path.ends_with("wasm32-wasip2/release/ftso_plugin_fixed.wasm"));
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.get(..8), Some(&COMPONENT_HEADER[..]));
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("flare:feeds/provider@0.2.0"),
        "exports the provider"
    );
}

#[test]
fn builds_each_package_once_per_process() {
    let first = ftso_testkit::wasm_component("ftso-plugin-random").unwrap();
    let modified = std::fs::metadata(&first).unwrap().modified().unwrap();
    let both = ftso_testkit::wasm_components(&["ftso-plugin-fixed", "ftso-plugin-random"]).unwrap();
    assert_eq!(both[1], first);
    assert_eq!(
        std::fs::metadata(&first).unwrap().modified().unwrap(),
        modified
    );
}

#[test]
fn an_unknown_package_fails_with_cargo_output() {
    let err = ftso_testkit::wasm_component("ftso-no-such-package").unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("ftso-no-such-package") && text.contains("failed"),
        "{text}"
    );
}
