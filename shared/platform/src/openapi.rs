//! The contract: each service's OpenAPI 3.1 document is derived from its handlers
//! (`#[utoipa::path]`), completed here with what every APQ API shares (info, servers, security,
//! the problem responses, rate-limit headers), served at `/openapi.json`, and committed under
//! `openapi/<service>.json`. A test compares the two and fails on drift.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// What a service says about itself in its spec.
#[derive(Debug, Clone, Copy)]
pub struct ApiInfo {
    pub name: &'static str,
    /// Its default port (the settings' `server.port`, the spec's local server).
    pub port: u16,
    pub title: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
}

/// The environment variable that makes the drift test rewrite the committed spec.
pub const UPDATE_ENV: &str = "APQ_UPDATE_OPENAPI";

const API_VERSION: &str = "1.0.0";
const RATE_HEADERS: [(&str, &str); 3] = [
    (
        "X-RateLimit-Limit",
        "Requests allowed in the current window",
    ),
    (
        "X-RateLimit-Remaining",
        "Requests left in the current window",
    ),
    ("X-RateLimit-Reset", "Seconds until the window resets"),
];

fn int_header(description: &str) -> Value {
    json!({"description": description, "schema": {"type": "integer", "format": "int32", "minimum": 0}})
}

fn problem_response(description: &str, retry_after: bool, rate_headers: bool) -> Value {
    let mut headers = Map::new();
    if retry_after {
        headers.insert(
            "Retry-After".to_owned(),
            int_header("Seconds to wait before retrying"),
        );
    }
    if rate_headers {
        for (name, description) in RATE_HEADERS {
            headers.insert(name.to_owned(), int_header(description));
        }
    }
    let mut response = json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    });
    if !headers.is_empty() {
        response["headers"] = Value::Object(headers);
    }
    response
}

/// Completes a derived document with what every APQ API shares.
pub fn finalize(derived: &utoipa::openapi::OpenApi, info: &ApiInfo) -> Value {
    let mut doc = serde_json::to_value(derived).unwrap_or_else(|_| json!({}));
    doc["openapi"] = json!("3.1.0");
    doc["info"] = json!({
        "title": info.title,
        "version": API_VERSION,
        "description": info.description,
        "x-summary": info.summary,
        "x-api-id": format!("apq-{}", info.name),
        "termsOfService": "https://www.regione.toscana.it/termini-e-condizioni",
        "contact": {
            "name": "Regione Toscana - Settore Infrastrutture e tecnologie per lo sviluppo della società dell'informazione",
            "url": "https://www.regione.toscana.it/",
            "email": "apq-societa-informazione@regione.toscana.it"
        },
        "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}
    });
    doc["servers"] = json!([
        {
            "url": format!("https://api.regione.toscana.it/apq/{}", info.name),
            "description": "Production, behind the regional API gateway"
        },
        {
            "url": format!("http://localhost:{}", info.port),
            "description": "Local development (the README's run command)",
            "x-sandbox": true
        }
    ]);
    let components = doc["components"]
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut components = Value::Object(components);
    components["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A JWT signed with the regional issuer's Ed25519 key (EdDSA), with this service's audience (apq-<service>), the caller's roles and, for bodies, the `ente` claim."
        }
    });
    doc["components"] = components;
    unique_operation_ids(&mut doc);
    let mut tags = std::collections::BTreeSet::new();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let probe = path.starts_with("/health/");
            if let Some(item) = item.as_object_mut() {
                for (method, operation) in item.iter_mut() {
                    if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                        complete_operation(operation, method, probe);
                        for tag in operation["tags"].as_array().into_iter().flatten() {
                            if let Some(tag) = tag.as_str() {
                                tags.insert(tag.to_owned());
                            }
                        }
                    }
                }
            }
        }
    }
    doc["tags"] = Value::Array(
        tags.into_iter()
            .map(|name| json!({"name": name, "description": format!("Operations on {}", name.replace('_', " "))}))
            .collect(),
    );
    drop_unused_schemas(&mut doc);
    required_when(&mut doc);
    refuse_nul_in_text(&mut doc);
    close_variants(&mut doc);
    doc
}

/// The extension a field carries when the code requires it only while another field of the
/// same object has a given value: `#[schema(extensions(("x-required-when" = json!({"tipologia":
/// "D"}))))]` on a disimpegno's `causale`.
pub const REQUIRED_WHEN: &str = "x-required-when";

/// States each [`REQUIRED_WHEN`] in JSON Schema on its object, so that a client generated from
/// the spec validates as the server does: `if` the other fields have those values, `then` the
/// field is present, not null and (text) not blank.
fn required_when(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut rules = Vec::new();
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    let Some(property) = property.as_object_mut() else {
                        continue;
                    };
                    let Some(Value::Object(when)) = property.remove(REQUIRED_WHEN) else {
                        continue;
                    };
                    let text = match property.get("type") {
                        Some(Value::String(t)) => t == "string",
                        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                        _ => false,
                    };
                    let mut present = if text {
                        json!({"type": "string", "pattern": NON_BLANK})
                    } else {
                        json!({"not": {"type": "null"}})
                    };
                    if let Some(max) = property.get("maxLength") {
                        present["maxLength"] = max.clone();
                    }
                    let condition: Map<String, Value> = when
                        .iter()
                        .map(|(field, value)| (field.clone(), json!({"const": value})))
                        .collect();
                    let fields: Vec<&String> = when.keys().collect();
                    rules.push(json!({
                        "if": {"properties": condition, "required": fields},
                        "then": {"required": [name], "properties": {name: present}}
                    }));
                }
            }
            if !rules.is_empty() {
                match map.get_mut("allOf") {
                    Some(Value::Array(all)) => all.extend(rules),
                    _ => {
                        map.insert("allOf".to_owned(), Value::Array(rules));
                    }
                }
            }
            map.values_mut().for_each(required_when);
        }
        Value::Array(items) => items.iter_mut().for_each(required_when),
        _ => {}
    }
}

/// The variants of a tagged enum are closed as its structs are (`deny_unknown_fields`: an
/// unknown field is a 400), which utoipa writes for structs only.
fn close_variants(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(variants)) = map.get_mut("oneOf") {
                for variant in variants.iter_mut() {
                    if let Some(variant) = variant.as_object_mut()
                        && variant.contains_key("properties")
                        && !variant.contains_key("additionalProperties")
                    {
                        variant.insert("additionalProperties".to_owned(), json!(false));
                    }
                }
            }
            map.values_mut().for_each(close_variants);
        }
        Value::Array(items) => items.iter_mut().for_each(close_variants),
        _ => {}
    }
}

/// What every text field refuses (the JSON, path and query extractors check it; PostgreSQL text
/// cannot hold it), written into each string schema that has no pattern, format or enum of its own.
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// Text that must say something (the code refuses it blank, after trimming): a field says so
/// with `#[schema(pattern = "\\S")]`, which the document completes with [`NO_NUL`]'s rule.
pub const NON_BLANK: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";

fn refuse_nul_in_text(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let text = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            let constrained = ["pattern", "format", "enum", "const", "contentEncoding"]
                .iter()
                .any(|k| map.contains_key(*k));
            if text && map.get("pattern").is_some_and(|p| p == "\\S") {
                map.insert("pattern".to_owned(), json!(NON_BLANK));
            } else if text && !constrained {
                map.insert("pattern".to_owned(), json!(NO_NUL));
            }
            map.values_mut().for_each(refuse_nul_in_text);
        }
        Value::Array(items) => items.iter_mut().for_each(refuse_nul_in_text),
        _ => {}
    }
}

/// Every `$ref` to a component schema anywhere in `value`.
fn schema_refs(value: &Value, found: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                found.insert(name.to_owned());
            }
            map.values().for_each(|v| schema_refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| schema_refs(v, found)),
        _ => {}
    }
}

/// Leaves out the component schemas nothing refers to (a type only ever inlined, such as the
/// item of a generic page): a client generator would emit them as dead types.
fn drop_unused_schemas(doc: &mut Value) {
    loop {
        let mut used = std::collections::BTreeSet::new();
        schema_refs(doc, &mut used);
        let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
            return;
        };
        let before = schemas.len();
        schemas.retain(|name, _| used.contains(name));
        if schemas.len() == before {
            return;
        }
    }
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Handlers in different modules may share a function name (`list`, `create`): where an
/// operationId repeats, it is prefixed with the operation's tag.
fn unique_operation_ids(doc: &mut Value) {
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let operations = |doc: &mut Value| -> Vec<(String, String)> {
        let mut found = Vec::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (path, item) in paths {
                for method in METHODS {
                    if item.get(method).is_some() {
                        found.push((path.clone(), method.to_owned()));
                    }
                }
            }
        }
        found
    };
    let all = operations(doc);
    for (path, method) in &all {
        if let Some(id) = doc["paths"][path][method]["operationId"].as_str() {
            *seen.entry(id.to_owned()).or_default() += 1;
        }
    }
    let mut tagged: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (path, method) in &all {
        let operation = &doc["paths"][path][method];
        let id = operation["operationId"].as_str().unwrap_or_default();
        if seen.get(id).is_some_and(|n| *n > 1) {
            let tag = operation["tags"][0].as_str().unwrap_or("api");
            *tagged.entry(format!("{tag}_{id}")).or_default() += 1;
        }
    }
    for (path, method) in all {
        let operation = &mut doc["paths"][&path][&method];
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if seen.get(&id).is_some_and(|n| *n > 1) {
            let tag = operation["tags"][0].as_str().unwrap_or("api").to_owned();
            let with_tag = format!("{tag}_{id}");
            // Two handlers of one tag with one name: the path tells them apart.
            let unique = if tagged.get(&with_tag).is_some_and(|n| *n > 1) {
                let slug: String = path
                    .split('/')
                    .filter(|s| !s.is_empty() && *s != "v1")
                    .map(|s| s.trim_matches(|c| c == '{' || c == '}').replace('-', "_"))
                    .collect::<Vec<_>>()
                    .join("_");
                format!("{with_tag}_{slug}")
            } else {
                with_tag
            };
            operation["operationId"] = json!(unique);
        }
        if operation.get("description").is_none()
            && let Some(summary) = operation.get("summary").cloned()
        {
            operation["description"] = summary;
        }
    }
}

fn complete_operation(operation: &mut Value, method: &str, probe: bool) {
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let parameters = operation
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has_input = operation.get("requestBody").is_some() || !parameters.is_empty();
    let in_path = parameters.iter().any(|p| p["in"] == "path");
    let conditional = parameters
        .iter()
        .any(|p| p["in"] == "header" && p["name"] == "If-Match");
    let responses = operation["responses"]
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut responses = Value::Object(responses);
    let mut standard: Vec<(&str, &str, bool)> = Vec::new();
    if has_input {
        standard.push((
            "400",
            "The request is malformed or a field is not valid (each is named)",
            false,
        ));
    }
    if secured {
        standard.push((
            "401",
            "No valid bearer token (missing, expired, wrong audience or signature)",
            false,
        ));
        standard.push((
            "403",
            "The caller's roles or scope do not allow this",
            false,
        ));
    }
    if in_path {
        standard.push(("404", "No such resource", false));
    }
    if conditional {
        standard.push((
            "412",
            "The resource changed since it was read (a stale If-Match)",
            false,
        ));
        standard.push(("428", "If-Match is required", false));
    }
    let idempotent = parameters
        .iter()
        .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
    if operation.get("requestBody").is_some() || idempotent {
        standard.push((
            "422",
            "Well-formed but refused by a rule of the programme, a reference to a missing resource, or an Idempotency-Key reused for another request",
            false,
        ));
    }
    if matches!(method, "post" | "put" | "patch") {
        standard.push(("413", "The request body is over the size limit", false));
        standard.push(("415", "The request body is not application/json", false));
    }
    if !probe {
        standard.push((
            "429",
            "Too many requests: wait for Retry-After seconds",
            true,
        ));
    }
    standard.push((
        "500",
        "Internal error: the cause is logged with the request id",
        false,
    ));
    standard.push((
        "503",
        "A dependency (the database or a peer service) is unavailable",
        true,
    ));
    if let Some(map) = responses.as_object_mut() {
        for (status, description, retry_after) in standard {
            if !map.contains_key(status) {
                let rate = !probe && status.starts_with('4');
                map.insert(
                    status.to_owned(),
                    problem_response(description, retry_after, rate),
                );
            }
        }
        for (status, response) in map.iter_mut() {
            let first = status.chars().next().unwrap_or('5');
            if probe || !matches!(first, '2' | '4') {
                continue;
            }
            if response.get("headers").is_none() {
                response["headers"] = json!({});
            }
            if let Some(headers) = response["headers"].as_object_mut() {
                for (name, description) in RATE_HEADERS {
                    headers
                        .entry(name.to_owned())
                        .or_insert_with(|| int_header(description));
                }
                if status == "412" {
                    headers.entry("ETag".to_owned()).or_insert_with(|| {
                        json!({
                            "description": "The resource's current ETag: read it again, then retry with it",
                            "schema": {"type": "string", "pattern": "^\"[0-9]{1,18}\"$", "maxLength": 20}
                        })
                    });
                }
                if status == "429" {
                    headers
                        .entry("Retry-After".to_owned())
                        .or_insert_with(|| int_header("Seconds to wait before retrying"));
                }
            }
        }
    }
    operation["responses"] = responses;
}

/// Pretty JSON with a trailing newline: the form committed under `openapi/`.
pub fn to_pretty(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Where the committed spec of `service` lives.
pub fn committed_path(service: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../openapi")
        .join(format!("{service}.json"))
}

/// Compares the derived spec with the committed one. With `APQ_UPDATE_OPENAPI=1` it rewrites the
/// committed file instead. The error says how to regenerate.
pub fn check_committed(service: &str, doc: &Value) -> Result<(), String> {
    let path = committed_path(service);
    let derived = to_pretty(doc);
    if std::env::var(UPDATE_ENV).is_ok_and(|v| v == "1") {
        return std::fs::write(&path, derived)
            .map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == derived {
        return Ok(());
    }
    let first_difference = committed
        .lines()
        .zip(derived.lines())
        .position(|(a, b)| a != b)
        .map(|i| format!("first difference at line {}", i + 1))
        .unwrap_or_else(|| "the files differ in length".to_owned());
    Err(format!(
        "openapi/{service}.json does not match the handlers ({first_difference}).\n\
         Regenerate the committed specs with:\n    {UPDATE_ENV}=1 cargo nextest run -E 'test(openapi_spec_is_committed)'\n\
         and commit the result."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> ApiInfo {
        ApiInfo {
            name: "catalogue",
            port: 8082,
            title: "t",
            summary: "s",
            description: "d",
        }
    }

    #[test]
    fn secured_operations_get_the_auth_problems_and_rate_headers() {
        let mut derived = utoipa::openapi::OpenApi::default();
        derived.paths = serde_json::from_value(json!({
            "/v1/things": {"post": {
                "operationId": "create_thing",
                "security": [{"bearer": []}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "created"}}
            }}
        }))
        .unwrap_or_default();
        let doc = finalize(&derived, &info());
        let responses = &doc["paths"]["/v1/things"]["post"]["responses"];
        for status in [
            "201", "400", "401", "403", "413", "415", "429", "500", "503",
        ] {
            assert!(
                responses.get(status).is_some(),
                "{status} missing: {responses}"
            );
        }
        assert!(responses["201"]["headers"]["X-RateLimit-Remaining"].is_object());
        assert!(responses["429"]["headers"]["Retry-After"].is_object());
        assert!(responses["503"]["headers"]["Retry-After"].is_object());
        assert_eq!(
            doc["servers"][0]["url"],
            "https://api.regione.toscana.it/apq/catalogue"
        );
    }

    #[test]
    fn a_field_required_when_another_has_a_value_says_so_in_json_schema() {
        let mut doc = json!({"components": {"schemas": {"NewImpegno": {
            "type": "object",
            "required": ["tipologia"],
            "properties": {
                "tipologia": {"type": "string", "enum": ["I", "D"]},
                "causale": {"type": ["string", "null"], "maxLength": 100,
                    "x-required-when": {"tipologia": "D"}}
            }
        }}}});
        required_when(&mut doc);
        let schema = &doc["components"]["schemas"]["NewImpegno"];
        assert!(schema["properties"]["causale"].get(REQUIRED_WHEN).is_none());
        assert_eq!(
            schema["allOf"],
            json!([{
                "if": {"properties": {"tipologia": {"const": "D"}}, "required": ["tipologia"]},
                "then": {"required": ["causale"], "properties": {"causale":
                    {"type": "string", "pattern": NON_BLANK, "maxLength": 100}}}
            }])
        );
    }

    #[test]
    fn drift_is_detected_with_the_regenerating_command() {
        let doc = json!({"openapi": "3.1.0", "paths": {"/v1/new-handler": {}}});
        if std::env::var(UPDATE_ENV).is_ok() {
            return;
        }
        let error = check_committed("catalogue", &doc).err().unwrap_or_default();
        assert!(error.contains("does not match the handlers"), "{error}");
        assert!(error.contains("APQ_UPDATE_OPENAPI=1"), "{error}");
    }
}
