//! The architecture's guards, read from the sources themselves (ARCHITECTURE.md says why):
//!
//! * the core's crates form one order, the workspace's `members` list, and each depends only on
//!   crates before it (cargo forbids a cycle; this forbids a crate reaching up the pipeline);
//! * no crate of the core depends on a GUI or command-line crate, and nothing below
//!   `aether-host` on the WebAssembly engine (nor the language on any WebAssembly crate);
//! * inside every crate, no module uses a module that uses it back: at each level of the module
//!   tree, the uses between sibling modules have no cycle (a module using its own parent's or
//!   children's items does not count: it contains them, or they it).
//!
//! * every file the program reads is read by `aether_base::fsutil` (bounded, regular files
//!   only): no other module of the program opens a file to read it.
//!
//! The module check reads `crate::…`, `super::…` and `use` lines with comments stripped, and
//! follows the re-exports (`pub use a::X`) to the module that defines a name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace's members, in the order of the root `Cargo.toml`.
fn members() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let start = text.find("members = [").expect("a members list");
    let end = start + text[start..].find(']').unwrap();
    text[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|p| p.trim_start_matches("crates/").to_owned())
        .collect()
}

/// A crate's normal dependencies (all targets), by package name; dev-dependencies left out.
fn dependencies(krate: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("{krate}/Cargo.toml: {e}"));
    let mut out = BTreeSet::new();
    let mut in_deps = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]"
                || (line.starts_with("[target.") && line.ends_with(".dependencies]"));
            continue;
        }
        if in_deps
            && let Some(name) = line.split(['.', ' ', '=']).next()
            && !name.is_empty()
            && !name.starts_with('#')
        {
            out.insert(name.to_owned());
        }
    }
    out
}

#[test]
fn the_core_crates_form_one_order_and_none_reaches_up() {
    let order = members();
    assert!(order.len() >= 10, "members: {order:?}");
    for (i, krate) in order.iter().enumerate() {
        for dep in dependencies(krate) {
            if let Some(j) = order.iter().position(|m| *m == dep) {
                assert!(
                    j < i,
                    "{krate} depends on {dep}, which comes after it in the pipeline \
                     (the workspace's members list): move the code, not the arrow"
                );
            }
        }
    }
}

#[test]
fn the_core_never_depends_on_a_gui_or_cli_crate_and_only_the_host_runs_wasm() {
    let order = members();
    let host = order.iter().position(|m| m == "aether-host").unwrap();
    for (i, krate) in order.iter().enumerate() {
        let deps = dependencies(krate);
        for ui in [
            "egui",
            "eframe",
            "rfd",
            "clap",
            "egui-graph-edit",
            "egui_plot",
        ] {
            assert!(!deps.contains(ui), "{krate} depends on {ui}");
        }
        if i < host {
            assert!(!deps.contains("wasmtime"), "{krate} depends on wasmtime");
        }
    }
    let lang = dependencies("aether-lang");
    for wasm in [
        "wasmtime",
        "wasmparser",
        "wasm-encoder",
        "wasmprinter",
        "wat",
    ] {
        assert!(!lang.contains(wasm), "aether-lang depends on {wasm}");
    }
    for contract in ["mc-tactical-types", "aether-world-types"] {
        let deps = dependencies(contract);
        assert!(
            deps.iter().all(|d| d == "serde"),
            "{contract} depends on more than serde: {deps:?}"
        );
    }
}

/// A module path inside a crate (`[]` is the crate root).
type ModPath = Vec<String>;

/// Every module file of a crate's `src`, by module path (binaries left out).
fn modules(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<ModPath, PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if prefix.is_empty() && name == "bin" {
                    continue;
                }
                let mut p = prefix.to_vec();
                p.push(name);
                walk(&path, &p, out);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                let mut p = prefix.to_vec();
                if !(prefix.is_empty() && stem == "lib") && stem != "mod" {
                    p.push(stem.to_owned());
                }
                out.insert(p, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, &[], &mut out);
    out
}

/// The source with comments and string literals blanked, so only code is read.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            // A char literal with an escape: '\'', '\"', '\\', '\u{…}'.
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3; // 'x', '"'
        } else if b[i] == b'"' && i > 0 && (b[i - 1] == b'#' || b[i - 1] == b'r') {
            // A raw string: ends at `"` followed by as many `#` as it began with.
            let hashes = b[..i].iter().rev().take_while(|&&c| c == b'#').count();
            let end: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            i += 1;
            while i < b.len() && !b[i..].starts_with(&end) {
                i += 1;
            }
            i += end.len();
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The paths a module names, as absolute segment lists (`crate::a::b` → `[a, b]`), with
/// `super::` resolved against `here` and `use` groups (`crate::{a, b::c}`) expanded.
fn referenced_paths(code: &str, here: &ModPath) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts = |kw: &str| {
            bytes[i..].iter().take(kw.len()).copied().eq(kw.chars())
                && (i == 0 || !ident(bytes[i - 1]) && bytes[i - 1] != ':')
        };
        let (mut base, mut j) = if starts("crate::") {
            (Vec::new(), i + "crate::".len())
        } else if starts("super::") {
            let mut base = here.clone();
            let mut j = i;
            while bytes[j..].iter().take(7).copied().eq("super::".chars()) {
                base.pop();
                j += 7;
            }
            (base, j)
        } else {
            i += 1;
            continue;
        };
        // Segments, then possibly a `{…}` group.
        parse_tail(&bytes, &mut j, &mut base, &mut out);
        i = j.max(i + 1);
    }
    out
}

/// Reads `a::b::c`, or `a::{x, y::z}`, from `bytes[*j..]` onto `base`, pushing whole paths.
fn parse_tail(bytes: &[char], j: &mut usize, base: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    loop {
        let start = *j;
        while *j < bytes.len() && ident(bytes[*j]) {
            *j += 1;
        }
        if *j > start {
            base.push(bytes[start..*j].iter().collect());
        }
        if bytes[*j..].starts_with(&[':', ':']) {
            *j += 2;
            if bytes.get(*j) == Some(&'{') {
                *j += 1;
                loop {
                    while *j < bytes.len() && bytes[*j].is_whitespace() {
                        *j += 1;
                    }
                    if *j >= bytes.len() || bytes[*j] == '}' {
                        *j += 1;
                        return;
                    }
                    let mut inner = base.clone();
                    parse_tail(bytes, j, &mut inner, out);
                    while *j < bytes.len() && !matches!(bytes[*j], ',' | '}') {
                        *j += 1;
                    }
                    if bytes.get(*j) == Some(&',') {
                        *j += 1;
                    }
                }
            }
            continue;
        }
        out.push(base.clone());
        return;
    }
}

/// Names a module re-exports (`pub use a::b::X;`, `pub use a::{X, Y}`), with where they come
/// from (absolute paths).
fn reexports(code: &str, here: &ModPath) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for stmt in code.split(';') {
        let s = stmt.trim();
        let Some(rest) = s.strip_prefix("pub use ") else {
            continue;
        };
        // `crate::a::X`, `super::a::X`, `self::a::X` or, relative to `here`, `a::{X, Y}`.
        let mut rest = rest.trim();
        let mut base = here.clone();
        if let Some(r) = rest.strip_prefix("crate::") {
            base.clear();
            rest = r;
        }
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        rest = rest.strip_prefix("self::").unwrap_or(rest);
        let mut paths = Vec::new();
        let chars: Vec<char> = rest.chars().collect();
        let mut j = 0;
        parse_tail(&chars, &mut j, &mut Vec::new(), &mut paths);
        for p in paths {
            if let Some(name) = p.last() {
                let mut abs = base.clone();
                abs.extend(p.iter().cloned());
                out.insert(name.clone(), abs);
            }
        }
    }
    out
}

/// The module a path names, resolved through re-exports: its longest prefix that is a module.
fn module_of(
    path: &[String],
    mods: &BTreeMap<ModPath, PathBuf>,
    re: &BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
    depth: usize,
) -> ModPath {
    let mut best: ModPath = Vec::new();
    for n in (0..=path.len()).rev() {
        if mods.contains_key(&path[..n].to_vec()) {
            best = path[..n].to_vec();
            break;
        }
    }
    // A name re-exported by that module: follow it to where it is defined.
    if depth < 8
        && let Some(name) = path.get(best.len())
        && let Some(target) = re.get(&best).and_then(|r| r.get(name))
    {
        return module_of(target, mods, re, depth + 1);
    }
    best
}

/// The cycles among sibling modules of one crate, in words.
fn module_cycles(src: &Path) -> Vec<String> {
    let mods = modules(src);
    let codes: BTreeMap<ModPath, String> = mods
        .iter()
        .map(|(m, p)| (m.clone(), code_of(&std::fs::read_to_string(p).unwrap())))
        .collect();
    let re: BTreeMap<ModPath, BTreeMap<String, Vec<String>>> = codes
        .iter()
        .map(|(m, c)| (m.clone(), reexports(c, m)))
        .collect();
    // Edges between siblings, grouped by their parent.
    let mut edges: BTreeMap<ModPath, BTreeSet<(String, String)>> = BTreeMap::new();
    for (from, code) in &codes {
        for path in referenced_paths(code, from) {
            let to = module_of(&path, &mods, &re, 0);
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                edges
                    .entry(from[..common].to_vec())
                    .or_default()
                    .insert((from[common].clone(), to[common].clone()));
            }
        }
    }
    let mut cycles = Vec::new();
    for (parent, es) in &edges {
        for component in strongly_connected(es) {
            if component.len() > 1 {
                let at = if parent.is_empty() {
                    "the crate root".to_owned()
                } else {
                    parent.join("::")
                };
                let uses: Vec<String> = es
                    .iter()
                    .filter(|(a, b)| component.contains(a) && component.contains(b))
                    .map(|(a, b)| format!("{a} → {b}"))
                    .collect();
                cycles.push(format!("under {at}: {}", uses.join(", ")));
            }
        }
    }
    cycles
}

/// Tarjan's strongly connected components of a small graph.
fn strongly_connected(edges: &BTreeSet<(String, String)>) -> Vec<BTreeSet<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for (a, b) in edges {
                if *a == n && seen.insert(b.clone()) {
                    stack.push(b.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for n in &nodes {
        if done.contains(*n) {
            continue;
        }
        let comp: BTreeSet<String> = nodes
            .iter()
            .filter(|m| reaches[n].contains(**m) && reaches[**m].contains(*n))
            .map(|m| (*m).clone())
            .chain(std::iter::once((*n).clone()))
            .collect();
        done.extend(comp.iter().cloned());
        out.push(comp);
    }
    out
}

#[test]
fn no_module_uses_a_module_that_uses_it_back() {
    let mut problems = Vec::new();
    let mut crates = members();
    crates.push("..".to_owned()); // the application, `src/`
    for krate in crates {
        let src = root().join("crates").join(&krate).join("src");
        let src = if krate == ".." {
            root().join("src")
        } else {
            src
        };
        for cycle in module_cycles(&src) {
            problems.push(format!("{krate}: {cycle}"));
        }
    }
    assert!(
        problems.is_empty(),
        "modules that use each other (move what both need below both):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_module_check_sees_a_cycle() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("architecture-cycle");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(
        dir.join("lib.rs"),
        "pub mod a;\npub mod b;\npub use b::Thing;\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.rs"), "mod inner;\nuse crate::Thing;\n").unwrap();
    std::fs::write(
        dir.join("a/inner.rs"),
        "use super::super::b::x; // crate::c\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.rs"),
        "pub struct Thing;\nfn f() { crate::a::g(); }\n",
    )
    .unwrap();
    let cycles = module_cycles(&dir);
    assert_eq!(
        cycles,
        vec!["under the crate root: a → b, b → a".to_owned()]
    );
    // Without the way back, none.
    std::fs::write(dir.join("b.rs"), "pub struct Thing;\n").unwrap();
    assert_eq!(module_cycles(&dir), Vec::<String>::new());
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The places in the program's code (the application and every crate's `src/`, comments and
/// strings left out) that read a file some other way than `aether_base::fsutil`.
fn file_reads_outside_the_reader() -> Vec<String> {
    // Opening a folder to flush it to disk reads nothing.
    const ALLOWED: [(&str, &str); 1] = [("crates/aether-mods/src/export.rs", "File::open(path)")];
    let patterns = [
        "fs::read(",
        "fs::read_to_string(",
        "File::open(",
        "OpenOptions::new()",
        "parse_file(",
    ];
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for krate in members() {
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
    }
    let reader = root().join("crates/aether-base/src/fsutil.rs");
    let mut found = Vec::new();
    for file in files.iter().filter(|f| **f != reader) {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let name = file
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (n, line) in code.lines().enumerate() {
            for p in patterns {
                let compact: String = line.split_whitespace().collect();
                if compact.contains(p)
                    && !ALLOWED
                        .iter()
                        .any(|(f, what)| *f == name && compact.contains(what))
                {
                    found.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn every_file_is_read_through_the_bounded_reader() {
    let found = file_reads_outside_the_reader();
    assert!(
        found.is_empty(),
        "read files with aether_base::fsutil::{{read_bounded, read_text_bounded, \
         read_regular_file}} (bounded, regular files only) instead:\n{}",
        found.join("\n")
    );
}
