//! Request-level plumbing: the root span and access log, request ids, rate limits, CORS.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use crate::problem::ApiError;
use crate::settings::{CorsSettings, RateLimitSettings};

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, for problem bodies and logs.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The root span of every request: tracing-actix-web's fields (method, route, status, client,
/// request id, OpenTelemetry parent from `traceparent`) plus the authenticated subject.
pub struct ApqRootSpan;

impl RootSpanBuilder for ApqRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing_actix_web::root_span!(request, enduser.id = tracing::field::Empty)
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Makes the request id available to error bodies, echoes it in `X-Request-Id`, and writes one
/// access-log line per request (inside the root span, so it carries method, route, client,
/// subject and request id).
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
        .unwrap_or_default();
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(request_id.clone(), next.call(req)).await?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    tracing::info!(
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request served"
    );
    Ok(response)
}

/// CORS for the portal origins listed in the settings; no origin is allowed by default.
pub fn cors(settings: &CorsSettings) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::IF_MATCH,
            actix_web::http::header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("traceparent"),
        ])
        .expose_headers([
            "etag",
            "location",
            "retry-after",
            "x-request-id",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ])
        .max_age(3600);
    for origin in &settings.allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// A fixed-window rate limiter per client (the bearer token's hash, or the client address).
///
/// The count is per replica: with N replicas a client gets at most N times the limit, which the
/// deployment accounts for by dividing the limit (see `deploy/`).
#[derive(Clone)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Arc<Mutex<HashMap<u64, (Instant, u32)>>>,
}

pub struct RateDecision {
    pub limit: u32,
    pub remaining: u32,
    pub reset: Duration,
    pub allowed: bool,
}

impl RateLimiter {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            limit: settings.requests_per_window,
            window: Duration::from_secs(settings.window_secs.max(1)),
            windows: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn check(&self, client: u64, now: Instant) -> RateDecision {
        let mut windows = match self.windows.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > 100_000 {
            let window = self.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        let allowed = entry.1 < self.limit;
        if allowed {
            entry.1 += 1;
        }
        RateDecision {
            limit: self.limit,
            remaining: self.limit.saturating_sub(entry.1),
            reset: self.window.saturating_sub(now.duration_since(entry.0)),
            allowed,
        }
    }
}

fn client_key(req: &ServiceRequest) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    match req.headers().get(actix_web::http::header::AUTHORIZATION) {
        Some(token) => token.as_bytes().hash(&mut hasher),
        None => req
            .connection_info()
            .realip_remote_addr()
            .unwrap_or("")
            .hash(&mut hasher),
    }
    hasher.finish()
}

/// Adds `X-RateLimit-Limit/Remaining/Reset` to every response and answers 429 with
/// `Retry-After` past the limit. Health probes are not counted.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let limiter = req.app_data::<actix_web::web::Data<RateLimiter>>().cloned();
    let limiter = match limiter {
        Some(l) if l.limit > 0 && !req.path().starts_with("/health/") => l,
        _ => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body);
        }
    };
    let decision = limiter.check(client_key(&req), Instant::now());
    let mut response = if decision.allowed {
        next.call(req).await?.map_into_left_body()
    } else {
        let error = ApiError::TooManyRequests {
            retry_after: decision.reset,
        };
        req.into_response(error.error_response())
            .map_into_right_body()
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", decision.limit as u64),
        ("x-ratelimit-remaining", decision.remaining as u64),
        ("x-ratelimit-reset", decision.reset.as_secs().max(1)),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_resets() {
        let limiter = RateLimiter::new(&RateLimitSettings {
            requests_per_window: 2,
            window_secs: 60,
        });
        let t0 = Instant::now();
        assert!(limiter.check(1, t0).allowed);
        let second = limiter.check(1, t0);
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        assert!(!limiter.check(1, t0).allowed);
        assert!(
            limiter.check(2, t0).allowed,
            "another client has its own window"
        );
        assert!(limiter.check(1, t0 + Duration::from_secs(61)).allowed);
    }
}
