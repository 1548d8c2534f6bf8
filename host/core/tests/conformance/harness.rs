//! Loading vector files, running their cases, and counting what was checked.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    path::PathBuf,
};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

/// A file's checker (the same type as `main::Checker`).
type Checker = fn(&VectorFile, &mut Run);

/// Top-level arrays that are input tables rather than cases to check.
const INPUT_TABLES: &[&str] = &["pow10"];

/// One parsed vector file.
pub struct VectorFile {
    pub name: String,
    pub json: Value,
}

impl VectorFile {
    /// The elements of a top-level array, e.g. `cases`.
    pub fn section(&self, key: &str) -> &[Value] {
        self.json
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Tracks which elements of which sections a checker ran, and their failures.
pub struct Run {
    checked: Vec<(String, usize)>,
    failures: Vec<String>,
}

impl Run {
    /// Checks every element of `section`; `check` returns an error (or panics) on a mismatch.
    pub fn each(
        &mut self,
        file: &VectorFile,
        section: &str,
        mut check: impl FnMut(&Value) -> Result<()>,
    ) {
        let mut count = 0;
        for (index, case) in file.section(section).iter().enumerate() {
            let label = case_label(section, index, case);
            match catch_unwind(AssertUnwindSafe(|| check(case))) {
                Ok(Ok(())) => count += 1,
                Ok(Err(error)) => self
                    .failures
                    .push(format!("{}: {label}: {error:#}", file.name)),
                Err(panic) => self.failures.push(format!(
                    "{}: {label}: panicked: {}",
                    file.name,
                    panic_text(&panic)
                )),
            }
        }
        self.checked.push((section.to_owned(), count));
    }
}

fn case_label(section: &str, index: usize, case: &Value) -> String {
    let name = ["name", "kind", "group"]
        .iter()
        .find_map(|k| case.get(*k).and_then(Value::as_str));
    match name {
        Some(name) => format!("{section}[{index}] ({name})"),
        None => format!("{section}[{index}]"),
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "non-string panic".to_owned())
}

/// The vector directory: `FTSO_VECTORS_DIR`, or `shared/vectors` beside the repository.
pub fn vectors_dir() -> PathBuf {
    match std::env::var_os("FTSO_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => ftso_testkit::workspace_root().join("../shared/vectors"),
    }
}

fn load(name: &str) -> Result<VectorFile> {
    let path = vectors_dir().join(name);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    if !json.get("cases").is_some_and(Value::is_array) {
        bail!("{} has no `cases` array", path.display());
    }
    Ok(VectorFile {
        name: name.to_owned(),
        json,
    })
}

/// Runs one file's checker and verifies that every element of every case section was checked.
fn run_file(name: &str, checker: fn(&VectorFile, &mut Run)) -> Result<String> {
    let file = load(name)?;
    let mut run = Run {
        checked: Vec::new(),
        failures: Vec::new(),
    };
    checker(&file, &mut run);
    if !run.failures.is_empty() {
        return Err(anyhow!(
            "{} case(s) failed:\n  {}",
            run.failures.len(),
            run.failures.join("\n  ")
        ));
    }
    let mut summary = Vec::new();
    let object = file
        .json
        .as_object()
        .ok_or_else(|| anyhow!("{name} is not a JSON object"))?;
    for (key, value) in object {
        let Some(items) = value.as_array() else {
            continue;
        };
        if INPUT_TABLES.contains(&key.as_str()) {
            continue;
        }
        let checked: usize = run
            .checked
            .iter()
            .filter(|(s, _)| s == key)
            .map(|(_, n)| n)
            .sum();
        if checked != items.len() {
            bail!(
                "section `{key}`: {checked} of {} cases checked",
                items.len()
            );
        }
        summary.push(format!("{key} {checked}/{}", items.len()));
    }
    Ok(summary.join(", "))
}

/// Runs every file, prints one line per file, and returns the process exit code.
pub fn run_all(files: &[(&str, Checker)]) -> i32 {
    println!("conformance vectors from {}", vectors_dir().display());
    let mut failed = 0;
    for (name, checker) in files {
        match run_file(name, *checker) {
            Ok(summary) => println!("  ok     {name}: {summary} cases checked"),
            Err(error) => {
                failed += 1;
                println!("  FAILED {name}: {error:#}");
            }
        }
    }
    let passed = files.len() - failed;
    println!("conformance: {passed} passed, {failed} failed");
    i32::from(failed > 0)
}
