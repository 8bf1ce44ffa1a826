//! The programme's rules as the IV Atto states them (art. 4.2-4.4, 5.5-5.6), across the four
//! services through HTTP: the 30% rule on the declared adherents and the intervento's own
//! services, every condition of the tranches checked and none failing open, recovery above the
//! cap, and CNIPA as the actor that approves, verifies, pays and revokes.

use apq_domain::Role;
use apq_e2e::adhesions::Adhesions;
use apq_e2e::schede::{Schede, new_scheda};
use apq_e2e::{Suite, call, loaded_suite, read, responsabile};
use apq_platform::testing::{TestApp, token_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn admin() -> String {
    token_with(&[Role::Admin])
}

fn cnipa() -> String {
    token_with(&[Role::Cnipa])
}

fn accordo() -> String {
    token_with(&[Role::ResponsabileAccordo])
}

async fn post(app: &TestApp, path: &str, bearer: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, path, Some(bearer), None, Some(body)).await
}

/// `n` Tuscan comuni under 5.000 inhabitants, by code.
async fn small_comuni(suite: &Suite, n: usize) -> Vec<String> {
    let (status, page) = read(
        &suite.adhesion,
        "/v1/enti?region_code=09&kind=comune&piccolo_comune=true&limit=200",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let codes: Vec<String> = page["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["code"].as_str().map(str::to_owned))
        .take(n)
        .collect();
    assert_eq!(codes.len(), n, "enough small Tuscan comuni");
    codes
}

/// Registers `code` as an adherent of the intervento `intervento`.
async fn adhere_to_intervento(suite: &Suite, intervento: &str, code: &str) {
    let (status, body) = post(
        &suite.adhesion,
        &format!("/v1/interventi/{intervento}/adherents"),
        &admin(),
        json!({"ente_code": code, "adhered_on": "2007-06-01", "act_ref": format!("lettera di adesione {code}"), "priority": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// `code` adheres to the catalogue service `service` and signs the contractual commitment.
async fn commit(suite: &Suite, code: &str, service: i32) {
    let adhesions = Adhesions(&suite.adhesion);
    let adhesion = adhesions
        .requested(
            &admin(),
            json!({"ente_code": code, "service_number": service, "requested_on": "2009-03-01", "act_ref": null}),
        )
        .await;
    let (status, signed) = adhesions
        .step(&admin(), &adhesion, "commitment_signed", "2009-05-01")
        .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
}

async fn intervento(suite: &Suite, code: &str) -> Value {
    let (_, page) = read(
        &suite.agreements,
        &format!("/v1/interventi?code={code}"),
        None,
    )
    .await;
    page["items"][0].clone()
}

async fn verify(suite: &Suite, code: &str, kind: &str) {
    let (status, body) = post(
        &suite.monitoring,
        &format!("/v1/interventi/{code}/verifications"),
        &cnipa(),
        json!({"kind": kind, "verified_on": "2009-06-30", "act_ref": format!("nota CNIPA {kind}"), "verified_by": "CNIPA - Ufficio ALI"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A scheda of `code` for `semester` at `sal`, with `payments`, submitted and validated.
async fn validated_scheda(suite: &Suite, code: &str, semester: &str, sal: &str, payments: &str) {
    let schede = Schede(&suite.monitoring);
    let mut body = new_scheda(code, semester, sal);
    body["planned_sal"] = json!("60.00");
    body["payments"]["amount"] = json!(payments);
    let created = schede.open(&responsabile(code), body).await;
    let submitted = schede.submit(&responsabile(code), &created).await;
    // CNIPA verifies the SAL.
    schede.validate(&cnipa(), &submitted).await;
}

/// Every condition of CSTT's second tranche but the 30% rule holds: the ALI's start recorded
/// (so PAeSI, Repository and Hosting have go-live dates), the two services that go live
/// relative to their availability given a date, SAL 50% verified, admissibility verified.
async fn all_but_the_share(suite: &Suite) {
    let cstt = intervento(suite, "CSTT-ALI").await;
    let (status, patched) = call(
        &suite.agreements,
        Method::PATCH,
        &format!("/v1/interventi/{}", cstt["id"].as_str().unwrap_or("")),
        Some(&admin()),
        Some(&cstt["version"]),
        Some(json!({"started_on": "2007-05-15", "reason": "avvio dell'ALI"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    // Pagamenti on line has a not-before bound only; START and ITER.NET go live relative to
    // their availability: each gets its go-live date.
    for number in [5, 6, 7] {
        let (_, entry) = read(&suite.catalogue, &format!("/v1/services/{number}"), None).await;
        let mut record = entry["record"].clone();
        record["go_live"] = json!({"kind": "absolute", "date": "2009-06-01", "months": null, "text": "messo a disposizione"});
        let (status, body) = call(
            &suite.catalogue,
            Method::PUT,
            &format!("/v1/services/{number}"),
            Some(&admin()),
            Some(&entry["version"]),
            Some(json!({"record": record, "reason": "data di messa a disposizione"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    validated_scheda(suite, "CSTT-ALI", "2009-S2", "50.00", "250000.00").await;
    verify(suite, "CSTT-ALI", "admissibility").await;
}

async fn tranche(suite: &Suite, code: &str, seq: i64) -> Value {
    let (status, eligibility) = read(
        &suite.monitoring,
        &format!("/v1/interventi/{code}/eligibility"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{eligibility}");
    eligibility["tranches"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["seq"] == seq).cloned())
        .unwrap_or_default()
}

fn check(tranche: &Value, condition: &str) -> Value {
    tranche["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["condition"] == condition).cloned())
        .unwrap_or_default()
}

fn failing(tranche: &Value) -> Vec<String> {
    tranche["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|c| c["holds"] != true)
        .map(|c| format!("{}: {}", c["condition"], c["figure"]))
        .collect()
}

#[tokio::test]
async fn forty_two_of_138_declared_adherents_release_cstt_tranche_2_and_41_do_not() {
    let suite = loaded_suite().await;
    all_but_the_share(&suite).await;
    let comuni = small_comuni(&suite, 42).await;
    for code in &comuni {
        adhere_to_intervento(&suite, "CSTT-ALI", code).await;
    }
    for code in comuni.iter().take(41) {
        commit(&suite, code, 1).await;
    }
    let t = tranche(&suite, "CSTT-ALI", 2).await;
    assert_eq!(t["eligible"], false, "{t}");
    assert_eq!(
        failing(&t),
        [
            "\"adhesion_share\": \"41 of 138 comuni aderenti (29,71%) have signed commitments (42 adherents registered, 138 declared by the Atto)\""
        ],
        "only the 30% rule fails: {t}"
    );
    commit(&suite, &comuni[41], 3).await;
    let t = tranche(&suite, "CSTT-ALI", 2).await;
    assert!(
        check(&t, "adhesion_share")["figure"]
            .as_str()
            .unwrap_or("")
            .starts_with("42 of 138 comuni aderenti (30,43%) have signed commitments"),
        "{t}"
    );
    assert_eq!(t["eligible"], true, "{:?}", failing(&t));
    // The registered adherents differ from the declared count: said, with both figures.
    let (_, eligibility) = read(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/eligibility",
        None,
    )
    .await;
    let inconsistency = eligibility["inconsistencies"][0].as_str().unwrap_or("");
    assert!(
        inconsistency.contains("42") && inconsistency.contains("138"),
        "{eligibility}"
    );
    let (_, adherents) = read(&suite.adhesion, "/v1/interventi/CSTT-ALI/adherents", None).await;
    assert_eq!(adherents["registered"], 42);
    assert_eq!(adherents["declared"]["count"], 138);
    assert_eq!(adherents["declared"]["priority"], 114);
    // Marking it eligible goes through the agreements API.
    let (status, marked) = post(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/tranches/2/eligibility",
        &accordo(),
        json!(null),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{marked}");
    assert_eq!(marked["state"], "eligible");
}

#[tokio::test]
async fn three_signed_of_ten_registered_is_2_17_percent_and_only_own_services_and_adherents_count()
{
    let suite = loaded_suite().await;
    all_but_the_share(&suite).await;
    let comuni = small_comuni(&suite, 12).await;
    for code in comuni.iter().take(10) {
        adhere_to_intervento(&suite, "CSTT-ALI", code).await;
    }
    for code in comuni.iter().take(3) {
        commit(&suite, code, 2).await;
    }
    // A service GEOSIGMA finances, committed to by an adherent of CSTT-ALI: it does not count.
    let (_, one) = read(&suite.catalogue, "/v1/services/1", None).await;
    let mut record = one["record"].clone();
    record["number"] = json!(9);
    record["name"] = json!("INTERGEO");
    record["intervento_code"] = json!("GEOSIGMA");
    let (status, created) = post(
        &suite.catalogue,
        "/v1/services",
        &admin(),
        json!({"record": record, "reason": "servizio di GEOSIGMA"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    commit(&suite, &comuni[3], 9).await;
    // A comune that is not an adherent commits to a CSTT service: it does not count either.
    commit(&suite, &comuni[11], 1).await;

    let t = tranche(&suite, "CSTT-ALI", 2).await;
    let share = check(&t, "adhesion_share");
    assert_eq!(share["holds"], false, "{t}");
    assert!(
        share["figure"]
            .as_str()
            .unwrap_or("")
            .starts_with("3 of 138 comuni aderenti (2,17%) have signed commitments"),
        "{share}"
    );
    assert_eq!(t["eligible"], false);
    let (status, problem) = post(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/tranches/2/eligibility",
        &accordo(),
        json!(null),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (_, adherents) = read(&suite.adhesion, "/v1/interventi/CSTT-ALI/adherents", None).await;
    let inconsistency = adherents["inconsistency"].as_str().unwrap_or("");
    assert!(
        inconsistency.contains("10 adherents") && inconsistency.contains("138"),
        "{adherents}"
    );
    // A body that is not a comune is not an adherent of CSTT-ALI, and nobody adheres twice.
    let (status, _) = post(
        &suite.adhesion,
        "/v1/interventi/CSTT-ALI/adherents",
        &admin(),
        json!({"ente_code": comuni[0], "adhered_on": "2007-06-01", "act_ref": "bis"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// A peer on a local port that answers every request with `body` (200, JSON).
async fn misbehaving_peer(body: &'static str) -> wiremock::MockServer {
    let peer = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&peer)
        .await;
    peer
}

#[tokio::test]
async fn a_share_the_adhesion_service_sends_malformed_or_missing_gives_503_naming_the_field() {
    let suite = loaded_suite().await;
    for (body, field) in [
        (
            r#"{"intervento_code": "CSTT-ALI", "as_of": "2010-01-01", "services": [1], "unit": "comuni", "declared_adherents": 138, "registered_adherents": 138, "committed_adherents": 42, "committed_share": "trenta", "inconsistency": null}"#,
            "committed_share",
        ),
        (
            r#"{"intervento_code": "CSTT-ALI", "as_of": "2010-01-01", "services": [1], "unit": "comuni", "declared_adherents": 138, "registered_adherents": 138, "committed_adherents": 42, "inconsistency": null}"#,
            "committed_share",
        ),
        (
            r#"{"intervento_code": "CSTT-ALI", "as_of": "2010-01-01", "services": [1], "unit": "comuni", "declared_adherents": 138, "registered_adherents": 138, "committed_adherents": 42, "committed_share": "100.00", "inconsistency": null}"#,
            "committed_share",
        ),
    ] {
        let peer = misbehaving_peer(body).await;
        let monitoring = apq_e2e::spawn_loaded(
            &apq_monitoring::SERVICE,
            &[
                (
                    "peers.agreements.base_url",
                    suite.agreements.address.clone(),
                ),
                ("peers.catalogue.base_url", suite.catalogue.address.clone()),
                ("peers.adhesion.base_url", peer.uri()),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("monitoring: {e:#}"));
        let (status, problem) =
            read(&monitoring, "/v1/interventi/CSTT-ALI/eligibility", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}: {problem}");
        let detail = problem["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("adhesion") && detail.contains(field),
            "the peer and the field are named: {problem}"
        );
    }
}

#[tokio::test]
async fn tranche_1_of_one_intervento_is_not_satisfied_by_another_s_piano() {
    let suite = loaded_suite().await;
    // Only CNIPA (or admin recording its act) approves a Piano.
    let (status, _) = post(
        &suite.monitoring,
        "/v1/interventi/GEOSIGMA/verifications",
        &accordo(),
        json!({"kind": "piano_approved", "verified_on": "2008-01-10", "act_ref": "x", "verified_by": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    verify(&suite, "GEOSIGMA", "piano_approved").await;
    let t = tranche(&suite, "CSTT-ALI", 1).await;
    assert_eq!(check(&t, "plan_approved")["holds"], false, "{t}");
    assert_eq!(t["eligible"], false);
    verify(&suite, "CSTT-ALI", "piano_approved").await;
    let t = tranche(&suite, "CSTT-ALI", 1).await;
    let plan = check(&t, "plan_approved");
    assert_eq!(plan["holds"], true, "{t}");
    assert!(
        plan["figure"]
            .as_str()
            .unwrap_or("")
            .contains("nota CNIPA piano_approved"),
        "the act and who: {plan}"
    );
    assert_eq!(t["eligible"], true, "{:?}", failing(&t));
}

#[tokio::test]
async fn tranche_3_needs_the_completion_and_admissibility() {
    let suite = loaded_suite().await;
    let (status, body) = post(
        &suite.monitoring,
        "/v1/operation-periods",
        &cnipa(),
        json!({"intervento_code": "CSTT-ALI", "service_number": null, "verified_from": "2009-07-01", "verified_to": "2010-06-30", "act_ref": "verbale di verifica"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let t = tranche(&suite, "CSTT-ALI", 3).await;
    assert_eq!(check(&t, "months_of_operation")["holds"], true, "{t}");
    assert_eq!(check(&t, "completion")["holds"], false, "{t}");
    assert_eq!(check(&t, "admissibility")["holds"], false, "{t}");
    assert_eq!(t["eligible"], false);
    verify(&suite, "CSTT-ALI", "admissibility").await;
    verify(&suite, "CSTT-ALI", "completion").await;
    let t = tranche(&suite, "CSTT-ALI", 3).await;
    assert_eq!(t["eligible"], true, "{:?}", failing(&t));
    // Admissibility found no longer holding: the tranche is not eligible again.
    let (status, _) = post(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/verifications",
        &cnipa(),
        json!({"kind": "admissibility", "verified_on": "2010-07-01", "act_ref": "nota CNIPA", "verified_by": "CNIPA", "holds": false}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let t = tranche(&suite, "CSTT-ALI", 3).await;
    assert_eq!(check(&t, "admissibility")["holds"], false, "{t}");
    assert_eq!(t["eligible"], false);
}

/// Moves a tranche of CSTT-ALI along to `to`, as `bearer`; the status.
async fn move_tranche(suite: &Suite, seq: usize, to: &str, bearer: &str) -> StatusCode {
    let cstt = intervento(suite, "CSTT-ALI").await;
    let (_, list) = read(
        &suite.agreements,
        &format!(
            "/v1/interventi/{}/tranches",
            cstt["id"].as_str().unwrap_or("")
        ),
        None,
    )
    .await;
    let t = &list["items"][seq - 1];
    let (status, body) = call(
        &suite.agreements,
        Method::POST,
        &format!(
            "/v1/tranches/{}/transitions",
            t["id"].as_str().unwrap_or("")
        ),
        Some(bearer),
        Some(&t["version"]),
        Some(json!({"to": to, "reason": format!("to {to}"), "act_ref": null, "evaluation": null})),
    )
    .await;
    assert!(
        status.is_success() || status == StatusCode::FORBIDDEN,
        "{body}"
    );
    status
}

#[tokio::test]
async fn a_paid_amount_above_50_percent_of_the_actual_cost_is_to_be_recovered_to_the_cent() {
    let suite = loaded_suite().await;
    validated_scheda(&suite, "CSTT-ALI", "2009-S2", "20.00", "250000.00").await;
    assert_eq!(
        move_tranche(&suite, 1, "eligible", &accordo()).await,
        StatusCode::OK
    );
    assert_eq!(
        move_tranche(&suite, 1, "requested", &accordo()).await,
        StatusCode::OK
    );
    // CNIPA pays; the Regione does not record CNIPA's payment.
    assert_eq!(
        move_tranche(&suite, 1, "paid", &accordo()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        move_tranche(&suite, 1, "paid", &cnipa()).await,
        StatusCode::OK
    );
    let (_, eligibility) = read(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/eligibility",
        None,
    )
    .await;
    let recovery = &eligibility["recovery"];
    // Tranche 1 is 30% of 584.745,76 = 175.423,73; 50% of the actual cost 250.000,00 is
    // 125.000,00: 50.423,73 to recover.
    assert_eq!(recovery["paid"]["amount"], "175423.73", "{recovery}");
    assert_eq!(recovery["ceiling"]["amount"], "125000.00", "{recovery}");
    assert_eq!(recovery["to_recover"]["amount"], "50423.73", "{recovery}");
    // At an actual cost of 400.000,00 the paid tranche is within the cap.
    validated_scheda(&suite, "CSTT-ALI", "2010-S1", "40.00", "400000.00").await;
    let (_, eligibility) = read(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/eligibility",
        None,
    )
    .await;
    assert_eq!(eligibility["recovery"]["to_recover"]["amount"], "0.00");
}

#[tokio::test]
async fn only_cnipa_revokes() {
    let suite = loaded_suite().await;
    for who in [admin(), accordo()] {
        assert_eq!(
            move_tranche(&suite, 1, "revoked", &who).await,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        move_tranche(&suite, 1, "revoked", &cnipa()).await,
        StatusCode::OK
    );
    // The Tavolo does not revoke: a decision to revoke is no decision of its.
    let cstt = intervento(&suite, "CSTT-ALI").await;
    let id = cstt["id"].as_str().unwrap_or("").to_owned();
    let (status, problem) = post(
        &suite.agreements,
        "/v1/tavolo-decisions",
        &accordo(),
        json!({"atto_id": cstt["atto_id"], "decided_on": "2010-01-01", "verbale_ref": null, "summary": "revoca",
               "effect": {"kind": "total_revocation", "intervento_id": id}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let revocation = json!({"extent": "total", "decided_on": "2010-02-01", "act_ref": "decreto CNIPA n. 1",
                            "reason": "tempi del Piano non rispettati"});
    for who in [admin(), accordo()] {
        let (status, _) = post(
            &suite.agreements,
            &format!("/v1/interventi/{id}/revocations"),
            &who,
            revocation.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, revoked) = post(
        &suite.agreements,
        &format!("/v1/interventi/{id}/revocations"),
        &cnipa(),
        revocation,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{revoked}");
    assert_eq!(revoked["state"], "revoked");
    let t = tranche(&suite, "CSTT-ALI", 2).await;
    assert_eq!(check(&t, "co_financing")["holds"], false, "{t}");
    assert_eq!(t["eligible"], false);
}

fn subjects(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(items: &'a [Value], subject: &str) -> Option<&'a Value> {
    items.iter().find(|i| i["subject"] == subject)
}

/// The data points of issue 11, as the shipped datasets now have them.
#[tokio::test]
async fn the_shipped_datasets_say_what_the_seed_says_and_no_more() {
    let suite = loaded_suite().await;
    // 1, 2: unknown baselines and targets are absent, and an absent target is never reached.
    let (_, indicators) = read(&suite.monitoring, "/v1/indicators", None).await;
    let items = indicators["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 16);
    assert!(
        items.iter().all(|i| i["baseline"].is_null()),
        "{indicators}"
    );
    for i in &items {
        let unknown = ["IND-13", "IND-15", "IND-16"].contains(&i["code"].as_str().unwrap_or(""));
        assert_eq!(i["target"].is_null(), unknown, "{i}");
    }
    let (status, _) = call(
        &suite.monitoring,
        Method::PUT,
        "/v1/indicators/IND-13/measurements/2009-S2",
        Some(&accordo()),
        None,
        Some(json!({"value": "5"})),
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (_, indicators) = read(&suite.monitoring, "/v1/indicators", None).await;
    let ind13 = indicators["items"]
        .as_array()
        .and_then(|i| i.iter().find(|i| i["code"] == "IND-13").cloned())
        .unwrap_or_default();
    assert_eq!(ind13["latest"], "5.00");
    assert_eq!(ind13["target_reached"], false, "{ind13}");
    let (_, told) = read(&suite.monitoring, "/v1/inconsistencies", None).await;
    let told = subjects(&told);
    for code in ["IND-13", "IND-15", "IND-16"] {
        let found = find(&told, &format!("{code} target")).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(found["value_b"], "absent", "{found}");
    }
    // 3: the validation request has no invented deadline and no default opens on it.
    let (_, s2) = read(&suite.monitoring, "/v1/semesters/2009-S2", None).await;
    assert!(s2["validation_request"].is_null(), "{s2}");
    // 5: Pagamenti on line's go-live is a not-before bound.
    let (_, pagamenti) = read(&suite.catalogue, "/v1/services/5", None).await;
    assert_eq!(
        pagamenti["record"]["go_live"]["kind"], "not_before",
        "{pagamenti}"
    );
    assert_eq!(pagamenti["record"]["go_live"]["date"], "2009-01-01");
    // 6: ITER.NET's maintenance is 10.000,00 a year (L3634), and the budget says what it leaves.
    let (_, iter_net) = read(&suite.catalogue, "/v1/services/7", None).await;
    let maintenance = iter_net["record"]["cost_lines"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["source_ref"] == "L3629-3634").cloned())
        .unwrap_or_default();
    assert_eq!(maintenance["amount"]["amount"], "10000.00", "{iter_net}");
    assert_eq!(maintenance["period"], "annuo");
    let (_, budget) = read(&suite.catalogue, "/v1/budget", None).await;
    assert_eq!(budget["balanced"], false, "{budget}");
    assert_eq!(budget["difference"]["amount"], "10000.00");
    // 9: activity dates the seed gives as text are kept as written.
    let cstt = intervento(&suite, "CSTT-ALI").await;
    let (_, activities) = read(
        &suite.agreements,
        &format!(
            "/v1/interventi/{}/activities",
            cstt["id"].as_str().unwrap_or("")
        ),
        None,
    )
    .await;
    let written = |code: &str| {
        activities["items"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["code"] == code))
            .map(|a| a["dates_as_written"].clone())
            .unwrap_or_default()
    };
    assert_eq!(
        written("A1-2"),
        "Svolta nell\u{2019}anno 2003",
        "{activities}"
    );
    assert_eq!(written("A2-2"), "Attività svolta da 01.2004 a 02.2005");
    assert!(written("A1-1").is_null(), "a date range needs no text");
    // 4, 7, 8: one story across the services' inconsistencies.
    let (_, agreements) = read(&suite.agreements, "/v1/inconsistencies", None).await;
    let (_, catalogue) = read(&suite.catalogue, "/v1/inconsistencies", None).await;
    let (agreements, catalogue) = (subjects(&agreements), subjects(&catalogue));
    let gap = find(
        &agreements,
        "CSTT-ALI: somma delle schede attività vs costo dell'intervento",
    )
    .unwrap_or_else(|| panic!("no gap inconsistency in agreements"));
    let services = find(&catalogue, "Totale costi dei servizi")
        .unwrap_or_else(|| panic!("no gap inconsistency in catalogue"));
    for told in [gap, services] {
        let text = told["description"].as_str().unwrap_or("");
        for part in [
            "A7-2",
            "A7-3",
            "24.000",
            "26.000",
            "49.000",
            "1.000",
            "L4243-4245",
            "L4251-4253",
        ] {
            assert!(text.contains(part), "{part} in {told}");
        }
    }
    assert!(
        !gap["description"]
            .as_str()
            .unwrap_or("")
            .contains("La differenza di 50.000,00 € è l'attività A8"),
        "A8 is inside the budget: {gap}"
    );
    assert!(
        find(&agreements, "e-Toscana Riuso: numero di soluzioni").is_none(),
        "7 regional solutions plus Cancelleria Telematica is no inconsistency"
    );
    for (subject, reference) in [
        (
            "Gestioni associate: legge regionale di riferimento",
            "L6745",
        ),
        ("CSTT-ALI: chi copre i costi del § 4.1", "L4285"),
        ("CSTT-ALI: durata del progetto", "L4234"),
    ] {
        let found = find(&agreements, subject).unwrap_or_else(|| panic!("{subject}"));
        let refs = format!("{} {}", found["ref_a"], found["ref_b"]);
        assert!(refs.contains(reference), "{found}");
    }
}

#[tokio::test]
async fn cnipa_approves_the_progetto_esecutivo_by_its_act_and_that_releases_the_first_riuso_tranche()
 {
    let suite = loaded_suite().await;
    let geosigma = intervento(&suite, "GEOSIGMA").await;
    let path = format!(
        "/v1/interventi/{}/progetto-esecutivo",
        geosigma["id"].as_str().unwrap_or("")
    );
    let approval = json!({"approved_on": "2009-10-01", "act_ref": "nota CNIPA prot. 4567", "approved_by": "CNIPA - Ufficio riuso"});
    let t = tranche(&suite, "GEOSIGMA", 1).await;
    assert_eq!(check(&t, "progetto_esecutivo")["holds"], false, "{t}");
    // CNIPA's act: not the Regione's, not admin's.
    for who in [accordo(), admin()] {
        let (status, _) = call(
            &suite.agreements,
            Method::PUT,
            &path,
            Some(&who),
            Some(&geosigma["version"]),
            Some(approval.clone()),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "the Regione does not approve it"
        );
    }
    // The act and who made it are required.
    let (status, problem) = call(
        &suite.agreements,
        Method::PUT,
        &path,
        Some(&cnipa()),
        Some(&geosigma["version"]),
        Some(json!({"approved_on": "2009-10-01", "act_ref": " ", "approved_by": "CNIPA"})),
    )
    .await;
    assert!(status.is_client_error(), "{problem}");
    assert!(problem.to_string().contains("act_ref"), "{problem}");
    // The date alone is no longer a field of the intervento anyone patches.
    let (status, _) = call(
        &suite.agreements,
        Method::PATCH,
        &format!("/v1/interventi/{}", geosigma["id"].as_str().unwrap_or("")),
        Some(&admin()),
        Some(&geosigma["version"]),
        Some(json!({"progetto_esecutivo_validated_on": "2009-10-01", "reason": "data"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, approved) = call(
        &suite.agreements,
        Method::PUT,
        &path,
        Some(&cnipa()),
        Some(&geosigma["version"]),
        Some(approval),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let recorded = &approved["maturity"]["progetto_esecutivo"];
    assert_eq!(recorded["approved_on"], "2009-10-01", "{approved}");
    assert_eq!(recorded["act_ref"], "nota CNIPA prot. 4567");
    assert_eq!(recorded["approved_by"], "CNIPA - Ufficio riuso");
    assert!(recorded["recorded_by"].is_string(), "{recorded}");
    // CNIPA records its approval only, not the Regione's descriptive fields.
    let (status, _) = call(
        &suite.agreements,
        Method::PATCH,
        &format!("/v1/interventi/{}", geosigma["id"].as_str().unwrap_or("")),
        Some(&cnipa()),
        Some(&approved["version"]),
        Some(json!({"objective": "altro"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let t = tranche(&suite, "GEOSIGMA", 1).await;
    let progetto = check(&t, "progetto_esecutivo");
    assert_eq!(progetto["holds"], true, "{t}");
    assert!(
        progetto["figure"]
            .as_str()
            .unwrap_or("")
            .contains("nota CNIPA prot. 4567"),
        "{progetto}"
    );
    assert_eq!(t["eligible"], true, "{:?}", failing(&t));
    // Audited as CNIPA's act.
    let (_, trail) = read(
        &suite.agreements,
        &format!(
            "/v1/audit?entity=intervento&entity_id={}",
            geosigma["id"].as_str().unwrap_or("")
        ),
        Some(&admin()),
    )
    .await;
    assert!(
        trail["items"].as_array().is_some_and(|e| e
            .iter()
            .any(|e| e["action"] == "approve_progetto_esecutivo")),
        "{trail}"
    );
}

/// A date recorded before approvals were acts is migrated as an approval without an act: shown,
/// and no tranche released on it.
#[tokio::test]
async fn a_progetto_esecutivo_date_migrated_without_cnipas_act_releases_no_tranche() {
    use diesel::RunQueryDsl;
    use diesel_migrations::MigrationHarness;
    let suite = loaded_suite().await;
    {
        let mut conn = suite
            .agreements
            .db
            .connect()
            .unwrap_or_else(|e| panic!("{e:#}"));
        // Back to the register before the approval was an act (migration 000110, and whatever
        // came after it), with a date as it kept it.
        loop {
            let reverted = conn
                .revert_last_migration((apq_agreements::SERVICE.migrations.embedded)())
                .unwrap_or_else(|e| panic!("{e}"));
            if reverted.to_string().ends_with("000110") {
                break;
            }
        }
        diesel::sql_query(
            "UPDATE interventi SET progetto_esecutivo_validated_on = '2009-10-01' WHERE code = 'E-TOSCANA-RIUSO'",
        )
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
        apq_platform::db::migrate(&mut conn, (apq_agreements::SERVICE.migrations.embedded)())
            .unwrap_or_else(|e| panic!("{e:#}"));
    }
    let riuso = intervento(&suite, "E-TOSCANA-RIUSO").await;
    let recorded = &riuso["maturity"]["progetto_esecutivo"];
    assert_eq!(recorded["approved_on"], "2009-10-01", "{riuso}");
    assert!(recorded["act_ref"].is_null(), "{riuso}");
    let t = tranche(&suite, "E-TOSCANA-RIUSO", 1).await;
    let progetto = check(&t, "progetto_esecutivo");
    assert_eq!(progetto["holds"], false, "{t}");
    assert!(
        progetto["figure"]
            .as_str()
            .unwrap_or("")
            .contains("act is not recorded"),
        "{progetto}"
    );
}

/// Opens, submits and tries to validate a scheda of `code`: the validation's status and answer.
async fn submit_and_validate(suite: &Suite, code: &str, semester: &str) -> (StatusCode, Value) {
    let schede = Schede(&suite.monitoring);
    let mut body = new_scheda(code, semester, "10.00");
    body["planned_sal"] = json!("20.00");
    body["commitments"]["amount"] = json!("100000.00");
    body["payments"]["amount"] = json!("50000.00");
    let created = schede.open(&responsabile(code), body).await;
    let submitted = schede.submit(&responsabile(code), &created).await;
    schede
        .step(&accordo(), &submitted, "validation", json!({}))
        .await
}

async fn cup_obligation(suite: &Suite, code: &str) -> Value {
    let (status, eligibility) = read(
        &suite.monitoring,
        &format!("/v1/interventi/{code}/eligibility"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{eligibility}");
    eligibility["obligations"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["obligation"] == "cup").cloned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_first_monitoring_of_an_intervento_without_a_cup_is_not_validated_until_it_is_recorded()
{
    let suite = loaded_suite().await;
    // CSTT-ALI has its CUP (L1686); GEOSIGMA has none: the obligation is pending.
    assert_eq!(cup_obligation(&suite, "CSTT-ALI").await["pending"], false);
    let pending = cup_obligation(&suite, "GEOSIGMA").await;
    assert_eq!(pending["pending"], true, "{pending}");
    assert_eq!(pending["article"], "art. 7.2.h");
    let (status, problem) = submit_and_validate(&suite, "GEOSIGMA", "2009-S2").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "cup", "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("art. 7.2.h"),
        "{problem}"
    );
    let (_, schede) = read(
        &suite.monitoring,
        "/v1/schede?intervento_code=GEOSIGMA",
        None,
    )
    .await;
    assert_eq!(schede["items"][0]["state"], "submitted", "{schede}");
    // The CUP recorded through agreements' API: the obligation is met and the scheda validated.
    let geosigma = intervento(&suite, "GEOSIGMA").await;
    let (status, patched) = call(
        &suite.agreements,
        Method::PATCH,
        &format!("/v1/interventi/{}", geosigma["id"].as_str().unwrap_or("")),
        Some(&accordo()),
        Some(&geosigma["version"]),
        Some(json!({"cup": "D13D09000010007", "reason": "CUP inserito al primo monitoraggio"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let met = cup_obligation(&suite, "GEOSIGMA").await;
    assert_eq!(met["pending"], false, "{met}");
    assert!(
        met["figure"]
            .as_str()
            .unwrap_or("")
            .contains("D13D09000010007")
    );
    let (_, schede) = read(
        &suite.monitoring,
        "/v1/schede?intervento_code=GEOSIGMA",
        None,
    )
    .await;
    let scheda = &schede["items"][0];
    let validated = Schede(&suite.monitoring).validate(&accordo(), scheda).await;
    assert_eq!(validated["state"], "validated");
}

async fn ind_13(suite: &Suite) -> Value {
    let (status, computed) = read(
        &suite.monitoring,
        "/v1/indicators/IND-13/computation?as_of=2010-01-01",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{computed}");
    computed
}

fn delivery(computed: &Value, number: i64) -> Value {
    computed["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["number"] == number).cloned())
        .unwrap_or_default()
}

async fn operation(suite: &Suite, service: i64, from: &str) {
    let (status, body) = post(
        &suite.monitoring,
        "/v1/operation-periods",
        &cnipa(),
        json!({"intervento_code": "CSTT-ALI", "service_number": service, "verified_from": from,
               "verified_to": "2009-12-31", "act_ref": format!("verbale di verifica {service}")}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn ind_13_counts_the_services_delivered_by_the_dates_the_project_gives_them() {
    let suite = loaded_suite().await;
    // Before the ALI's start is recorded only PEC and Firma, already in service, are on time.
    let computed = ind_13(&suite).await;
    assert_eq!(computed["value"], "2.00", "{computed}");
    assert!(computed["target"].is_null(), "the seed gives no target");
    assert_eq!(computed["target_reached"], false);
    assert!(
        delivery(&computed, 1)["due_unknown"].is_string(),
        "{computed}"
    );
    // The start recorded: PAeSI is due on 15.11.2008, Repository on 15.2.2008, Hosting's
    // extension on 15.5.2008.
    let cstt = intervento(&suite, "CSTT-ALI").await;
    let (status, patched) = call(
        &suite.agreements,
        Method::PATCH,
        &format!("/v1/interventi/{}", cstt["id"].as_str().unwrap_or("")),
        Some(&admin()),
        Some(&cstt["version"]),
        Some(json!({"started_on": "2007-05-15", "reason": "avvio dell'ALI"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    operation(&suite, 1, "2008-10-01").await;
    operation(&suite, 4, "2008-06-01").await;
    operation(&suite, 8, "2008-05-15").await;
    let computed = ind_13(&suite).await;
    for (number, due, on_time) in [
        (1, json!("2008-11-15"), json!(true)),
        (2, Value::Null, json!(true)),
        (3, Value::Null, json!(true)),
        (4, json!("2008-02-15"), json!(false)),
        (5, Value::Null, Value::Null),
        (6, Value::Null, Value::Null),
        (7, Value::Null, Value::Null),
        (8, json!("2008-05-15"), json!(true)),
    ] {
        let d = delivery(&computed, number);
        assert_eq!(
            (d["due_on"].clone(), d["on_time"].clone()),
            (due, on_time),
            "{d}"
        );
    }
    assert_eq!(computed["value"], "4.00", "{computed}");
    assert_eq!(computed["figure"], "4 of 8 services delivered on time");
    assert_eq!(
        computed["target_reached"], false,
        "an unknown target is never reached"
    );
    // Pagamenti on line delivered, but the seed gives it only a not-before bound: the count
    // cannot be said.
    operation(&suite, 5, "2009-07-01").await;
    let computed = ind_13(&suite).await;
    assert!(computed["value"].is_null(), "{computed}");
    // The other indicators are measured, not computed.
    let (status, _) = read(&suite.monitoring, "/v1/indicators/IND-01/computation", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Cents of a JSON money value (`{"amount": "1.00"}`) or decimal string.
fn cents(value: &Value) -> i64 {
    let text = value["amount"].as_str().or(value.as_str()).unwrap_or("");
    let number: String = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    number
        .parse()
        .unwrap_or_else(|_| panic!("not an amount: {value}"))
}

#[tokio::test]
async fn the_inconsistencies_of_the_four_services_tell_one_story() {
    let suite = loaded_suite().await;
    let mut told: Vec<(&str, Value)> = Vec::new();
    for (name, app) in suite.apps() {
        let (status, list) = read(app, "/v1/inconsistencies", None).await;
        assert_eq!(status, StatusCode::OK, "{name}: {list}");
        told.extend(subjects(&list).into_iter().map(|i| (name, i)));
    }
    // A fact two services tell is told the same way: same subject, same values, same lines.
    for (n, (a, first)) in told.iter().enumerate() {
        for (b, second) in &told[n + 1..] {
            if a != b && first["subject"] == second["subject"] {
                for field in ["description", "value_a", "ref_a", "value_b", "ref_b"] {
                    assert_eq!(
                        first[field], second[field],
                        "{a} and {b} on {}",
                        first["subject"]
                    );
                }
            }
        }
    }
    let by = |service: &str, subject: &str| {
        told.iter()
            .find(|(s, i)| *s == service && i["subject"] == subject)
            .map(|(_, i)| i.clone())
            .unwrap_or_else(|| panic!("{service} does not tell {subject}"))
    };
    for (subject, services) in [
        (
            "Servizio 8 Hosting – corrispettivo",
            ["agreements", "catalogue"],
        ),
        ("Servizio 2 – nome", ["agreements", "catalogue"]),
        (
            "Servizio 1 PAeSI – data del Protocollo d'intesa Regione Toscana – Prefetture-UTG",
            ["agreements", "catalogue"],
        ),
        (
            "IND-07 target (servizi informativi territoriali)",
            ["agreements", "monitoring"],
        ),
    ] {
        for service in services {
            by(service, subject);
        }
    }
    // The 50.000,00 gap, line by line against the data the services serve.
    let gap = by(
        "agreements",
        "CSTT-ALI: somma delle schede attività vs costo dell'intervento",
    );
    let total = by("catalogue", "Totale costi dei servizi");
    let pec = by("catalogue", "Servizio 2 PEC – costo");
    let pki = by("catalogue", "Servizio 3 Firma digitale – costo");
    let professional = by(
        "agreements",
        "CSTT-ALI: servizi professionali, tabella costi vs schede attività",
    );
    let internal = by(
        "agreements",
        "CSTT-ALI: costi interni, tabella costi vs schede attività",
    );
    let cstt = intervento(&suite, "CSTT-ALI").await;
    let id = cstt["id"].as_str().unwrap_or("").to_owned();
    assert_eq!(
        cents(&cstt["total_cost"]),
        cents(&gap["value_a"]),
        "the cost: {gap}"
    );
    let (_, activities) = read(
        &suite.agreements,
        &format!("/v1/interventi/{id}/activities"),
        None,
    )
    .await;
    let activities = activities["items"].as_array().cloned().unwrap_or_default();
    let sheets: i64 = activities.iter().map(|a| cents(&a["total_cost"])).sum();
    assert_eq!(sheets, cents(&gap["value_b"]), "the activity sheets: {gap}");
    assert_eq!(
        sheets,
        cents(&total["value_b"]),
        "the catalogue's figure for the sheets: {total}"
    );
    let sheet = |code: &str| {
        activities
            .iter()
            .find(|a| a["code"] == code)
            .map(|a| cents(&a["total_cost"]))
            .unwrap_or_else(|| panic!("no activity {code}"))
    };
    assert_eq!(sheet("A7-2"), cents(&pec["value_b"]), "{pec}");
    assert_eq!(sheet("A7-3"), cents(&pki["value_b"]), "{pki}");
    let excess = (cents(&pec["value_b"]) - cents(&pec["value_a"]))
        + (cents(&pki["value_b"]) - cents(&pki["value_a"]));
    assert_eq!(
        excess,
        sheets - cents(&cstt["total_cost"]),
        "A7-2 and A7-3 are the whole excess"
    );
    let by_category = |category: &str| -> i64 {
        activities
            .iter()
            .flat_map(|a| a["costs"].as_array().cloned().unwrap_or_default())
            .filter(|c| c["category"] == category)
            .map(|c| cents(&c["amount"]))
            .sum()
    };
    let (_, table) = read(
        &suite.agreements,
        &format!("/v1/interventi/{id}/cost-table"),
        None,
    )
    .await;
    for (told, category) in [
        (&professional, "servizi_professionali"),
        (&internal, "costi_interni"),
    ] {
        assert_eq!(
            cents(&table["by_category"][category]),
            cents(&told["value_a"]),
            "{told}"
        );
        assert_eq!(by_category(category), cents(&told["value_b"]), "{told}");
    }
    assert_eq!(
        (cents(&professional["value_b"]) - cents(&professional["value_a"]))
            + (cents(&internal["value_b"]) - cents(&internal["value_a"])),
        excess,
        "servizi professionali +49.000 and costi interni +1.000 are the 50.000"
    );
    // The A8 story is told nowhere: A8 is inside the budget.
    for (service, item) in &told {
        assert!(
            !item["description"]
                .as_str()
                .unwrap_or("")
                .contains("La differenza di 50.000,00 € è l'attività A8"),
            "{service}: {item}"
        );
    }
    // Live figures are computed, not stored: adhesion says what the register holds now, and the
    // eligibility answer says the same.
    let adherents = |list: &Value| {
        subjects(list)
            .into_iter()
            .find(|i| i["subject"] == "CSTT-ALI: aderenti registrati vs dichiarati dall'Atto")
            .unwrap_or_else(|| panic!("{list}"))
    };
    let (_, list) = read(&suite.adhesion, "/v1/inconsistencies", None).await;
    assert_eq!(adherents(&list)["value_a"], "0 registered");
    assert_eq!(adherents(&list)["value_b"], "138 comuni");
    for code in small_comuni(&suite, 3).await {
        adhere_to_intervento(&suite, "CSTT-ALI", &code).await;
    }
    let (_, list) = read(&suite.adhesion, "/v1/inconsistencies", None).await;
    assert_eq!(adherents(&list)["value_a"], "3 registered", "{list}");
    let (_, eligibility) = read(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/eligibility",
        None,
    )
    .await;
    let said = eligibility["inconsistencies"][0].as_str().unwrap_or("");
    assert!(
        said.starts_with("3 adherents") && said.contains("138 comuni"),
        "{eligibility}"
    );
}

#[tokio::test]
async fn a_merged_away_comune_can_be_registered_as_a_2007_adherent() {
    let suite = loaded_suite().await;
    // Abetone (PT) merged into Abetone Cutigliano on 1 January 2017 (ANPR's archive).
    let (status, abetone) = read(&suite.adhesion, "/v1/enti/A012", None).await;
    assert_eq!(status, StatusCode::OK, "{abetone}");
    assert_eq!(abetone["name"], "Abetone");
    assert_eq!(abetone["ceased_on"], "2016-12-31");
    let (status, body) = post(
        &suite.adhesion,
        "/v1/interventi/CSTT-ALI/adherents",
        &admin(),
        json!({"ente_code": "A012", "adhered_on": "2007-06-01", "act_ref": "Delibera GC Abetone", "priority": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, problem) = post(
        &suite.adhesion,
        "/v1/interventi/CSTT-ALI/adherents",
        &admin(),
        json!({"ente_code": "A559", "adhered_on": "2015-06-01", "act_ref": "Delibera"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Casciana Terme ceased at the end of 2013: {problem}"
    );
    // Today's registry lists only the bodies that exist; the archive on request.
    let (_, today) = read(&suite.adhesion, "/v1/enti?q=Abetone&kind=comune", None).await;
    let names: Vec<&str> = today["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|e| e["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["Abetone Cutigliano"], "{today}");
    let (_, all) = read(
        &suite.adhesion,
        "/v1/enti?q=Abetone&kind=comune&ceased=true",
        None,
    )
    .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2), "{all}");
    // The small-comune flag says the date of the population it uses.
    let (_, today) = read(&suite.adhesion, "/v1/enti/048017", None).await;
    assert_eq!(today["population_as_of"], "2023-01-01", "{today}");
}
