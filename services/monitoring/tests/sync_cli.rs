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

/// An empty feed page, as the monitoring service answers when nothing is new.
const EMPTY_FEED: &str = r#"{"items":[],"limit":50,"checkpoint":0,"more":false}"#;

#[tokio::test]
async fn an_https_feed_signed_by_the_ca_of_ca_file_is_trusted_and_an_unknown_ca_refused() {
    let ca =
        apq_platform::testing::tls::TestCa::new("APQ test CA").unwrap_or_else(|e| panic!("{e}"));
    let feed = ca
        .https_server(EMPTY_FEED)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join(format!("apq-sync-tls-{}", uuid::Uuid::new_v4()));
    let run = |ca_file: Option<std::path::PathBuf>| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_apq-intese-sync"));
        command
            .args(["--feed", &feed, "--target-dir"])
            .arg(&dir)
            .args(["--timeout-secs", "5"])
            .env("APQ_SYNC_TOKEN", "t")
            .env_remove("APQ_TLS__CA_FILE");
        if let Some(path) = ca_file {
            command.env("APQ_TLS__CA_FILE", path);
        }
        async move { command.output().await.unwrap_or_else(|e| panic!("{e}")) }
    };

    let trusted = run(Some(ca.pem_path.clone())).await;
    assert!(
        trusted.status.success(),
        "{}",
        String::from_utf8_lossy(&trusted.stderr)
    );

    let refused = run(None).await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("does not answer"), "{stderr}");
    drop(std::fs::remove_dir_all(&dir));
}
