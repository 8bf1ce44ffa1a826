//! Adhesion's adhesions as the tests drive them, one typed helper per request (zero2prod's
//! `TestApp` style): `requested` asserts the 201 its name promises; `request` and `step` answer
//! status and body, for the calls a test expects refused.

use apq_platform::testing::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::call;

/// The adhesions endpoints of an adhesion service.
pub struct Adhesions<'a>(pub &'a TestApp);

impl Adhesions<'_> {
    /// `POST /v1/adhesions` as `token`: the status and the answer.
    pub async fn request(&self, token: &str, body: Value) -> (StatusCode, Value) {
        call(
            self.0,
            Method::POST,
            "/v1/adhesions",
            Some(token),
            None,
            Some(body),
        )
        .await
    }

    /// `POST /v1/adhesions` as `token`: 201, the adhesion requested.
    pub async fn requested(&self, token: &str, body: Value) -> Value {
        let (status, created) = self.request(token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    /// `POST /v1/adhesions/{id}/transitions` at the adhesion's version, as `token`: the step
    /// `to` on `on` with the act `atto <to>`; the status and the answer.
    pub async fn step(
        &self,
        token: &str,
        adhesion: &Value,
        to: &str,
        on: &str,
    ) -> (StatusCode, Value) {
        let id = adhesion["id"].as_str().unwrap_or_default();
        let path = format!("/v1/adhesions/{id}/transitions");
        let body = json!({"to": to, "on": on, "act_ref": format!("atto {to}")});
        call(
            self.0,
            Method::POST,
            &path,
            Some(token),
            Some(&adhesion["version"]),
            Some(body),
        )
        .await
    }
}
