//! `publiccode.yml` (the Developers Italia standard, version 0.4) is present at the root and
//! carries the keys the catalogue of reusable public software requires, with our values.

use serde_yaml::Value;

fn publiccode() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../publiccode.yml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// The value at a dotted path (`legal.license`), failing the test with the path when absent.
fn at<'a>(doc: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(doc, |value, key| {
        value
            .get(key)
            .unwrap_or_else(|| panic!("publiccode.yml lacks `{path}` (at `{key}`)"))
    })
}

fn text<'a>(doc: &'a Value, path: &str) -> &'a str {
    at(doc, path)
        .as_str()
        .unwrap_or_else(|| panic!("`{path}` is not a string"))
}

fn list<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    let items = at(doc, path)
        .as_sequence()
        .unwrap_or_else(|| panic!("`{path}` is not a list"));
    assert!(!items.is_empty(), "`{path}` is empty");
    items.iter().collect()
}

fn strings<'a>(doc: &'a Value, path: &str) -> Vec<&'a str> {
    list(doc, path)
        .into_iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("`{path}` holds a non-string"))
        })
        .collect()
}

#[test]
fn publiccode_yml_has_the_required_keys() {
    let doc = publiccode();
    assert_eq!(text(&doc, "publiccodeYmlVersion"), "0.4");
    assert!(!text(&doc, "name").is_empty());
    assert!(text(&doc, "url").starts_with("https://"));
    assert_eq!(strings(&doc, "platforms"), ["web"]);
    assert!(!strings(&doc, "categories").is_empty());
    assert!(
        ["concept", "development", "beta", "stable", "obsolete"]
            .contains(&text(&doc, "developmentStatus"))
    );
    assert_eq!(text(&doc, "softwareType"), "standalone/backend");
}

#[test]
fn publiccode_yml_describes_the_software_in_italian_and_english() {
    let doc = publiccode();
    for language in ["it", "en"] {
        let short = text(&doc, &format!("description.{language}.shortDescription"));
        assert!(
            !short.is_empty() && short.chars().count() <= 150,
            "{language} shortDescription must be 1-150 characters"
        );
        let long = text(&doc, &format!("description.{language}.longDescription"));
        assert!(
            (150..=10_000).contains(&long.chars().count()),
            "{language} longDescription must be 150-10000 characters"
        );
        let features = strings(&doc, &format!("description.{language}.features"));
        assert!(features.iter().all(|f| f.chars().count() <= 100));
    }
    let languages = strings(&doc, "localisation.availableLanguages");
    assert!(languages.contains(&"it") && languages.contains(&"en"));
    assert!(at(&doc, "localisation.localisationReady").is_bool());
}

#[test]
fn publiccode_yml_names_the_region_as_owner_and_the_licence() {
    let doc = publiccode();
    assert_eq!(text(&doc, "legal.license"), "EUPL-1.2");
    assert_eq!(text(&doc, "legal.mainCopyrightOwner"), "Regione Toscana");
    assert_eq!(text(&doc, "legal.repoOwner"), "Regione Toscana");
    let license = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        license.contains("license = \"EUPL-1.2\""),
        "the workspace licence and publiccode.yml disagree"
    );
}

#[test]
fn publiccode_yml_has_maintenance_dependencies_and_the_italian_extension() {
    let doc = publiccode();
    let kind = text(&doc, "maintenance.type");
    assert!(["internal", "contract", "community", "none"].contains(&kind));
    if kind == "internal" || kind == "community" {
        for contact in list(&doc, "maintenance.contacts") {
            assert!(!text(contact, "name").is_empty());
            assert!(text(contact, "email").contains('@'));
        }
    }
    let open = list(&doc, "dependsOn.open");
    assert!(
        open.iter().any(|d| text(d, "name") == "PostgreSQL"),
        "dependsOn.open must name PostgreSQL"
    );
    assert_eq!(text(&doc, "it.countryExtensionVersion"), "1.0");
    assert_eq!(text(&doc, "it.riuso.codiceIPA"), "r_toscan");
}
