//! Readiness follows the database: 503 while it is stopped, 200 again when it returns, with no
//! restart of the service. Uses a private PostgreSQL cluster so that stopping it disturbs no
//! other test.

mod fixture;

use std::time::{Duration, Instant};

use apq_platform::testing::{PrivateCluster, TestApp, TestDb};
use fixture::FIXTURE;
use reqwest::StatusCode;

async fn ready_status(app: &TestApp) -> StatusCode {
    match app.get("/health/ready").send().await {
        Ok(response) => response.status(),
        Err(error) => panic!("the service itself must keep answering: {error}"),
    }
}

async fn wait_for(app: &TestApp, wanted: StatusCode) -> StatusCode {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = ready_status(app).await;
    while status != wanted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        status = ready_status(app).await;
    }
    status
}

#[tokio::test]
async fn readiness_follows_the_database_without_a_restart() {
    let cluster = PrivateCluster::start().unwrap_or_else(|e| panic!("{e:#}"));
    let db = TestDb::create_on(&cluster.admin_url(), &FIXTURE).unwrap_or_else(|e| panic!("{e:#}"));
    let app = TestApp::spawn_on(&FIXTURE, db, &[])
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(ready_status(&app).await, StatusCode::OK);

    cluster.stop().unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        wait_for(&app, StatusCode::SERVICE_UNAVAILABLE).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let status = app
        .get("/status")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(status.headers().contains_key("retry-after"));
    let live = app
        .get("/health/live")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        live.status(),
        StatusCode::OK,
        "liveness does not depend on the database"
    );

    cluster.start_again().unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(wait_for(&app, StatusCode::OK).await, StatusCode::OK);
    drop(app);
}
