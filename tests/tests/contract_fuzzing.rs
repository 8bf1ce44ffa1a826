//! Contract fuzzing: schemathesis (PyPI) against each service's committed spec, with a valid
//! admin token, 80 examples per operation and every phase (examples, coverage, fuzzing,
//! stateful): no 5xx, no response that breaks the schema, no undocumented status, no accepted
//! invalid input, and no "schema validation mismatch" (an operation that refuses every request
//! its schema calls valid: a constraint the code checks and the schema does not say).
//! `./deploy/test` installs schemathesis and sets `APQ_SCHEMATHESIS`; the run is reproducible
//! (fixed seed).
//!
//! Every operation is held to that. What JSON Schema can say is in
//! the spec (a disimpegno or a rettifica needs its causale: `x-required-when`, stated as
//! `if`/`then`). What depends on the register's state or on the calendar the hooks
//! (tests/schemathesis/hooks.py) send as a real client does: the current ETag in If-Match, a fresh
//! Idempotency-Key, identifiers that exist where a field refers to another resource, and
//! (`BEFORE_CALL`) a scheda's totals declared only while its intervento has no impegni and
//! pagamenti; impegni and pagamenti of an intervento of the register, dated today at the
//! latest; a Tavolo effect on an intervento in a state it holds for, with a plan that adds up; an
//! acknowledgement (single or in a batch) of a change the feed holds; a calendar of a signed atto
//! over at most 30 years; a PUC project whose comune lies in its province; (`BEFORE_ANY_BODY`)
//! a transmission that exists where one is read, and IGRUE's answer to one made for it. A
//! transmission is refused while a blocking finding of the national checks stands, so the
//! transmissions are fuzzed first, on the loaded IV Atto as the Region completes it for the
//! national file (`apq_e2e::puc`), and the other operations after. Each of those rules,
//! broken, is a documented 4xx problem naming the field (409 where the registers conflict: the
//! pagamenti recorded past the impegni).
//!
//! Two of schemathesis' checks are off, by design: `positive_data_acceptance` (a schema-valid
//! request may still break a rule of the programme: a forged cursor, a co-financing above the
//! cap) and `missing_required_header` (a missing If-Match is 428 Precondition Required, RFC 6585,
//! where schemathesis expects 400).

use apq_domain::Role;
use apq_e2e::Suite;
use apq_e2e::schede::{Schede, new_scheda};
use apq_platform::testing::token_with;

/// The PUC transmissions' paths (IGRUE's answers included).
const TRANSMISSIONS: &str = "^/v1/puc/transmissions";

/// The operations listed under schemathesis' "Schema validation mismatch" warning.
fn mismatched(stdout: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Schema validation mismatch"));
    lines.next();
    for line in lines {
        let line = line.trim();
        if let Some(operation) = line.strip_prefix("- ") {
            found.push(operation.to_owned());
        } else if !line.is_empty() {
            break;
        }
    }
    found
}

fn schemathesis() -> String {
    std::env::var("APQ_SCHEMATHESIS").unwrap_or_else(|_| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.data/venv/bin/st");
        root.to_string_lossy().into_owned()
    })
}

/// The feed holds a change to acknowledge, as it does in production: a scheda opened and
/// submitted through the API.
async fn submitted_scheda(suite: &Suite, token: &str) {
    let schede = Schede(&suite.monitoring);
    let created = schede
        .open(token, new_scheda("CSTT-ALI", "2010-S1", "20.00"))
        .await;
    schede.submit(token, &created).await;
}

#[tokio::test]
async fn schemathesis_finds_nothing_in_the_four_contracts() {
    let st = schemathesis();
    assert!(
        std::path::Path::new(&st).exists(),
        "schemathesis is needed at {st} (./deploy/test installs it)"
    );
    let suite = Suite::spawn_loaded()
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let token = token_with(&[Role::Admin]);
    submitted_scheda(&suite, &token).await;
    let hooks = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis/hooks.py");
    let urls = suite
        .apps()
        .iter()
        .map(|(name, app)| format!("{name}={}", app.address))
        .collect::<Vec<_>>()
        .join(",");
    // The transmissions go first, on the register as the Region completes it for the national
    // file; the other operations' generated data then make it a register the national checks
    // refuse to transmit, as they should.
    apq_e2e::puc::complete_the_iv_atto(&suite).await;
    let mut runs = vec![(
        "monitoring (transmissions)",
        &suite.monitoring,
        "monitoring",
        vec!["--include-path-regex", TRANSMISSIONS],
    )];
    for (name, app) in suite.apps() {
        let filter = match name {
            "monitoring" => vec!["--exclude-path-regex", TRANSMISSIONS],
            _ => vec![],
        };
        runs.push((name, app, name, filter));
    }
    let mut failures = Vec::new();
    for (label, app, name, filter) in runs {
        let spec = apq_platform::openapi::committed_path(name);
        let output = tokio::process::Command::new(&st)
            .arg("run")
            .arg(&spec)
            .args(["--url", &app.address])
            .args(filter)
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args([
                "--checks",
                "all",
                "--exclude-checks",
                "positive_data_acceptance,missing_required_header",
            ])
            .args([
                "-n",
                "80",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--seed",
                "20091231",
                "--no-color",
            ])
            .env("SCHEMATHESIS_HOOKS", &hooks)
            .env("APQ_ST_URLS", &urls)
            .env("APQ_ST_TOKEN", &token)
            .output()
            .await
            .unwrap_or_else(|e| panic!("cannot run {st}: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() || !mismatched(&stdout).is_empty() {
            failures.push(format!(
                "{label}:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
