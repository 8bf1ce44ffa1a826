//! Monitoring's schede as the tests drive them, one typed helper per request (zero2prod's
//! `TestApp` style): `open`, `submit` and `validate` assert the status their name promises and
//! answer the scheda; `step` answers a step that may be refused, status and body.

use apq_platform::testing::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::call;

/// A scheda of `code` for `semester` at SAL `sal`: the body `POST /v1/schede` takes, with
/// commitments of 500.000,00 and payments of 250.000,00 and no activity.
pub fn new_scheda(code: &str, semester: &str, sal: &str) -> Value {
    json!({"intervento_code": code, "semester": semester, "sal": sal, "planned_sal": "30.00",
           "commitments": {"amount": "500000.00", "currency": "EUR"},
           "payments": {"amount": "250000.00", "currency": "EUR"},
           "activities": [], "obstacles": null, "corrective_actions": null})
}

/// The schede endpoints of a monitoring service.
pub struct Schede<'a>(pub &'a TestApp);

impl Schede<'_> {
    /// `POST /v1/schede` as `token`: 201, the scheda opened.
    pub async fn open(&self, token: &str, body: Value) -> Value {
        let (status, created) = call(
            self.0,
            Method::POST,
            "/v1/schede",
            Some(token),
            None,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    /// `POST /v1/schede/{id}/{step}` at the scheda's version, as `token`: the status and the
    /// answer (the scheda after the step, or the problem).
    pub async fn step(
        &self,
        token: &str,
        scheda: &Value,
        step: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let id = scheda["id"].as_str().unwrap_or_default();
        let path = format!("/v1/schede/{id}/{step}");
        call(
            self.0,
            Method::POST,
            &path,
            Some(token),
            Some(&scheda["version"]),
            Some(body),
        )
        .await
    }

    /// The submission with its relazione, as `token`: 200, the scheda submitted.
    pub async fn submit(&self, token: &str, scheda: &Value) -> Value {
        let (status, submitted) = self
            .step(token, scheda, "submission", json!({"note": "relazione"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{submitted}");
        submitted
    }

    /// The validation, as `token`: 200, the scheda validated.
    pub async fn validate(&self, token: &str, scheda: &Value) -> Value {
        let (status, validated) = self.step(token, scheda, "validation", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{validated}");
        validated
    }
}
