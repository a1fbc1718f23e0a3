//! Helpers shared by `slo`'s own tests (a dev-dependency only; never
//! published).
//!
//! Tests run against real peers (Prometheus, promtool, Chromium, an OTLP
//! collector). Where a peer is missing, a developer's run says which test
//! skipped and what to install; CI's run (`CI=true`) fails instead, because
//! `.ci/run` installs every peer and a test that skips there proves nothing.

mod alertmanager;
pub mod shop;
mod tsdb;

pub use alertmanager::{Alertmanager, Webhook};
pub use tsdb::{Engine, encode};

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

/// Whether this is CI's run: `CI` is set to anything but empty, `0` or
/// `false`.
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// Whether the peer a test needs is `present`. When it is not: on CI this
/// panics, naming the peer and how `.ci/run` installs it; elsewhere it
/// prints that the test skipped and why, and returns `false`.
///
/// ```
/// use slo_test_support::{require, runs};
/// if !require("a shell", runs("sh", &["-c", "true"]), "apt-get install dash") {
///     return; // skipped, and said so
/// }
/// ```
#[track_caller]
pub fn require(peer: &str, present: bool, install: &str) -> bool {
    if present {
        return true;
    }
    assert!(
        !on_ci(),
        "{peer} is needed and missing: .ci/run installs it ({install})"
    );
    eprintln!("skipped: {peer} is not installed ({install})");
    false
}

/// [`require`] for a peer that was looked for: `found` itself, `None`
/// (after saying so) when the test should skip.
#[track_caller]
pub fn require_found<T>(peer: &str, found: Option<T>, install: &str) -> Option<T> {
    require(peer, found.is_some(), install);
    found
}

/// Whether `program args…` runs and exits with 0.
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Runs `program args…` with `input` on its standard input (written from a
/// thread of its own, so a program that answers as it reads never blocks
/// on a full pipe) and returns its status and what it wrote.
pub fn pipe(program: &str, args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let stdin = child.stdin.take();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        // The program may exit before reading everything; its status says why.
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(input.as_bytes());
        }
    });
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let _ = writer.join();
    output
}

/// The path of the first of `candidates` found on `PATH`.
pub fn find_program(candidates: &[&str]) -> Option<String> {
    candidates.iter().find_map(|candidate| {
        Command::new("sh")
            .args(["-c", &format!("command -v {candidate}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|path| !path.is_empty())
    })
}

/// A loopback port that was free a moment ago.
#[allow(
    clippy::unwrap_used,
    reason = "a test without a loopback port cannot run"
)]
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap()
}

/// A peer on loopback that reads each connection's request and answers
/// `response` to it (or, for `None`, holds the connection open without a
/// word, as a hung server does); returns its `127.0.0.1:PORT`.
#[allow(
    clippy::unwrap_used,
    reason = "a test without a loopback port cannot run"
)]
pub fn raw_peer(response: Option<&'static [u8]>) -> String {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            match response {
                Some(bytes) => {
                    let _ = stream.write_all(bytes);
                }
                None => held.push(stream),
            }
        }
    });
    addr
}

/// A child process, killed when the test ends, with its stdout lines on
/// a channel.
#[derive(Debug)]
pub struct Peer {
    /// The process.
    pub child: Child,
    /// Its stdout, line by line (stderr goes to the test's).
    pub lines: mpsc::Receiver<String>,
}

impl Peer {
    /// Starts `command` with its stdout piped to [`Peer::lines`].
    #[allow(
        clippy::expect_used,
        reason = "a test whose peer does not start cannot run"
    )]
    pub fn spawn(command: Command) -> Peer {
        Peer::spawn_with_stderr(command, Stdio::inherit())
    }

    /// [`Peer::spawn`], with its stderr going to `stderr` (a file the test
    /// reads afterwards, say).
    #[allow(
        clippy::expect_used,
        reason = "a test whose peer does not start cannot run"
    )]
    pub fn spawn_with_stderr(mut command: Command, stderr: impl Into<Stdio>) -> Peer {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the peer starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Peer { child, lines }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
