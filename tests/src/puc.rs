//! The loaded IV Atto completed for the national monitoring, through the API, as the Region
//! completes it before its first transmission: what the seed leaves unknown and the PUC file
//! needs (the soggetti's codici fiscali and IPA codes, the CUPs of E-TOSCANA-RIUSO and
//! GEOSIGMA, an output indicator with its target, the procedural iter the CUP's nature asks,
//! the cost plan that adds up to the financing). The values are the ones a Region enters:
//! Regione Toscana's codice fiscale and IPA code are its own; CNIPA's are its successor's
//! (AgID), as the Region would record them today; the CUPs and the plan dates are examples.
//!
//! After [`complete_the_iv_atto`] the national checks find no blocking error in the file of any
//! semester from 2010-S1 on, so a transmission can be made (and IGRUE's answer read back).

use apq_domain::Role;
use apq_platform::testing::{TestApp, token_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{Suite, call, read};

/// The interventi of the IV Atto in the national file.
pub const INTERVENTI: [&str; 3] = ["CSTT-ALI", "E-TOSCANA-RIUSO", "GEOSIGMA"];

/// The soggetti the dataset ships without codice fiscale and IPA code: (name, codice
/// fiscale, IPA code).
const SOGGETTI: [(&str, &str, &str); 2] = [
    ("Regione Toscana", "01386030488", "r_toscan"),
    (
        "CNIPA - Centro Nazionale per l'Informatica nella Pubblica Amministrazione",
        "97735020584",
        "agid",
    ),
];

/// The CUPs the seed does not give (examples in the CUP system's format).
const CUPS: [(&str, &str); 2] = [
    ("E-TOSCANA-RIUSO", "D13G07000080002"),
    ("GEOSIGMA", "D13G07000090002"),
];

/// An output indicator with its target for the interventi the seed gives none.
const INDICATORS: [(&str, &str, &str); 2] = [
    ("IND-R1", "E-TOSCANA-RIUSO", "Soluzioni riusate dai comuni"),
    ("IND-G1", "GEOSIGMA", "Amministrazioni che usano il sistema"),
];

/// The phases of TC46 a CUP of nature 02 asks, planned one after the other.
const PHASES: [(&str, &str, &str); 4] = [
    ("0201", "2008-01-01", "2008-06-30"),
    ("0202", "2008-07-01", "2008-12-31"),
    ("0203", "2009-01-01", "2010-12-31"),
    ("0204", "2011-01-01", "2011-06-30"),
];

fn admin() -> String {
    token_with(&[Role::Admin])
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    version: Option<&Value>,
    body: Value,
) -> Value {
    let (status, answer) = call(app, method, path, Some(&admin()), version, Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// Completes the loaded IV Atto for the national file (see the module's documentation); an
/// intervento that has an output indicator with a target already keeps it.
pub async fn complete_the_iv_atto(suite: &Suite) {
    let (m, a) = (&suite.monitoring, &suite.agreements);
    for code in INTERVENTI {
        let (_, soggetti) = read(m, &format!("/v1/interventi/{code}/soggetti"), None).await;
        for soggetto in soggetti["items"].as_array().into_iter().flatten() {
            if let Some((_, cf, ipa)) = SOGGETTI.iter().find(|(n, _, _)| soggetto["name"] == *n) {
                let path = format!(
                    "/v1/interventi/{code}/soggetti/{}",
                    soggetto["id"].as_str().unwrap_or("")
                );
                let body = json!({"codice_fiscale": cf, "ipa": ipa, "public": true});
                send(m, Method::PATCH, &path, Some(&soggetto["version"]), body).await;
            }
        }
        for (phase, start, end) in PHASES {
            let body = json!({"code": phase, "planned_start": start, "planned_end": end});
            send(
                m,
                Method::POST,
                &format!("/v1/interventi/{code}/phases"),
                None,
                body,
            )
            .await;
        }
    }
    let (_, interventi) = read(a, "/v1/interventi?limit=200", None).await;
    for (code, cup) in CUPS {
        let Some(intervento) = interventi["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["code"] == code))
        else {
            panic!("{code} is not in the register: {interventi}");
        };
        let path = format!("/v1/interventi/{}", intervento["id"].as_str().unwrap_or(""));
        send(
            a,
            Method::PATCH,
            &path,
            Some(&intervento["version"]),
            json!({"cup": cup}),
        )
        .await;
    }
    let (_, defined) = read(m, "/v1/indicators", None).await;
    let has_one = |code: &str| {
        defined["items"].as_array().into_iter().flatten().any(|i| {
            i["intervento_code"] == code
                && i["target"]
                    .as_str()
                    .is_some_and(|t| t.contains(['1', '2', '3', '4', '5', '6', '7', '8', '9']))
        })
    };
    for (indicator, code, name) in INDICATORS {
        if has_one(code) {
            continue;
        }
        let body = json!({"code": indicator, "name": name, "unit": "numero",
            "intervento_code": code, "baseline": "0", "target": "10"});
        send(m, Method::POST, "/v1/indicators", None, body).await;
    }
    for (code, financing) in financing(m).await {
        let plan =
            json!({"year": 2009, "realised": euro_cents(0), "to_realise": euro_cents(financing)});
        send(
            m,
            Method::POST,
            &format!("/v1/interventi/{code}/cost-plan"),
            None,
            plan,
        )
        .await;
    }
}

/// The financing (FN00) of each intervento, in cents, as the file of 2010-S1 states it.
async fn financing(m: &TestApp) -> Vec<(String, i64)> {
    let (status, preview) = read(m, "/v1/puc/2010-S1", None).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let file = preview["file"].as_str().unwrap_or("");
    let lines = file.split("\r\n").skip(1);
    let records = preview["records"].as_array().into_iter().flatten();
    let mut out: Vec<(String, i64)> = Vec::new();
    for (record, line) in records.zip(lines) {
        if record["structure"] != "FN00" {
            continue;
        }
        let fields: Vec<&str> = line.split('#').nth(2).unwrap_or("").split('|').collect();
        let cents = fields.get(6).map_or(0, |amount| cents(amount));
        let code = record["intervento_code"].as_str().unwrap_or("").to_owned();
        match out.iter_mut().find(|(c, _)| *c == code) {
            Some((_, total)) => *total += cents,
            None => out.push((code, cents)),
        }
    }
    out
}

/// "1892850,00" in cents.
fn cents(amount: &str) -> i64 {
    let (units, decimals) = amount.split_once(',').unwrap_or((amount, "0"));
    units.parse::<i64>().unwrap_or(0) * 100 + decimals.parse::<i64>().unwrap_or(0)
}

fn euro_cents(cents: i64) -> Value {
    crate::euro(&format!("{}.{:02}", cents / 100, cents % 100))
}
