//! `creator-studio compile` and `run GRAPH` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::studio;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-compile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn template(name: &str) -> String {
    format!("examples/graphs/{name}.mcgraph.json")
}

#[test]
fn compile_writes_a_module_the_host_loads() {
    let dir = scratch("ok");
    let graph = dir.join("rusher.mcgraph.json");
    std::fs::copy(template("melee-rusher"), &graph).unwrap();
    let out = studio(&["compile", graph.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let wasm = dir.join("rusher.wasm");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("compiled \"melee-rusher 1.0.0\" (release)"),
        "{stdout}"
    );
    assert!(stdout.contains(&wasm.display().to_string()), "{stdout}");
    let bytes = std::fs::read(&wasm).unwrap();
    wasmparser::Validator::new().validate_all(&bytes).unwrap();

    let run = studio(&[
        "run",
        wasm.to_str().unwrap(),
        "--state",
        "assets/states/battle.json",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("accepted"));

    // Text form, to a chosen file.
    let wat = dir.join("out.wat");
    let out = studio(&[
        "compile",
        graph.to_str().unwrap(),
        "--wat",
        "--debug",
        "-o",
        wat.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let source = std::fs::read_to_string(&wat).unwrap();
    assert!(source.contains("(func $\"node#"), "debug names");
    assert!(wat::parse_str(&source).unwrap().len() > 1000);
}

#[test]
fn run_takes_a_graph_file_directly() {
    let out = studio(&[
        "run",
        &template("archer-skirmisher"),
        "--state",
        "assets/duels/crossing.json",
        "--slot",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "ok", "{v}");
    assert!(
        v["ident"]
            .as_str()
            .unwrap()
            .starts_with("archer-skirmisher ")
    );
}

#[test]
fn a_broken_graph_lists_every_error_with_node_names_and_writes_nothing() {
    let dir = scratch("broken");
    let graph = dir.join("broken.mcgraph.json");
    let mut g = aether_lang::graph::VisualScriptGraph::load(Path::new(&format!(
        "{}/{}",
        env!("CARGO_MANIFEST_DIR"),
        template("melee-rusher")
    )))
    .unwrap();
    // Unwire every input of the attack node, and add a second On Turn.
    let attack = g.nodes().find(|n| n.kind == "attack").unwrap().id;
    let wires: Vec<_> = g
        .links()
        .filter(|l| l.to.node == attack && l.to.port != "exec")
        .map(|l| l.id)
        .collect();
    for l in wires {
        g.disconnect(l);
    }
    let extra = g.add_node("on_turn", [0.0, 0.0]);
    g.save(&graph).unwrap();
    let old = dir.join("broken.wasm");
    std::fs::write(&old, b"previous build").unwrap();

    let out = studio(&["compile", graph.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "error[missing-input] node {attack} \"Attack\", port unit"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error[missing-input] node {attack} \"Attack\", port target"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("error[multiple-entries] node {extra} \"On Turn\"")),
        "{err}"
    );
    assert!(
        err.contains("has 3 errors to fix before it can be compiled; nothing was written"),
        "{err}"
    );
    assert_eq!(std::fs::read(&old).unwrap(), b"previous build");

    // `run` refuses it the same way.
    let out = studio(&[
        "run",
        graph.to_str().unwrap(),
        "--state",
        "assets/states/skirmish.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[multiple-entries]"));
}

#[test]
fn a_corrupt_graph_file_is_named_in_the_error() {
    let dir = scratch("corrupt");
    let graph = dir.join("bad.mcgraph.json");
    std::fs::write(
        &graph,
        "{\"format\": \"creator-studio/visual-script\", \"version\": 1, \"nodes\": [",
    )
    .unwrap();
    let out = studio(&["compile", graph.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("bad.mcgraph.json"), "{err}");
    assert!(!dir.join("bad.wasm").exists());
}

#[test]
fn compile_ir_prints_one_function_per_node() {
    let out = studio(&["compile", &template("mage-support"), "--ir"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ir = text(&out.stdout);
    assert!(ir.starts_with("entry #"), "{ir}");
    assert!(ir.contains("rt_cast("), "{ir}");
}

/// `find`: what the editor's Find shows, from the command line.
#[test]
fn find_lists_nodes_and_comments_by_their_words() {
    let out = Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(["find", "examples/graphs/mage-support.mcgraph.json", "HEAL"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.lines().any(|l| l.starts_with("Cast Heal #")),
        "{shown}"
    );
    assert!(shown.contains("comment: Mages: fireball"), "{shown}");
    let out = Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(["find", "examples/graphs/mage-support.mcgraph.json", "zzz"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "nothing found for \"zzz\"\n"
    );
}

/// `functions`: Make function from the command line (the graph rewritten, the AI playing the
/// same turn), a refused selection leaving the file as it was, a library saved and added to
/// another graph.
#[test]
fn functions_are_made_saved_and_added_from_the_command_line() {
    let dir = scratch("functions");
    let graph = dir.join("rusher.mcgraph.json");
    std::fs::copy(template("melee-rusher"), &graph).unwrap();
    let g = graph.to_str().unwrap();
    let before = studio(&["run", g, "--state", "assets/states/battle.json", "--json"]);
    assert!(before.status.success(), "{}", text(&before.stderr));

    // Refused: On Turn cannot go into a function; the file stays as it was.
    let original = std::fs::read(&graph).unwrap();
    let out = studio(&["functions", g, "--make", "1,2"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("where the script starts; leave it out of the function"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&graph).unwrap(), original);

    let out = studio(&[
        "functions",
        g,
        "--make",
        "3,4,5,6,7,8,9,10,11,12,13,14",
        "--name",
        "Charge",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("made Charge; its call is node"), "{shown}");
    assert!(
        shown.contains("Charge: inputs Unit (Unit); outputs none; 13 node(s), 1 call(s)"),
        "{shown}"
    );
    // The same turn, to the byte.
    let after = studio(&["run", g, "--state", "assets/states/battle.json", "--json"]);
    assert!(after.status.success(), "{}", text(&after.stderr));
    let actions = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["actions"].clone()
    };
    assert_eq!(actions(&before), actions(&after));

    // Saved to a library, added to another graph.
    let lib = dir.join("charge.mcfunctions.json");
    let out = studio(&["functions", g, "--export", lib.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let other = dir.join("hill.mcgraph.json");
    std::fs::copy(template("hill-defender"), &other).unwrap();
    let out = studio(&[
        "functions",
        other.to_str().unwrap(),
        "--import",
        lib.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("added Charge from"),
        "{}",
        text(&out.stdout)
    );
    let check = studio(&["compile", other.to_str().unwrap(), "-o", "-", "--wat"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
}

/// `compile -o /dev/null` checks and compiles, writing nothing anywhere: /dev/null stays the
/// device it is (a save writes beside and renames, which once put a regular file in its place
/// for every program on a machine where the studio ran as root).
#[cfg(unix)]
#[test]
fn compiling_to_dev_null_leaves_dev_null_a_device() {
    use std::os::unix::fs::FileTypeExt as _;
    let out = studio(&["compile", &template("melee-rusher"), "-o", "/dev/null"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let kind = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null is no longer a device");
}
