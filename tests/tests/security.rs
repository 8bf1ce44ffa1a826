//! Security, as tests: the authorization matrix over every operation of the four committed
//! contracts (each role, and anonymous, against each operation, with the answer each must get),
//! forged tokens, SQL-looking input and log hygiene.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use apq_domain::Role;
use apq_e2e::Suite;
use apq_platform::devkeys::TokenRequest;
use apq_platform::testing::{TestApp, keys, token, token_with};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};

fn committed(service: &str) -> Value {
    let text =
        std::fs::read_to_string(apq_platform::openapi::committed_path(service)).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------------------
// The authorization matrix.
//
// One row per operation of the committed contracts (an operation whose answer depends on its
// body has one row per variant), one column per caller:
//
//   anon   no token
//   admin  admin
//   racc   responsabile_accordo
//   rint   responsabile_intervento whose token names the intervento the request is about
//   rint'  responsabile_intervento whose token names another intervento (GEOSIGMA)
//   ente   ente whose token names the body the request is about
//   ente'  ente whose token names another body (051010, Castiglion Fibocchi)
//   aud    auditor
//   sync   sync (the Applicativo Intese job)
//   cnip   cnipa (the co-financer: approves, verifies, pays, revokes)
//
// Each cell is the answer the caller MUST get: 2xx, 401 (no token on a secured operation), 403
// (the caller lacks the right) or 404 (the data of another body, hidden). Every cell sends a
// request that succeeds for an allowed caller (the suite's datasets, a resource of its own
// created just before, the ETag read just before), so a 403 says the role, not the input, was
// refused. An operation added to a contract without a row here fails the test.
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str, &str, &str)] = &[
    // service      method   path                                                variant               anon admin racc rint rint' ente ente' aud  sync cnip
    // ---------------------------------------------------------------------------------------------------------------------------------------------
    ("agreements", "GET",   "/health/live",                                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/health/ready",                                    "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/status",                                          "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/v1/accordi",                                      "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/v1/atti-integrativi",                             "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "POST",  "/v1/atti-integrativi",                             "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/atti-integrativi/{id}",                        "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "PATCH", "/v1/atti-integrativi/{id}",                        "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/atti-integrativi/{id}/tavole",                 "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/v1/audit",                                        "",                  "401 2xx  2xx  403  403  403  403  2xx  403  403"),
    ("agreements", "GET",   "/v1/conciliations",                                "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "POST",  "/v1/conciliations",                                "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "POST",  "/v1/conciliations/{id}/agreement",                 "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/inconsistencies",                              "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/v1/interventi",                                   "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "POST",  "/v1/interventi",                                   "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/interventi/{id}",                              "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "PATCH", "/v1/interventi/{id}",                              "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "POST",  "/v1/interventi/{id}/non-activation",               "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "PUT",   "/v1/interventi/{id}/progetto-esecutivo",           "",                  "401 403  403  403  403  403  403  403  403  2xx"),
    ("agreements", "POST",  "/v1/interventi/{id}/revocations",                  "",                  "401 403  403  403  403  403  403  403  403  2xx"),
    ("agreements", "GET",   "/v1/interventi/{id}/activities",                   "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "POST",  "/v1/interventi/{id}/activities",                   "",                  "401 2xx  2xx  2xx  403  403  403  403  403  403"),
    ("agreements", "PATCH", "/v1/activities/{activity_id}",                     "",                  "401 2xx  2xx  2xx  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/interventi/{id}/cost-table",                   "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "PUT",   "/v1/interventi/{id}/cost-table",                   "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/interventi/{id}/financial-summary",            "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "PUT",   "/v1/interventi/{id}/financing-plan",               "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/interventi/{id}/tranches",                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/v1/persons",                                      "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "POST",  "/v1/persons",                                      "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/tavolo-decisions",                             "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "POST",  "/v1/tavolo-decisions",                             "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "GET",   "/v1/tranche-plans/{code}",                         "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "GET",   "/v1/tranches/{tranche_id}/transitions",            "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("agreements", "POST",  "/v1/tranches/{tranche_id}/transitions",            "to eligible",       "401 2xx  2xx  403  403  403  403  403  2xx  403"),
    ("agreements", "POST",  "/v1/tranches/{tranche_id}/transitions",            "to requested",      "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("agreements", "POST",  "/v1/tranches/{tranche_id}/transitions",            "to paid",           "401 2xx  403  403  403  403  403  403  403  2xx"),
    ("agreements", "POST",  "/v1/tranches/{tranche_id}/transitions",            "to revoked",        "401 403  403  403  403  403  403  403  403  2xx"),

    ("catalogue",  "GET",   "/health/live",                                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "GET",   "/health/ready",                                    "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "GET",   "/status",                                          "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "GET",   "/v1/audit",                                        "",                  "401 2xx  2xx  403  403  403  403  2xx  403  403"),
    ("catalogue",  "GET",   "/v1/budget",                                       "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "GET",   "/v1/inconsistencies",                              "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "GET",   "/v1/services",                                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "POST",  "/v1/services",                                     "",                  "401 2xx  403  403  403  403  403  403  403  403"),
    ("catalogue",  "GET",   "/v1/services/{number}",                            "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "PUT",   "/v1/services/{number}",                            "",                  "401 2xx  403  403  403  403  403  403  403  403"),
    ("catalogue",  "GET",   "/v1/services/{number}/versions/{version}",         "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("catalogue",  "POST",  "/v1/services/{number}/withdrawal",                 "",                  "401 2xx  403  403  403  403  403  403  403  403"),

    ("adhesion",   "GET",   "/health/live",                                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "GET",   "/health/ready",                                    "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "GET",   "/status",                                          "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "POST",  "/v1/adhesions",                                    "",                  "401 2xx  403  403  403  2xx  403  403  403  403"),
    ("adhesion",   "GET",   "/v1/adhesions/{id}",                               "",                  "401 2xx  2xx  403  403  2xx  404  2xx  2xx  403"),
    ("adhesion",   "POST",  "/v1/adhesions/{id}/transitions",                   "",                  "401 2xx  403  403  403  2xx  404  403  403  403"),
    ("adhesion",   "GET",   "/v1/audit",                                        "",                  "401 2xx  2xx  403  403  403  403  2xx  403  403"),
    ("adhesion",   "GET",   "/v1/enti",                                         "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "POST",  "/v1/enti",                                         "",                  "401 2xx  403  403  403  403  403  403  403  403"),
    ("adhesion",   "GET",   "/v1/enti/{code}",                                  "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "GET",   "/v1/enti/{code}/adhesions",                        "",                  "401 2xx  2xx  403  403  2xx  403  2xx  2xx  403"),
    ("adhesion",   "GET",   "/v1/figures",                                      "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "GET",   "/v1/inconsistencies",                              "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "GET",   "/v1/interventi/{code}/adherents",                  "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "POST",  "/v1/interventi/{code}/adherents",                  "",                  "401 2xx  403  403  403  2xx  403  403  403  403"),
    ("adhesion",   "GET",   "/v1/interventi/{code}/commitments",                "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("adhesion",   "GET",   "/v1/open-data/adhesions",                          "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("adhesion",   "GET",   "/v1/open-data/adhesions.csv",                      "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("adhesion",   "GET",   "/v1/services/{number}/adhesions",                  "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),

    ("monitoring", "GET",   "/health/live",                                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/health/ready",                                    "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/status",                                          "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/audit",                                        "",                  "401 2xx  2xx  403  403  403  403  2xx  403  403"),
    ("monitoring", "GET",   "/v1/calendar",                                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/defaults",                                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/defaults/detections",                          "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "POST",  "/v1/defaults/{id}/actions",                        "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/feed",                                         "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("monitoring", "GET",   "/v1/feed/acknowledgements",                        "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("monitoring", "POST",  "/v1/feed/acknowledgement-batches",                  "",                  "401 2xx  403  403  403  403  403  403  2xx  403"),
    ("monitoring", "POST",  "/v1/feed/acknowledgements",                        "",                  "401 2xx  403  403  403  403  403  403  2xx  403"),
    ("monitoring", "GET",   "/v1/inconsistencies",                              "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/indicators",                                   "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/indicators/{code}/computation",                "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/indicators",                                   "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "PUT",   "/v1/indicators/{code}/measurements/{semester}",    "",                  "401 2xx  2xx  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/eligibility",                "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/tranches/{seq}/eligibility", "",                  "401 2xx  2xx  403  403  403  403  403  2xx  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/cost-plan",                  "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/cost-plan",                  "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "PATCH", "/v1/interventi/{code}/cost-plan/{year}",           "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/economie",                   "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/economie",                   "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "PATCH", "/v1/interventi/{code}/economie/{fund}",            "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/impegni",                    "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/impegni",                    "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/pagamenti",                  "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/pagamenti",                  "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/phases",                     "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/phases",                     "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "PATCH", "/v1/interventi/{code}/phases/{phase}",             "",                  "401 2xx  403  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/soggetti",                   "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/soggetti",                   "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "PATCH", "/v1/interventi/{code}/soggetti/{id}",              "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/puc/projects",                                 "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/puc/{semester}",                               "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/puc/projects",                                 "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "PATCH", "/v1/puc/projects/{code}",                          "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "POST",  "/v1/puc/transmissions",                            "",                  "401 2xx  2xx  403  403  403  403  403  2xx  403"),
    ("monitoring", "GET",   "/v1/puc/transmissions",                            "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("monitoring", "GET",   "/v1/puc/transmissions/{id}",                       "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("monitoring", "GET",   "/v1/puc/transmissions/{id}/file",                  "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("monitoring", "POST",  "/v1/puc/transmissions/{id}/response",              "",                  "401 2xx  2xx  403  403  403  403  403  2xx  403"),
    ("monitoring", "GET",   "/v1/puc/errors",                                   "",                  "401 2xx  2xx  403  403  403  403  2xx  2xx  403"),
    ("monitoring", "GET",   "/v1/interventi/{code}/verifications",              "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/verifications",              "piano_approved",    "401 2xx  403  403  403  403  403  403  403  2xx"),
    ("monitoring", "POST",  "/v1/interventi/{code}/verifications",              "completion",        "401 2xx  2xx  403  403  403  403  403  403  2xx"),
    ("monitoring", "POST",  "/v1/obligations",                                  "piano_submitted",   "401 2xx  2xx  2xx  2xx  403  403  403  403  403"),
    ("monitoring", "POST",  "/v1/obligations",                                  "semestral",         "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/operation-periods",                            "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/operation-periods",                            "",                  "401 2xx  2xx  403  403  403  403  403  403  2xx"),
    ("monitoring", "GET",   "/v1/reports/{semester}",                           "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/reports/{semester}/document",                  "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/reports/{semester}/issues",                    "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/reports/{semester}/issues",                    "",                  "401 2xx  2xx  403  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/reports/{semester}/issues/{version}",          "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/reports/{semester}/issues/{version}/document", "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/reports/{semester}/issues/{version}/verification", "",              "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "GET",   "/v1/schede",                                       "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/schede",                                       "",                  "401 2xx  2xx  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/schede/{id}",                                  "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "PATCH", "/v1/schede/{id}",                                  "",                  "401 2xx  2xx  2xx  403  403  403  403  403  403"),
    ("monitoring", "GET",   "/v1/schede/{id}/history",                          "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
    ("monitoring", "POST",  "/v1/schede/{id}/{step}",                           "submission",        "401 2xx  2xx  2xx  403  403  403  403  403  403"),
    ("monitoring", "POST",  "/v1/schede/{id}/{step}",                           "validation",        "401 2xx  2xx  403  403  403  403  403  403  2xx"),
    ("monitoring", "POST",  "/v1/schede/{id}/{step}",                           "return",            "401 2xx  2xx  403  403  403  403  403  403  2xx"),
    ("monitoring", "GET",   "/v1/semesters/{semester}",                         "",                  "2xx 2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx"),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Admin,
    Accordo,
    Responsabile,
    OtherResponsabile,
    Ente,
    OtherEnte,
    Auditor,
    Sync,
    Cnipa,
}

/// The callers, in the order of the matrix's columns.
const CALLERS: [Who; 10] = [
    Who::Anonymous,
    Who::Admin,
    Who::Accordo,
    Who::Responsabile,
    Who::OtherResponsabile,
    Who::Ente,
    Who::OtherEnte,
    Who::Auditor,
    Who::Sync,
    Who::Cnipa,
];

/// The intervento a `rint'` token names, and the body an `ente'` token names.
const OTHER_INTERVENTO: &str = "GEOSIGMA";
const OTHER_ENTE: &str = "051010";

impl Who {
    fn name(self) -> &'static str {
        match self {
            Who::Anonymous => "anon",
            Who::Admin => "admin",
            Who::Accordo => "racc",
            Who::Responsabile => "rint",
            Who::OtherResponsabile => "rint'",
            Who::Ente => "ente",
            Who::OtherEnte => "ente'",
            Who::Auditor => "aud",
            Who::Sync => "sync",
            Who::Cnipa => "cnip",
        }
    }

    /// The caller's token for a request about `req`'s intervento and body.
    fn token(self, req: &Req) -> Option<String> {
        let role = match self {
            Who::Anonymous => return None,
            Who::Admin => Role::Admin,
            Who::Accordo => Role::ResponsabileAccordo,
            Who::Responsabile | Who::OtherResponsabile => Role::ResponsabileIntervento,
            Who::Ente | Who::OtherEnte => Role::Ente,
            Who::Auditor => Role::Auditor,
            Who::Sync => Role::Sync,
            Who::Cnipa => Role::Cnipa,
        };
        let mut request = TokenRequest::new(vec![role]);
        request.subject = format!("matrix-{}", self.name());
        match self {
            Who::Responsabile => request.interventi = vec![req.intervento.clone()],
            Who::OtherResponsabile => request.interventi = vec![OTHER_INTERVENTO.to_owned()],
            Who::Ente => request.ente = Some(req.ente.clone()),
            Who::OtherEnte => request.ente = Some(OTHER_ENTE.to_owned()),
            _ => {}
        }
        Some(token(&request))
    }
}

/// What a cell must get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Success,
    Unauthorized,
    Forbidden,
    Hidden,
}

impl Expect {
    fn parse(cell: &str) -> Option<Self> {
        match cell {
            "2xx" => Some(Expect::Success),
            "401" => Some(Expect::Unauthorized),
            "403" => Some(Expect::Forbidden),
            "404" => Some(Expect::Hidden),
            _ => None,
        }
    }

    fn accepts(self, status: u16) -> bool {
        match self {
            Expect::Success => (200..300).contains(&status),
            Expect::Unauthorized => status == 401,
            Expect::Forbidden => status == 403,
            Expect::Hidden => status == 404,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Expect::Success => "2xx",
            Expect::Unauthorized => "401",
            Expect::Forbidden => "403",
            Expect::Hidden => "404",
        }
    }
}

/// One cell's request: a concrete path, its body and `If-Match` version, and the intervento and
/// body it is about (which the `rint` and `ente` tokens name).
struct Req {
    path: String,
    body: Option<Value>,
    /// A `text/plain` body instead (IGRUE's answer file).
    text: Option<String>,
    version: Option<Value>,
    intervento: String,
    ente: String,
}

impl Req {
    fn to(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            body: None,
            text: None,
            version: None,
            intervento: "CSTT-ALI".to_owned(),
            ente: "048017".to_owned(),
        }
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn text(mut self, text: &str) -> Self {
        self.text = Some(text.to_owned());
        self
    }

    fn version(mut self, of: &Value) -> Self {
        self.version = Some(of["version"].clone());
        self
    }

    fn intervento(mut self, code: &Value) -> Self {
        self.intervento = code.as_str().unwrap_or("").to_owned();
        self
    }

    fn ente(mut self, code: &str) -> Self {
        code.clone_into(&mut self.ente);
        self
    }
}

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
}

async fn send(app: &TestApp, method: Method, req: &Req, bearer: Option<&str>) -> (u16, String) {
    let mut request = app.http.request(method.clone(), app.url(&req.path));
    if let Some(body) = &req.body {
        let content_type = if method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        request = request
            .header("content-type", content_type)
            .body(body.to_string());
    }
    if let Some(text) = &req.text {
        request = request
            .header("content-type", "text/plain")
            .body(text.clone());
    }
    if let Some(version) = &req.version {
        request = request.header(
            "if-match",
            format!("\"{}\"", version.as_i64().unwrap_or(-1)),
        );
    }
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (status, text.chars().take(300).collect())
        }
        Err(error) => panic!("{method} {}: {error}", req.path),
    }
}

/// The suite with its datasets, the ids the requests need, and the resources handed out to cells.
struct Ctx<'a> {
    suite: &'a Suite,
    admin: String,
    counter: Cell<u32>,
    semesters: Cell<u32>,
    accordo_id: Value,
    atto_id: Value,
    cstt: Value,
    cstt_tranche: Value,
    read_scheda: Value,
    service_record: Value,
    comuni: RefCell<Vec<String>>,
    cases: RefCell<Vec<Value>>,
    issued: RefCell<Option<Value>>,
}

impl Ctx<'_> {
    fn next(&self) -> u32 {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        n
    }

    /// A semester no cell has used (schede and obligations are one per semester).
    fn semester(&self) -> String {
        let n = self.semesters.get() + 1;
        self.semesters.set(n);
        format!("{}-S{}", 2030 + n / 2, 1 + n % 2)
    }

    fn comune(&self) -> String {
        self.comuni
            .borrow_mut()
            .pop()
            .unwrap_or_else(|| panic!("the matrix ran out of comuni"))
    }

    fn app(&self, service: &str) -> &TestApp {
        match service {
            "agreements" => &self.suite.agreements,
            "catalogue" => &self.suite.catalogue,
            "adhesion" => &self.suite.adhesion,
            "monitoring" => &self.suite.monitoring,
            other => panic!("no service {other}"),
        }
    }

    /// A request made as admin to set a cell up; it must succeed.
    async fn admin(
        &self,
        service: &str,
        method: Method,
        path: &str,
        version: Option<&Value>,
        body: Option<Value>,
    ) -> Value {
        let what = format!("setup: {service} {method} {path}");
        let (status, answer) = apq_e2e::call(
            self.app(service),
            method,
            path,
            Some(&self.admin),
            version,
            body,
        )
        .await;
        assert!(status.is_success(), "{what} -> {status}: {answer}");
        answer
    }

    async fn get(&self, service: &str, path: &str) -> Value {
        self.admin(service, Method::GET, path, None, None).await
    }

    /// A new ALI intervento of 100.000,00 € in the IV Atto, with a financing plan (and so a
    /// tranche plan) when asked; as read after.
    /// An active intervento of the sezione programmatica in an atto of its own (so the IV Atto's
    /// Rapporto, which reads every intervento of the atto, does not grow with the matrix).
    async fn outside_the_iv_atto(&self, n: u32) -> Value {
        let atto = self
            .admin(
                "agreements",
                Method::POST,
                "/v1/atti-integrativi",
                None,
                Some(json!({"accordo_id": self.accordo_id, "number": 100_000 + n, "title": format!("Atto {n}"),
                    "signed_on": null, "signatories": [], "status": "draft"})),
            )
            .await;
        self.admin(
            "agreements",
            Method::POST,
            "/v1/interventi",
            None,
            Some(json!({"atto_id": atto["id"], "code": format!("MATRIX-PROG-{n}"), "title": "Intervento programmatico",
                "kind": "riuso", "sezione": "programmatica", "cup": null, "localisation": null, "objective": null,
                "soggetti_coinvolti": null, "design_level": null, "administrative_steps": null,
                "total_cost": {"amount": "100000.00", "currency": "EUR"}})),
        )
        .await
    }

    async fn intervento(&self, with_plan: bool) -> Value {
        let code = format!("MATRIX-{}", self.next());
        let created = self
            .admin(
                "agreements",
                Method::POST,
                "/v1/interventi",
                None,
                Some(json!({"atto_id": self.atto_id, "code": code, "title": format!("Intervento {code}"),
                    "kind": "ali", "sezione": "attuativa", "cup": null, "localisation": null, "objective": null,
                    "soggetti_coinvolti": null, "design_level": null, "administrative_steps": null,
                    "total_cost": {"amount": "100000.00", "currency": "EUR"}})),
            )
            .await;
        let path = format!("/v1/interventi/{}", created["id"].as_str().unwrap_or(""));
        if with_plan {
            self.admin(
                "agreements",
                Method::PUT,
                &format!("{path}/financing-plan"),
                Some(&created["version"]),
                Some(json!({"sources": [
                    {"contributor": "stato", "heading": "II Fase e-Gov", "legal_basis": "L. 289/2002", "amount": {"amount": "50000.00", "currency": "EUR"}, "cnipa": true},
                    {"contributor": "regione_toscana", "heading": "Cofinanziamento", "legal_basis": "Bilancio", "amount": {"amount": "50000.00", "currency": "EUR"}, "cnipa": false}
                ], "reason": "matrix"})),
            )
            .await;
        }
        self.get("agreements", &path).await
    }

    /// The first tranche of a new intervento, moved to `eligible` first if asked.
    async fn tranche(&self, eligible: bool) -> Value {
        let intervento = self.intervento(true).await;
        let list = self
            .get(
                "agreements",
                &format!(
                    "/v1/interventi/{}/tranches",
                    intervento["id"].as_str().unwrap_or("")
                ),
            )
            .await;
        let first = list["items"][0].clone();
        if !eligible {
            return first;
        }
        self.admin(
            "agreements",
            Method::POST,
            &format!(
                "/v1/tranches/{}/transitions",
                first["id"].as_str().unwrap_or("")
            ),
            Some(&first["version"]),
            Some(
                json!({"to": "eligible", "reason": "matrix", "act_ref": null, "evaluation": null}),
            ),
        )
        .await
    }

    /// A new draft scheda of CSTT-ALI for an unused semester, submitted if asked.
    /// An issued version of the 2009-S2 Rapporto, issued once for every cell that reads one.
    async fn issued(&self) -> Value {
        if let Some(issued) = self.issued.borrow().clone() {
            return issued;
        }
        let issued = self
            .admin(
                "monitoring",
                Method::POST,
                "/v1/reports/2009-S2/issues",
                None,
                Some(json!({"reason": "matrix"})),
            )
            .await;
        *self.issued.borrow_mut() = Some(issued.clone());
        issued
    }

    async fn scheda(&self, submitted: bool) -> Value {
        let created = self
            .admin(
                "monitoring",
                Method::POST,
                "/v1/schede",
                None,
                Some(scheda_body(&self.semester())),
            )
            .await;
        if !submitted {
            return created;
        }
        self.admin(
            "monitoring",
            Method::POST,
            &format!(
                "/v1/schede/{}/submission",
                created["id"].as_str().unwrap_or("")
            ),
            Some(&created["version"]),
            Some(json!({"note": "relazione"})),
        )
        .await
    }

    /// A new service in the catalogue, as created.
    async fn service(&self) -> Value {
        let mut record = self.service_record.clone();
        record["number"] = json!(100 + self.next());
        self.admin(
            "catalogue",
            Method::POST,
            "/v1/services",
            None,
            Some(json!({"record": record, "reason": "matrix"})),
        )
        .await
    }

    /// A new adhesion of an unused comune to service 1.
    async fn adhesion(&self) -> (Value, String) {
        let comune = self.comune();
        let adhesion = self
            .admin(
                "adhesion",
                Method::POST,
                "/v1/adhesions",
                None,
                Some(adhere(&comune)),
            )
            .await;
        (adhesion, comune)
    }
}

fn scheda_body(semester: &str) -> Value {
    json!({"intervento_code": "CSTT-ALI", "semester": semester, "sal": "35.00", "planned_sal": "60.00",
           "commitments": {"amount": "500000.00", "currency": "EUR"}, "payments": {"amount": "250000.00", "currency": "EUR"},
           "activities": [{"code": "A3-1", "state": "in_progress", "actual_start": "2009-07-01", "actual_end": null}],
           "obstacles": null, "corrective_actions": null})
}

fn adhere(comune: &str) -> Value {
    json!({"ente_code": comune, "service_number": 1, "requested_on": "2009-03-01", "act_ref": format!("Delibera GC {comune}")})
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap_or("")
}

/// The request of one cell, with whatever it needs created first (as admin).
async fn prepare(ctx: &Ctx<'_>, service: &str, verb: &str, path: &str, variant: &str) -> Req {
    let n = ctx.next();
    match (service, verb, path, variant) {
        (_, "GET", "/health/live" | "/health/ready" | "/status" | "/v1/audit", _) => Req::to(path),

        // agreements
        (
            "agreements",
            "GET",
            "/v1/accordi" | "/v1/atti-integrativi" | "/v1/conciliations" | "/v1/inconsistencies"
            | "/v1/interventi" | "/v1/persons" | "/v1/tavolo-decisions",
            _,
        ) => Req::to(path),
        ("agreements", "GET", "/v1/atti-integrativi/{id}", _) => Req::to(format!(
            "/v1/atti-integrativi/{}",
            ctx.atto_id.as_str().unwrap_or("")
        )),
        ("agreements", "GET", "/v1/atti-integrativi/{id}/tavole", _) => Req::to(format!(
            "/v1/atti-integrativi/{}/tavole",
            ctx.atto_id.as_str().unwrap_or("")
        )),
        ("agreements", "POST", "/v1/atti-integrativi", _) => Req::to(path).body(json!({
            "accordo_id": ctx.accordo_id, "number": 100 + n, "title": format!("Atto {n}"),
            "signed_on": null, "signatories": [], "status": "draft"})),
        ("agreements", "PATCH", "/v1/atti-integrativi/{id}", _) => {
            let atto = ctx
                .admin(
                    "agreements",
                    Method::POST,
                    "/v1/atti-integrativi",
                    None,
                    Some(json!({"accordo_id": ctx.accordo_id, "number": 100 + n, "title": format!("Atto {n}"),
                        "signed_on": null, "signatories": [], "status": "draft"})),
                )
                .await;
            Req::to(format!("/v1/atti-integrativi/{}", id(&atto)))
                .body(json!({"title": format!("Atto {n}, riveduto"), "reason": "matrix"}))
                .version(&atto)
        }
        ("agreements", "POST", "/v1/conciliations", _) => Req::to(path).body(conciliation(ctx, n)),
        ("agreements", "POST", "/v1/conciliations/{id}/agreement", _) => {
            let case = ctx
                .admin(
                    "agreements",
                    Method::POST,
                    "/v1/conciliations",
                    None,
                    Some(conciliation(ctx, n)),
                )
                .await;
            Req::to(format!("/v1/conciliations/{}/agreement", id(&case)))
                .body(json!({"agreed_on": "2010-04-20", "verbale_ref": format!("Verbale {n}")}))
                .version(&case)
        }
        ("agreements", "POST", "/v1/interventi", _) => Req::to(path).body(json!({
            "atto_id": ctx.atto_id, "code": format!("MATRIX-NEW-{n}"), "title": "Nuovo intervento",
            "kind": "riuso", "sezione": "programmatica", "cup": null, "localisation": null, "objective": null,
            "soggetti_coinvolti": null, "design_level": null, "administrative_steps": null,
            "total_cost": {"amount": "100000.00", "currency": "EUR"}})),
        (
            "agreements",
            "GET",
            "/v1/interventi/{id}"
            | "/v1/interventi/{id}/activities"
            | "/v1/interventi/{id}/cost-table"
            | "/v1/interventi/{id}/financial-summary"
            | "/v1/interventi/{id}/tranches",
            _,
        ) => Req::to(path.replace("{id}", id(&ctx.cstt))),
        ("agreements", "PUT", "/v1/interventi/{id}/progetto-esecutivo", _) => {
            let intervento = ctx.outside_the_iv_atto(n).await;
            Req::to(format!("/v1/interventi/{}/progetto-esecutivo", id(&intervento)))
                .body(json!({"approved_on": "2009-10-01", "act_ref": format!("nota CNIPA {n}"), "approved_by": "CNIPA"}))
                .version(&intervento)
                .intervento(&intervento["code"])
        }
        ("agreements", "POST", "/v1/interventi/{id}/non-activation", _) => {
            let intervento = ctx.outside_the_iv_atto(n).await;
            Req::to(format!("/v1/interventi/{}/non-activation", id(&intervento)))
                .body(json!({"decided_on": "2010-03-15", "act_ref": format!("DGR n. {n}"),
                    "motivation": "difficoltà tecniche ostative all'attivazione"}))
                .version(&intervento)
                .intervento(&intervento["code"])
        }
        ("agreements", "PATCH", "/v1/interventi/{id}", _) => {
            let intervento = ctx.intervento(false).await;
            Req::to(format!("/v1/interventi/{}", id(&intervento)))
                .body(json!({"objective": format!("obiettivo {n}"), "reason": "matrix"}))
                .version(&intervento)
                .intervento(&intervento["code"])
        }
        ("agreements", "POST", "/v1/interventi/{id}/activities", _) => {
            let intervento = ctx.intervento(false).await;
            Req::to(format!("/v1/interventi/{}/activities", id(&intervento)))
                .body(activity(n))
                .intervento(&intervento["code"])
        }
        ("agreements", "PATCH", "/v1/activities/{activity_id}", _) => {
            let intervento = ctx.intervento(false).await;
            let created = ctx
                .admin(
                    "agreements",
                    Method::POST,
                    &format!("/v1/interventi/{}/activities", id(&intervento)),
                    None,
                    Some(activity(n)),
                )
                .await;
            Req::to(format!("/v1/activities/{}", id(&created)))
                .body(json!({"end_on": "2010-09-30"}))
                .version(&created)
                .intervento(&intervento["code"])
        }
        ("agreements", "PUT", "/v1/interventi/{id}/cost-table", _) => {
            let intervento = ctx.intervento(false).await;
            Req::to(format!("/v1/interventi/{}/cost-table", id(&intervento)))
                .body(json!({"cells": [{"category": "hardware", "funding": "bilancio_regione", "period": "2008-2009",
                    "amount": {"amount": "100000.00", "currency": "EUR"}}], "reason": "matrix"}))
                .version(&intervento)
                .intervento(&intervento["code"])
        }
        ("agreements", "PUT", "/v1/interventi/{id}/financing-plan", _) => {
            let intervento = ctx.intervento(false).await;
            Req::to(format!("/v1/interventi/{}/financing-plan", id(&intervento)))
                .body(json!({"sources": [
                    {"contributor": "stato", "heading": "II Fase e-Gov", "legal_basis": "L. 289/2002", "amount": {"amount": "40000.00", "currency": "EUR"}, "cnipa": true},
                    {"contributor": "regione_toscana", "heading": "Cofinanziamento", "legal_basis": "Bilancio", "amount": {"amount": "60000.00", "currency": "EUR"}, "cnipa": false}
                ], "reason": "matrix"}))
                .version(&intervento)
                .intervento(&intervento["code"])
        }
        ("agreements", "POST", "/v1/persons", _) => Req::to(path).body(json!({
            "name": format!("Persona {n}"), "organisation": null, "email": null, "responsibilities": []})),
        ("agreements", "POST", "/v1/tavolo-decisions", _) => {
            let intervento = ctx.intervento(false).await;
            Req::to(path)
                .body(json!({"atto_id": ctx.atto_id, "decided_on": "2010-06-01", "verbale_ref": null,
                    "summary": format!("Annullamento {n}"), "effect": {"kind": "cancel", "intervento_id": intervento["id"]}}))
                .intervento(&intervento["code"])
        }
        ("agreements", "GET", "/v1/tranche-plans/{code}", _) => Req::to("/v1/tranche-plans/CSTT-ALI"),
        ("agreements", "GET", "/v1/tranches/{tranche_id}/transitions", _) => Req::to(format!(
            "/v1/tranches/{}/transitions",
            id(&ctx.cstt_tranche)
        )),
        ("agreements", "POST", "/v1/tranches/{tranche_id}/transitions", "to paid") => {
            let eligible = ctx.tranche(true).await;
            let tranche = ctx
                .admin(
                    "agreements",
                    Method::POST,
                    &format!("/v1/tranches/{}/transitions", id(&eligible)),
                    Some(&eligible["version"]),
                    Some(json!({"to": "requested", "reason": "matrix", "act_ref": null, "evaluation": null})),
                )
                .await;
            Req::to(format!("/v1/tranches/{}/transitions", id(&tranche)))
                .body(json!({"to": "paid", "reason": format!("matrix {n}"), "act_ref": "mandato", "evaluation": null}))
                .version(&tranche)
        }
        ("agreements", "POST", "/v1/tranches/{tranche_id}/transitions", variant) => {
            let to = variant.trim_start_matches("to ");
            let tranche = ctx.tranche(to == "requested").await;
            Req::to(format!("/v1/tranches/{}/transitions", id(&tranche)))
                .body(json!({"to": to, "reason": format!("matrix {n}"), "act_ref": null, "evaluation": null}))
                .version(&tranche)
        }

        ("agreements", "POST", "/v1/interventi/{id}/revocations", _) => {
            let intervento = ctx.intervento(true).await;
            Req::to(format!("/v1/interventi/{}/revocations", id(&intervento)))
                .body(json!({"extent": "total", "decided_on": "2010-01-01", "act_ref": "decreto CNIPA",
                    "reason": format!("matrix {n}")}))
                .intervento(&intervento["code"])
        }

        // catalogue
        (
            "catalogue",
            "GET",
            "/v1/budget" | "/v1/inconsistencies" | "/v1/services",
            _,
        ) => Req::to(path),
        ("catalogue", "GET", "/v1/services/{number}", _) => Req::to("/v1/services/1"),
        ("catalogue", "GET", "/v1/services/{number}/versions/{version}", _) => {
            Req::to("/v1/services/1/versions/1")
        }
        ("catalogue", "POST", "/v1/services", _) => {
            let mut record = ctx.service_record.clone();
            record["number"] = json!(100 + n);
            Req::to(path).body(json!({"record": record, "reason": "matrix"}))
        }
        ("catalogue", "PUT", "/v1/services/{number}", _) => {
            let entry = ctx.service().await;
            let mut record = entry["record"].clone();
            record["description"] = json!(format!("Descrizione {n}"));
            Req::to(format!("/v1/services/{}", entry["number"]))
                .body(json!({"record": record, "reason": "matrix"}))
                .version(&entry)
        }
        ("catalogue", "POST", "/v1/services/{number}/withdrawal", _) => {
            let entry = ctx.service().await;
            Req::to(format!("/v1/services/{}/withdrawal", entry["number"]))
                .body(json!({"reason": "matrix"}))
                .version(&entry)
        }

        // adhesion
        ("adhesion", "POST", "/v1/adhesions", _) => {
            let comune = ctx.comune();
            Req::to(path).body(adhere(&comune)).ente(&comune)
        }
        ("adhesion", "GET", "/v1/interventi/{code}/adherents", _) => {
            Req::to("/v1/interventi/CSTT-ALI/adherents")
        }
        ("adhesion", "GET", "/v1/interventi/{code}/commitments", _) => {
            Req::to("/v1/interventi/CSTT-ALI/commitments?services=1,2")
        }
        ("adhesion", "POST", "/v1/interventi/{code}/adherents", _) => {
            let comune = ctx.comune();
            Req::to("/v1/interventi/CSTT-ALI/adherents")
                .body(json!({"ente_code": comune, "adhered_on": "2007-06-01", "act_ref": format!("Delibera {comune}")}))
                .ente(&comune)
        }
        ("adhesion", "GET", "/v1/adhesions/{id}", _) => {
            let (adhesion, comune) = ctx.adhesion().await;
            Req::to(format!("/v1/adhesions/{}", id(&adhesion))).ente(&comune)
        }
        ("adhesion", "POST", "/v1/adhesions/{id}/transitions", _) => {
            let (adhesion, comune) = ctx.adhesion().await;
            Req::to(format!("/v1/adhesions/{}/transitions", id(&adhesion)))
                .body(json!({"to": "commitment_signed", "on": "2009-04-01", "act_ref": "contratto"}))
                .version(&adhesion)
                .ente(&comune)
        }
        (
            "adhesion",
            "GET",
            "/v1/enti"
            | "/v1/figures"
            | "/v1/inconsistencies"
            | "/v1/open-data/adhesions"
            | "/v1/open-data/adhesions.csv",
            _,
        ) => Req::to(path),
        ("adhesion", "POST", "/v1/enti", _) => Req::to(path).body(json!({
            "code": format!("MATRIX-UNIONE-{n}"), "kind": "unione", "name": format!("Unione {n}"),
            "members": ["048017"]})),
        ("adhesion", "GET", "/v1/enti/{code}", _) => Req::to("/v1/enti/048017"),
        ("adhesion", "GET", "/v1/enti/{code}/adhesions", _) => {
            let (_, comune) = ctx.adhesion().await;
            Req::to(format!("/v1/enti/{comune}/adhesions")).ente(&comune)
        }
        ("adhesion", "GET", "/v1/services/{number}/adhesions", _) => {
            Req::to("/v1/services/1/adhesions")
        }

        // monitoring
        ("monitoring", "GET", "/v1/calendar", _) => {
            Req::to("/v1/calendar?signed_on=2009-06-15&as_of=2010-03-01")
        }
        (
            "monitoring",
            "GET",
            "/v1/defaults" | "/v1/feed" | "/v1/feed/acknowledgements" | "/v1/inconsistencies"
            | "/v1/indicators" | "/v1/operation-periods" | "/v1/schede",
            _,
        ) => Req::to(path),
        ("monitoring", "POST", "/v1/defaults/detections", _) => {
            Req::to(path).body(json!({"signed_on": "2009-06-15", "as_of": "2010-03-01"}))
        }
        ("monitoring", "POST", "/v1/defaults/{id}/actions", _) => {
            let case = ctx
                .cases
                .borrow_mut()
                .pop()
                .unwrap_or_else(|| panic!("the matrix ran out of open default cases"));
            Req::to(format!("/v1/defaults/{}/actions", id(&case)))
                .body(json!({"action": "give_deadline", "deadline": "2015-06-30"}))
                .version(&case)
        }
        ("monitoring", "POST", "/v1/feed/acknowledgements" | "/v1/feed/acknowledgement-batches", _) => {
            let submitted = ctx.scheda(true).await;
            // The feed position is given at commit: read it back after the submission.
            let scheda = ctx
                .admin(
                    "monitoring",
                    Method::GET,
                    &format!("/v1/schede/{}", submitted["id"].as_str().unwrap_or("")),
                    None,
                    None,
                )
                .await;
            let ack = json!({"scheda_id": scheda["id"], "change_seq": scheda["change_seq"],
                "transmitted_at": "2010-02-01T10:00:00Z", "outcome": "transmitted", "message": null});
            Req::to(path).body(if path.ends_with("batches") {
                json!({"items": [ack]})
            } else {
                ack
            })
        }
        ("monitoring", "PUT", "/v1/indicators/{code}/measurements/{semester}", _) => Req::to(
            format!("/v1/indicators/IND-01/measurements/{}", ctx.semester()),
        )
        .body(json!({"value": "10"})),
        ("monitoring", "GET", "/v1/indicators/{code}/computation", _) => {
            Req::to("/v1/indicators/IND-13/computation")
        }
        ("monitoring", "GET", "/v1/interventi/{code}/eligibility", _) => {
            Req::to("/v1/interventi/CSTT-ALI/eligibility")
        }
        ("monitoring", "POST", "/v1/interventi/{code}/tranches/{seq}/eligibility", _) => {
            // Tranche 1 of an ALI intervento needs only its own approved Piano.
            let intervento = ctx.intervento(true).await;
            let code = intervento["code"].as_str().unwrap_or("");
            ctx.admin(
                "monitoring",
                Method::POST,
                &format!("/v1/interventi/{code}/verifications"),
                None,
                Some(json!({"kind": "piano_approved", "verified_on": "2009-09-01", "act_ref": "CNIPA", "verified_by": "CNIPA"})),
            )
            .await;
            Req::to(format!("/v1/interventi/{code}/tranches/1/eligibility"))
                .intervento(&intervento["code"])
        }
        ("monitoring", "POST", "/v1/obligations", "piano_submitted") => {
            // The Piano is submitted once: forget an earlier cell's submission.
            use diesel::RunQueryDsl;
            let mut conn = ctx
                .suite
                .monitoring
                .db
                .connect()
                .unwrap_or_else(|e| panic!("{e:#}"));
            diesel::sql_query("DELETE FROM obligations_done WHERE kind = 'piano_submitted'")
                .execute(&mut conn)
                .unwrap_or_else(|e| panic!("{e}"));
            Req::to(path).body(json!({"obligation": "piano_submitted", "semester": null,
                "done_on": "2009-07-10", "act_ref": format!("Piano {n}")}))
        }
        ("monitoring", "POST", "/v1/obligations", _) => Req::to(path).body(json!({
            "obligation": "data_entry", "semester": ctx.semester(), "done_on": "2010-01-29", "act_ref": null})),
        ("monitoring", "POST", "/v1/operation-periods", _) => Req::to(path).body(json!({
            "intervento_code": "CSTT-ALI", "service_number": null, "verified_from": "2010-01-01",
            "verified_to": "2010-06-30", "act_ref": format!("Verbale {n}")})),
        ("monitoring", "GET", "/v1/reports/{semester}", _) => Req::to("/v1/reports/2009-S2"),
        ("monitoring", "GET", "/v1/reports/{semester}/document", _) => {
            Req::to("/v1/reports/2009-S2/document")
        }
        ("monitoring", "GET", "/v1/reports/{semester}/issues", _) => {
            Req::to("/v1/reports/2009-S2/issues")
        }
        ("monitoring", "POST", "/v1/reports/{semester}/issues", _) => {
            Req::to("/v1/reports/2009-S2/issues").body(json!({"reason": format!("Correzione {n}")}))
        }
        ("monitoring", "GET", "/v1/reports/{semester}/issues/{version}", _) => {
            let issued = ctx.issued().await;
            Req::to(format!("/v1/reports/2009-S2/issues/{}", issued["version"]))
        }
        ("monitoring", "GET", "/v1/reports/{semester}/issues/{version}/document", _) => {
            let issued = ctx.issued().await;
            Req::to(format!("/v1/reports/2009-S2/issues/{}/document", issued["version"]))
        }
        ("monitoring", "GET", "/v1/reports/{semester}/issues/{version}/verification", _) => {
            let issued = ctx.issued().await;
            Req::to(format!("/v1/reports/2009-S2/issues/{}/verification", issued["version"]))
        }
        ("monitoring", "POST", "/v1/schede", _) => {
            Req::to(path).body(scheda_body(&ctx.semester()))
        }
        ("monitoring", "GET", "/v1/schede/{id}", _) => {
            Req::to(format!("/v1/schede/{}", id(&ctx.read_scheda)))
        }
        ("monitoring", "GET", "/v1/schede/{id}/history", _) => {
            Req::to(format!("/v1/schede/{}/history", id(&ctx.read_scheda)))
        }
        ("monitoring", "PATCH", "/v1/schede/{id}", _) => {
            let scheda = ctx.scheda(false).await;
            Req::to(format!("/v1/schede/{}", id(&scheda)))
                .body(json!({"sal": "40.00"}))
                .version(&scheda)
        }
        ("monitoring", "POST", "/v1/schede/{id}/{step}", step) => {
            let scheda = ctx.scheda(step != "submission").await;
            let body = match step {
                "submission" => json!({"note": "relazione"}),
                "return" => json!({"note": "correggere il SAL"}),
                _ => json!({}),
            };
            Req::to(format!("/v1/schede/{}/{step}", id(&scheda)))
                .body(body)
                .version(&scheda)
        }
        ("monitoring", "GET", "/v1/semesters/{semester}", _) => Req::to("/v1/semesters/2009-S2"),
        ("monitoring", "GET", "/v1/interventi/{code}/impegni" | "/v1/interventi/{code}/pagamenti", _) => {
            Req::to(path.replace("{code}", "CSTT-ALI"))
        }
        // E-TOSCANA-RIUSO keeps the events and phases: CSTT-ALI's schede keep their declared
        // totals, and no intervento is added (the Rapporto renders every one).
        ("monitoring", "POST", "/v1/interventi/{code}/impegni" | "/v1/interventi/{code}/pagamenti", _) => {
            let tipologia = if path.ends_with("impegni") { "I" } else { "P" };
            Req::to(path.replace("{code}", "E-TOSCANA-RIUSO"))
                .body(json!({"code": format!("M-{n}"), "tipologia": tipologia, "date": "2009-09-01",
                    "amount": {"amount": "1000.00", "currency": "EUR"}}))
                .intervento(&json!("E-TOSCANA-RIUSO"))
        }
        ("monitoring", "GET", "/v1/interventi/{code}/phases", _) => {
            Req::to("/v1/interventi/CSTT-ALI/phases")
        }
        ("monitoring", "POST", "/v1/interventi/{code}/phases", _) => {
            forget_phases(ctx);
            Req::to("/v1/interventi/E-TOSCANA-RIUSO/phases")
                .body(json!({"code": "0201", "planned_start": "2009-01-01", "planned_end": "2009-06-30"}))
                .intervento(&json!("E-TOSCANA-RIUSO"))
        }
        ("monitoring", "PATCH", "/v1/interventi/{code}/phases/{phase}", _) => {
            forget_phases(ctx);
            let phase = ctx
                .admin(
                    "monitoring",
                    Method::POST,
                    "/v1/interventi/E-TOSCANA-RIUSO/phases",
                    None,
                    Some(json!({"code": "0201", "planned_start": "2009-01-01", "planned_end": "2009-06-30"})),
                )
                .await;
            Req::to("/v1/interventi/E-TOSCANA-RIUSO/phases/0201")
                .body(json!({"actual_start": "2009-01-10"}))
                .version(&phase)
                .intervento(&json!("E-TOSCANA-RIUSO"))
        }
        // E-TOSCANA-RIUSO's cost plan and economies are recorded afresh for each caller.
        ("monitoring", "GET", "/v1/interventi/{code}/cost-plan" | "/v1/interventi/{code}/economie", _) => {
            Req::to(path.replace("{code}", "CSTT-ALI"))
        }
        ("monitoring", "POST", "/v1/interventi/{code}/cost-plan", _) => {
            monitoring_sql(ctx, "DELETE FROM cost_plan_years WHERE intervento_code = 'E-TOSCANA-RIUSO'");
            Req::to("/v1/interventi/E-TOSCANA-RIUSO/cost-plan")
                .body(json!({"year": 2009, "realised": {"amount": "1000.00", "currency": "EUR"},
                    "to_realise": {"amount": "0.00", "currency": "EUR"}}))
                .intervento(&json!("E-TOSCANA-RIUSO"))
        }
        ("monitoring", "PATCH", "/v1/interventi/{code}/cost-plan/{year}", _) => {
            monitoring_sql(ctx, "DELETE FROM cost_plan_years WHERE intervento_code = 'E-TOSCANA-RIUSO'");
            let year = ctx
                .admin(
                    "monitoring",
                    Method::POST,
                    "/v1/interventi/E-TOSCANA-RIUSO/cost-plan",
                    None,
                    Some(json!({"year": 2009, "realised": {"amount": "1000.00", "currency": "EUR"},
                        "to_realise": {"amount": "0.00", "currency": "EUR"}})),
                )
                .await;
            Req::to("/v1/interventi/E-TOSCANA-RIUSO/cost-plan/2009")
                .body(json!({"to_realise": {"amount": "500.00", "currency": "EUR"}, "reason": "Riprogrammazione"}))
                .version(&year)
                .intervento(&json!("E-TOSCANA-RIUSO"))
        }
        ("monitoring", "POST", "/v1/interventi/{code}/economie", _) => {
            monitoring_sql(ctx, "DELETE FROM economies WHERE intervento_code = 'E-TOSCANA-RIUSO'");
            Req::to("/v1/interventi/E-TOSCANA-RIUSO/economie")
                .body(json!({"fund": "stato", "amount": {"amount": "100.00", "currency": "EUR"},
                    "ascertained_on": "2009-12-31"}))
                .intervento(&json!("E-TOSCANA-RIUSO"))
        }
        ("monitoring", "PATCH", "/v1/interventi/{code}/economie/{fund}", _) => {
            monitoring_sql(ctx, "DELETE FROM economies WHERE intervento_code = 'E-TOSCANA-RIUSO'");
            let economy = ctx
                .admin(
                    "monitoring",
                    Method::POST,
                    "/v1/interventi/E-TOSCANA-RIUSO/economie",
                    None,
                    Some(json!({"fund": "stato", "amount": {"amount": "100.00", "currency": "EUR"},
                        "ascertained_on": "2009-12-31"})),
                )
                .await;
            Req::to("/v1/interventi/E-TOSCANA-RIUSO/economie/stato")
                .body(json!({"amount": {"amount": "150.00", "currency": "EUR"}, "reason": "Accertamento"}))
                .version(&economy)
                .intervento(&json!("E-TOSCANA-RIUSO"))
        }
        ("monitoring", "GET", "/v1/interventi/{code}/soggetti", _) => {
            Req::to("/v1/interventi/CSTT-ALI/soggetti")
        }
        ("monitoring", "POST", "/v1/interventi/{code}/soggetti", _) => {
            Req::to("/v1/interventi/CSTT-ALI/soggetti")
                .body(json!({"role": 3, "name": format!("Soggetto {n}"), "public": null}))
        }
        ("monitoring", "PATCH", "/v1/interventi/{code}/soggetti/{id}", _) => {
            let soggetti = ctx.get("monitoring", "/v1/interventi/CSTT-ALI/soggetti").await;
            let first = soggetti["items"][0].clone();
            Req::to(format!(
                "/v1/interventi/CSTT-ALI/soggetti/{}",
                first["id"].as_str().unwrap_or("")
            ))
            .body(json!({"ipa": format!("ipa{n}")}))
            .version(&first)
        }
        ("monitoring", "POST", "/v1/indicators", _) => Req::to(path).body(json!({
            "code": format!("IND-M{n}"), "name": format!("Indicatore {n}"), "unit": "numero",
            "intervento_code": "CSTT-ALI", "target": "10"})),
        ("monitoring", "GET", "/v1/puc/projects", _) => Req::to(path),
        ("monitoring", "GET", "/v1/puc/{semester}", _) => Req::to("/v1/puc/2010-S1"),
        ("monitoring", "POST", "/v1/puc/projects", _) => {
            // Registered afresh each time (its local code is a new one: never reused).
            monitoring_sql(ctx, "DELETE FROM puc_projects WHERE intervento_code = 'E-TOSCANA-RIUSO'");
            Req::to(path).body(json!({"intervento_code": "E-TOSCANA-RIUSO", "cod_regione": "09"}))
        }
        ("monitoring", "POST", "/v1/puc/transmissions", _) => {
            clean_puc(ctx);
            Req::to(path).body(json!({"semester": "2010-S1"}))
        }
        ("monitoring", "GET", "/v1/puc/transmissions" | "/v1/puc/errors", _) => Req::to(path),
        ("monitoring", "GET", "/v1/puc/transmissions/{id}" | "/v1/puc/transmissions/{id}/file", _) => {
            let made = transmission(ctx).await;
            Req::to(path.replace("{id}", made["id"].as_str().unwrap_or("")))
        }
        ("monitoring", "POST", "/v1/puc/transmissions/{id}/response", _) => {
            let made = transmission(ctx).await;
            Req::to(path.replace("{id}", made["id"].as_str().unwrap_or("")))
                .text("HH#0#SISIGRUE#\r\nFF#1#0#\r\n")
                .version(&made)
        }
        ("monitoring", "PATCH", "/v1/puc/projects/{code}", _) => {
            let projects = ctx.get("monitoring", "/v1/puc/projects").await;
            let cstt = projects["items"]
                .as_array()
                .and_then(|items| items.iter().find(|p| p["intervento_code"] == "CSTT-ALI"))
                .cloned()
                .unwrap_or_default();
            Req::to("/v1/puc/projects/CSTT-ALI")
                .body(json!({"cod_regione": "09"}))
                .version(&cstt)
        }
        ("monitoring", "GET", "/v1/interventi/{code}/verifications", _) => {
            Req::to("/v1/interventi/CSTT-ALI/verifications")
        }
        ("monitoring", "POST", "/v1/interventi/{code}/verifications", kind) => {
            Req::to("/v1/interventi/CSTT-ALI/verifications").body(json!({"kind": kind,
                "verified_on": "2009-09-01", "act_ref": format!("nota {n}"), "verified_by": "CNIPA"}))
        }

        _ => panic!("the matrix has no request for {service} {verb} {path} {variant}"),
    }
}

/// Runs `sql` on the monitoring database (a matrix cell's setup).
fn monitoring_sql(ctx: &Ctx<'_>, sql: &str) {
    use diesel::RunQueryDsl;
    let mut conn = ctx
        .suite
        .monitoring
        .db
        .connect()
        .unwrap_or_else(|e| panic!("{e:#}"));
    diesel::sql_query(sql)
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Cancels every PUC project: an empty file is clean whatever the cells before made of the
/// register (the clean file of the completed IV Atto is transmitted in tests/transmission.rs).
fn clean_puc(ctx: &Ctx<'_>) {
    monitoring_sql(
        ctx,
        "UPDATE puc_projects SET cancelled_on = '2000-01-01' WHERE cancelled_on IS NULL",
    );
}

/// A transmission made just before (of the clean, empty file).
async fn transmission(ctx: &Ctx<'_>) -> Value {
    clean_puc(ctx);
    ctx.admin(
        "monitoring",
        Method::POST,
        "/v1/puc/transmissions",
        None,
        Some(json!({"semester": "2010-S1"})),
    )
    .await
}

/// Forgets E-TOSCANA-RIUSO's phases, so a cell can open one again.
fn forget_phases(ctx: &Ctx<'_>) {
    monitoring_sql(
        ctx,
        "DELETE FROM phase_plan_changes WHERE phase_id IN (SELECT id FROM phases WHERE intervento_code = 'E-TOSCANA-RIUSO')",
    );
    monitoring_sql(
        ctx,
        "DELETE FROM phases WHERE intervento_code = 'E-TOSCANA-RIUSO'",
    );
}

fn conciliation(ctx: &Ctx<'_>, n: u32) -> Value {
    json!({"atto_id": ctx.atto_id, "intervento_id": null, "subject": format!("Conciliazione {n}"),
        "parties": ["Regione Toscana", "CNIPA"], "invited_on": "2010-04-01"})
}

fn activity(n: u32) -> Value {
    json!({"code": format!("M{n}"), "phase": "Matrice", "title": format!("Attività {n}"), "description": null,
        "start_on": "2010-01-01", "end_on": "2010-06-30", "responsible": null, "profiles": null, "products": null,
        "validation_criteria": null, "service_number": null,
        "costs": [{"category": "formazione", "amount": {"amount": "1000.00", "currency": "EUR"}}]})
}

/// Every (service, method, path) of the four committed contracts, with its documented statuses.
fn contract_operations() -> Vec<((String, String, String), Vec<u16>)> {
    let mut all = Vec::new();
    for service in ["agreements", "catalogue", "adhesion", "monitoring"] {
        let spec = committed(service);
        let paths = spec["paths"].as_object().cloned().unwrap_or_default();
        assert!(!paths.is_empty(), "the {service} contract has no paths");
        for (path, item) in paths {
            for (verb, operation) in item.as_object().cloned().unwrap_or_default() {
                if !["get", "post", "put", "patch", "delete"].contains(&verb.as_str()) {
                    continue;
                }
                let documented = operation["responses"]
                    .as_object()
                    .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
                    .unwrap_or_default();
                all.push((
                    (service.to_owned(), verb.to_uppercase(), path.clone()),
                    documented,
                ));
            }
        }
    }
    all
}

#[test]
fn the_authorization_matrix_has_a_row_for_every_operation_of_the_contracts_and_no_other() {
    let contract: BTreeSet<(String, String, String)> = contract_operations()
        .into_iter()
        .map(|(op, _)| op)
        .collect();
    let table: BTreeSet<(String, String, String)> = MATRIX
        .iter()
        .map(|(s, m, p, _, _)| ((*s).to_owned(), (*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<String> = contract
        .difference(&table)
        .map(|(s, m, p)| format!("  {s} {m} {p}"))
        .collect();
    let extra: Vec<String> = table
        .difference(&contract)
        .map(|(s, m, p)| format!("  {s} {m} {p}"))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the authorization matrix (tests/tests/security.rs, MATRIX) and the contracts disagree.\n\
         Operations without a row (add one, saying what each caller must get):\n{}\n\
         Rows for no operation of the contracts:\n{}",
        missing.join("\n"),
        extra.join("\n")
    );
    let mut seen = BTreeSet::new();
    for (s, m, p, variant, cells) in MATRIX {
        assert!(
            seen.insert((*s, *m, *p, *variant)),
            "{s} {m} {p} {variant}: two rows"
        );
        let parsed: Vec<Option<Expect>> = cells.split_whitespace().map(Expect::parse).collect();
        assert!(
            parsed.len() == CALLERS.len() && parsed.iter().all(Option::is_some),
            "{s} {m} {p} {variant}: {cells:?} is not {} cells of 2xx, 401, 403 or 404",
            CALLERS.len()
        );
    }
}

async fn setup_read(app: &TestApp, path: &str, admin: &str) -> Value {
    let (status, body) = apq_e2e::read(app, path, Some(admin)).await;
    assert!(status.is_success(), "setup: GET {path} -> {status}: {body}");
    body
}

#[tokio::test]
async fn every_role_against_every_operation_gets_what_the_authorization_matrix_says() {
    let suite = Suite::spawn_loaded()
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let admin = token_with(&[Role::Admin]);
    let atti = setup_read(&suite.agreements, "/v1/atti-integrativi", &admin).await;
    let atto = atti["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["number"] == 4).cloned())
        .unwrap_or_else(|| panic!("no IV atto in {atti}"));
    let interventi = setup_read(&suite.agreements, "/v1/interventi?limit=50", &admin).await;
    let cstt = interventi["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["code"] == "CSTT-ALI").cloned())
        .unwrap_or_else(|| panic!("no CSTT-ALI in {interventi}"));
    let (_, tranches) = apq_e2e::read(
        &suite.agreements,
        &format!("/v1/interventi/{}/tranches", id(&cstt)),
        None,
    )
    .await;
    let template = setup_read(&suite.catalogue, "/v1/services/1", &admin).await;
    let mut comuni = Vec::new();
    let mut next = Some("/v1/enti?region_code=09&kind=comune&limit=200".to_owned());
    while let Some(path) = next {
        let (_, page) = apq_e2e::read(&suite.adhesion, &path, None).await;
        comuni.extend(
            page["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .filter(|c| c != OTHER_ENTE && c != "048017"),
        );
        next = page["_links"]["next"]["href"].as_str().map(str::to_owned);
    }
    let mut ctx = Ctx {
        suite: &suite,
        admin: admin.clone(),
        counter: Cell::new(0),
        semesters: Cell::new(0),
        accordo_id: atto["accordo_id"].clone(),
        atto_id: atto["id"].clone(),
        cstt,
        cstt_tranche: tranches["items"][0].clone(),
        read_scheda: Value::Null,
        service_record: template["record"].clone(),
        comuni: RefCell::new(comuni),
        cases: RefCell::new(Vec::new()),
        issued: RefCell::new(None),
    };
    ctx.read_scheda = ctx.scheda(true).await;
    // The approved Piano makes tranche 1 of a new ALI intervento eligible.
    ctx.admin(
        "monitoring",
        Method::POST,
        "/v1/obligations",
        None,
        Some(json!({"obligation": "piano_approved", "semester": null, "done_on": "2009-09-01", "act_ref": "CNIPA"})),
    )
    .await;
    // Years of missed obligations: open default cases for the cells that act on one.
    let opened = ctx
        .admin(
            "monitoring",
            Method::POST,
            "/v1/defaults/detections",
            None,
            Some(json!({"signed_on": "2009-06-15", "as_of": "2016-01-01"})),
        )
        .await;
    ctx.cases = RefCell::new(
        opened["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c["state"] == "open")
            .collect(),
    );

    let documented: std::collections::BTreeMap<(String, String, String), Vec<u16>> =
        contract_operations().into_iter().collect();
    let mut failures = Vec::new();
    let mut cells = 0;
    for (service, verb, path, variant, expected) in MATRIX {
        let expected: Vec<Expect> = expected
            .split_whitespace()
            .filter_map(Expect::parse)
            .collect();
        assert_eq!(expected.len(), CALLERS.len(), "{service} {verb} {path}");
        let statuses = documented
            .get(&(
                (*service).to_owned(),
                (*verb).to_owned(),
                (*path).to_owned(),
            ))
            .cloned()
            .unwrap_or_default();
        for (who, expect) in CALLERS.iter().zip(expected) {
            let req = Box::pin(prepare(&ctx, service, verb, path, variant)).await;
            let bearer = who.token(&req);
            let (status, answer) =
                send(ctx.app(service), method(verb), &req, bearer.as_deref()).await;
            cells += 1;
            let cell = format!(
                "{service} {verb} {path}{}{} as {}",
                if variant.is_empty() { "" } else { " " },
                variant,
                who.name()
            );
            if !expect.accepts(status) {
                failures.push(format!(
                    "{cell} ({} {}): expected {}, got {status}: {answer}",
                    verb,
                    req.path,
                    expect.name()
                ));
            } else if !statuses.contains(&status) {
                failures.push(format!(
                    "{cell}: {status} is not in the contract's {statuses:?}"
                ));
            }
        }
    }
    assert_eq!(cells, MATRIX.len() * CALLERS.len());
    assert!(
        failures.is_empty(),
        "{} of {cells} cells of the authorization matrix disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn with_payload(token: &str, edit: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = URL_SAFE_NO_PAD
        .decode(parts.get(1).copied().unwrap_or(""))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    edit(&mut payload);
    let encoded = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap_or_default());
    format!(
        "{}.{encoded}.{}",
        parts.first().copied().unwrap_or(""),
        parts.get(2).copied().unwrap_or("")
    )
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let suite = Suite::spawn().await.unwrap_or_else(|e| panic!("{e:#}"));
    let app = &suite.agreements;
    let audit = |token: String| async move {
        app.get("/v1/audit")
            .bearer_auth(token)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    };
    assert_eq!(
        audit(token_with(&[Role::Auditor])).await,
        200,
        "the genuine token works"
    );

    // An auditor's token whose roles were edited to admin, signature unchanged.
    let tampered = with_payload(&token_with(&[Role::Auditor]), |claims| {
        claims["roles"] = serde_json::json!(["admin"])
    });
    assert_eq!(audit(tampered).await, 401);
    // A token that lives forever (exp edited).
    let immortal = with_payload(&token_with(&[Role::Admin]), |claims| {
        claims["exp"] = serde_json::json!(32_503_680_000_i64)
    });
    assert_eq!(audit(immortal).await, 401);
    // HS256 "signed" with the public key as the shared secret (the classic key-confusion attack).
    let claims = apq_platform::devkeys::TokenRequest::new(vec![Role::Admin]).claims();
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(keys().public_pem.as_bytes()),
    )
    .unwrap_or_default();
    assert_eq!(audit(confused).await, 401);
    // A token in the query string is not a credential.
    let query = app
        .get(&format!(
            "/v1/audit?access_token={}",
            token_with(&[Role::Admin])
        ))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(query, 401);
}

#[tokio::test]
async fn sql_looking_input_is_just_text() {
    let suite = Suite::spawn_loaded()
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    for (app, path) in [
        (&suite.catalogue, "/v1/services?q=%27%20OR%201%3D1--"),
        (
            &suite.catalogue,
            "/v1/services?ambito=%27%3B%20DROP%20TABLE%20services%3B--",
        ),
        (&suite.adhesion, "/v1/enti?q=%25%27%20OR%20%271%27%3D%271"),
        (&suite.agreements, "/v1/interventi?code=%27%20OR%201%3D1--"),
    ] {
        let response = app.get(path).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(
            body["items"].as_array().map(Vec::len),
            Some(0),
            "{path} matched nothing: {body}"
        );
    }
    let (status, services) = apq_e2e::read(&suite.catalogue, "/v1/services", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        services["items"].as_array().map(Vec::len),
        Some(8),
        "the table is still there"
    );
    let (status, problem) =
        apq_e2e::read(&suite.agreements, "/v1/interventi/1%20OR%201=1", None).await;
    assert_eq!(status, 400, "{problem}");
}

#[tokio::test]
async fn neither_tokens_nor_personal_data_reach_the_logs() {
    use std::io::Read;
    let db = apq_platform::testing::TestDb::create(&apq_agreements::SERVICE)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.parent()
                .and_then(|deps| deps.parent())
                .map(|dir| dir.join("apq-agreements"))
        })
        .unwrap_or_default();
    let mut child = std::process::Command::new(&binary)
        .arg("serve")
        .env("APQ_DATABASE__URL", &db.url)
        .env("APQ_SERVER__PORT", port.to_string())
        .env("APQ_AUTH__PUBLIC_KEY_PEM", &keys().public_pem)
        .env("APQ_LOG__FORMAT", "json")
        .env("APQ_LOG__FILTER", "debug")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while http
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the service did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let token = token_with(&[Role::Admin]);
    let email = "maria.rossi@comune.example.it";
    let created = http
        .post(format!("{base}/v1/persons"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(serde_json::json!({"name": "Maria Rossi", "organisation": null, "email": email, "responsibilities": []}).to_string())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(created, 201);
    let bad = http
        .get(format!("{base}/v1/audit"))
        .bearer_auth(format!("{token}x"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(bad, 401);
    let listed = http
        .get(format!("{base}/v1/persons"))
        .bearer_auth(&token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(listed, 200);
    drop(child.kill());
    drop(child.wait());
    let mut logs = String::new();
    if let Some(mut out) = child.stdout.take() {
        drop(out.read_to_string(&mut logs));
    }
    if let Some(mut err) = child.stderr.take() {
        drop(err.read_to_string(&mut logs));
    }
    assert!(
        logs.contains("request served"),
        "the access log was captured"
    );
    let signature = token.rsplit('.').next().unwrap_or("");
    assert!(!logs.contains(signature), "a token reached the logs");
    assert!(!logs.contains(email), "an e-mail address reached the logs");
    assert!(
        !logs.contains("Maria Rossi"),
        "a person's name reached the logs"
    );
}
