//! `/status` (the interoperability guidelines' health check) and the Kubernetes probes.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};

use crate::db::{PgPool, ping};
use crate::problem::{Problem, problem_response};

const READY_TIMEOUT: Duration = Duration::from_millis(1_500);

fn up() -> Problem {
    Problem {
        problem_type: "about:blank".to_owned(),
        title: "OK".to_owned(),
        status: 200,
        detail: None,
        errors: Vec::new(),
        request_id: None,
    }
}

fn down(detail: &str) -> Problem {
    Problem {
        problem_type: "about:blank".to_owned(),
        title: "Service Unavailable".to_owned(),
        status: 503,
        detail: Some(detail.to_owned()),
        errors: Vec::new(),
        request_id: None,
    }
}

async fn readiness(pool: &PgPool) -> HttpResponse {
    match ping(pool, READY_TIMEOUT).await {
        Ok(()) => problem_response(&up()),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            let mut response = problem_response(&down("the database does not answer"));
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("5"),
            );
            response
        }
    }
}

/// Whether the service can serve requests: 200 when its database answers, 503 otherwise.
#[utoipa::path(
    tag = "status",
    operation_id = "get_status",
    responses(
        (status = 200, description = "The service is up", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The service is down", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/status")]
pub async fn status(pool: web::Data<PgPool>) -> HttpResponse {
    readiness(&pool).await
}

/// Liveness probe: the process answers.
#[utoipa::path(
    tag = "status",
    operation_id = "get_liveness",
    responses(
        (status = 200, description = "The process is alive", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    problem_response(&up())
}

/// Readiness probe: the database answers. Goes back to 200 by itself when the database returns.
#[utoipa::path(
    tag = "status",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "Ready to serve", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(pool: web::Data<PgPool>) -> HttpResponse {
    readiness(&pool).await
}
