//! The repository stands alone: a clone of it, with nothing beside it, builds,
//! tests and runs. No file may reach outside it — not a sibling folder, not a
//! path of one particular machine.

use std::path::{Path, PathBuf};

/// What is built, installed or git's own, not written by us.
const GENERATED: [&str; 4] = [".git", "target", "node_modules", "dist"];

/// Every text file of the repository.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        // `.git` is a file in a linked worktree (it names the main checkout).
        if GENERATED.iter().any(|g| name == *g) {
            continue;
        }
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_file_reaches_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Spelled in parts so that this file does not name them itself.
    let sibling = ["..", "/shared"].concat();
    let machine_roots: Vec<String> = ["work", "home", "root", "Users", "mnt", "tmp"]
        .iter()
        .map(|dir| format!("/{dir}/"))
        .collect();
    let mut all = Vec::new();
    files(root, &mut all);
    assert!(all.len() > 100, "the walk found only {} files", all.len());
    let mut offenders = Vec::new();
    for path in &all {
        // Pictures, icons and other binary files name nothing.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let named = std::iter::once(sibling.as_str())
                .chain(machine_roots.iter().map(String::as_str))
                .find(|p| line.contains(p));
            if let Some(p) = named {
                let shown = path.strip_prefix(root).unwrap_or(path).display();
                offenders.push(format!("{shown}:{}: names {p}", n + 1));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

#[test]
fn ci_runs_the_readme_test_command_on_a_lone_clone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("cargo xtask "))
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .take(2)
        .collect();
    assert_eq!(commands, ["cargo xtask demo", "cargo xtask test"]);
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    let last = ci.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert_eq!(
        last.trim(),
        commands[1],
        "CI runs the README's test command last"
    );
    assert!(
        ci.contains("git clone") && ci.contains("mktemp -d"),
        "CI clones into a new folder"
    );
}
