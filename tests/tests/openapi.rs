//! The committed contracts under `openapi/` match the handlers of each service.

use apq_e2e::SERVICES;

#[test]
fn openapi_spec_is_committed() {
    let drift: Vec<String> = SERVICES
        .iter()
        .filter_map(|service| {
            apq_platform::openapi::check_committed(service.info.name, &service.openapi()).err()
        })
        .collect();
    assert!(drift.is_empty(), "{}", drift.join("\n\n"));
}

/// The Rust files under `dir`, recursively.
fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each handler (the function after `#[get(`, `#[post(`, `#[put(`, `#[patch(` or `#[delete(`)
/// with its length in lines, signature included, in `source`.
fn handlers(source: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let route = ["#[get(", "#[post(", "#[put(", "#[patch(", "#[delete("];
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !route.iter().any(|r| lines[i].trim_start().starts_with(r)) {
            i += 1;
            continue;
        }
        let Some(start) = (i..lines.len()).find(|&j| lines[j].contains("fn ")) else {
            break;
        };
        let (mut depth, mut end) = (0i64, start);
        for (j, line) in lines.iter().enumerate().skip(start) {
            depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
            end = j;
            if depth <= 0 && line.contains('}') {
                break;
            }
        }
        let name = lines[start]
            .split("fn ")
            .nth(1)
            .and_then(|rest| rest.split(['(', '<']).next())
            .unwrap_or("?")
            .to_owned();
        out.push((start + 1, name, end - start + 1));
        i = end + 1;
    }
    out
}

/// Handlers stay thin (parse, authorise, call the rules and queries, shape the answer): none is
/// over 40 lines (README, "Architecture").
#[test]
fn no_handler_is_over_40_lines() {
    let services = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../services");
    let mut files = Vec::new();
    rust_files(&services, &mut files);
    let mut counted = 0;
    let mut long = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        for (line, name, length) in handlers(&source) {
            counted += 1;
            if length > 40 {
                long.push(format!("{}:{line} {name}: {length} lines", file.display()));
            }
        }
    }
    assert!(counted > 100, "the handlers are found ({counted})");
    assert!(
        long.is_empty(),
        "handlers over 40 lines:\n{}",
        long.join("\n")
    );
}
