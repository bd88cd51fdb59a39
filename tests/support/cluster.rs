//! Several processes of the studio's binary on this machine, as a cluster on loopback: a host
//! file of free ports, processes started with their output kept, and a bounded wait for all.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A hostfile of `n` loopback addresses on ports free a moment ago.
pub fn hostfile(dir: &Path, n: usize) -> PathBuf {
    let listeners: Vec<_> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let lines: Vec<String> = listeners
        .iter()
        .map(|l| format!("127.0.0.1:{}", l.local_addr().unwrap().port()))
        .collect();
    drop(listeners);
    let path = dir.join(format!("hosts-{n}.txt"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// The arguments that make a command process `i` of `n` with one worker, addresses in `hosts`.
pub fn process_args(n: usize, i: usize, hosts: &Path) -> Vec<String> {
    [
        "--workers",
        "1",
        "--processes",
        &n.to_string(),
        "--process",
        &i.to_string(),
        "--hostfile",
        hosts.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Starts `creator-studio ARGS` from the repository's root, its output kept.
pub fn spawn(args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for every child (killing all after `limit`); their outputs.
pub fn wait_all(children: Vec<Child>, limit: Duration) -> Vec<std::process::Output> {
    let started = Instant::now();
    let mut children = children;
    loop {
        if children
            .iter_mut()
            .all(|c| c.try_wait().ok().flatten().is_some())
        {
            break;
        }
        if started.elapsed() > limit {
            for c in &mut children {
                let _ = c.kill();
            }
            panic!("the processes did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// Polls `done` every few milliseconds until it holds; fails naming `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}
