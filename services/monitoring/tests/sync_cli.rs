//! The sync job's command line: it refuses to run without a target and says why, and exits
//! non-zero with a clear message when the feed cannot be reached.

use std::process::Command;

fn job() -> Command {
    Command::new(env!("CARGO_BIN_EXE_apq-intese-sync"))
}

#[test]
fn without_a_target_it_refuses_and_says_why() {
    let output = job()
        .env("APQ_SYNC_TOKEN", "t")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--target-dir or --target-url"));
}

#[test]
fn an_unreachable_feed_is_a_clear_failure() {
    let dir = std::env::temp_dir().join(format!("apq-sync-cli-{}", std::process::id()));
    let output = job()
        .args(["--feed", "http://127.0.0.1:9", "--target-dir"])
        .arg(&dir)
        .args(["--timeout-secs", "2"])
        .env("APQ_SYNC_TOKEN", "t")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot finish") && stderr.contains("does not answer"),
        "{stderr}"
    );
    drop(std::fs::remove_dir_all(&dir));
}
