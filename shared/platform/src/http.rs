//! Request-level plumbing: the root span and access log, request ids, rate limits, CORS.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};
use governor::Quota;
use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use crate::problem::ApiError;
use crate::settings::{CorsSettings, RateLimitSettings};

pub use crate::request_id::{HEADER as REQUEST_ID_HEADER, current as current_request_id};

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
    let mut response = crate::request_id::scope(request_id.clone(), next.call(req)).await?;
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

/// The rate limit: a GCRA budget per caller, counted by `governor`. Every caller may make
/// `requests_per_window` requests at once and gets them back at an even pace over `window_secs`.
///
/// The caller is the verified token's subject when the request carries a bearer token that
/// verifies, otherwise the client address (see [`TrustedProxies::client_address`]): a token that
/// does not verify spends its address's budget, so new garbage tokens buy nothing.
///
/// The count is per replica: with N replicas a client gets at most N times the limit, which the
/// deployment accounts for by dividing the limit (see `deploy/`).
pub struct RateLimiter {
    /// `None` when `requests_per_window` is 0: no limit.
    budget: Option<Budget>,
    trusted: TrustedProxies,
}

type KeyedLimiter = governor::RateLimiter<
    ClientKey,
    governor::state::keyed::DefaultKeyedStateStore<ClientKey>,
    governor::clock::DefaultClock,
    governor::middleware::StateInformationMiddleware,
>;

struct Budget {
    limiter: KeyedLimiter,
    limit: u32,
    /// The time one request's share takes to come back (`window_secs / requests_per_window`).
    period: Duration,
    started: Instant,
    /// When the keys whose budget is whole again were last forgotten (seconds since `started`).
    last_sweep: AtomicU64,
}

/// How often the keys whose budget is whole again are forgotten, so that the keyed state holds
/// only the callers of about the last window.
const SWEEP_EVERY_SECS: u64 = 60;

/// Whose budget a request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// The `sub` of a token that verified.
    Subject(String),
    /// The client address; an IPv6 address stands for its /64 (what one subscriber is given).
    Address(IpAddr),
}

/// The outcome of one check.
pub struct RateDecision {
    pub limit: u32,
    pub remaining: u32,
    /// Until the whole budget is back.
    pub reset: Duration,
    /// Refused: until the next request would be allowed.
    pub retry_after: Option<Duration>,
}

impl RateLimiter {
    /// From the settings; an entry of `trusted_proxies` that is not an IP or CIDR is an error.
    pub fn new(settings: &RateLimitSettings) -> anyhow::Result<Self> {
        let trusted = TrustedProxies::parse(&settings.trusted_proxies)?;
        let budget = NonZeroU32::new(settings.requests_per_window).map(|limit| {
            let window = Duration::from_secs(settings.window_secs.max(1));
            let period = (window / limit.get()).max(Duration::from_nanos(1));
            let quota = Quota::with_period(period)
                .unwrap_or_else(|| Quota::per_second(limit))
                .allow_burst(limit);
            Budget {
                limiter: governor::RateLimiter::keyed(quota)
                    .with_middleware::<StateInformationMiddleware>(),
                limit: limit.get(),
                period,
                started: Instant::now(),
                last_sweep: AtomicU64::new(0),
            }
        });
        Ok(Self { budget, trusted })
    }

    /// Whose budget `req` spends: its verified subject, else its client address.
    pub fn key(&self, req: &ServiceRequest) -> ClientKey {
        match crate::auth::verified_subject(req.request()) {
            Some(subject) => ClientKey::Subject(subject),
            None => ClientKey::Address(address_key(
                self.trusted
                    .client_address(req.peer_addr().map(|a| a.ip()), req.headers()),
            )),
        }
    }

    /// Spends one request of `key`'s budget, if there is a limit.
    pub fn check(&self, key: &ClientKey) -> Option<RateDecision> {
        let budget = self.budget.as_ref()?;
        let decision = match budget.limiter.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity().min(budget.limit);
                RateDecision {
                    limit: budget.limit,
                    remaining,
                    reset: budget.period * (budget.limit - remaining),
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(budget.limiter.clock().now());
                RateDecision {
                    limit: budget.limit,
                    remaining: 0,
                    reset: wait + budget.period * (budget.limit - 1),
                    retry_after: Some(wait),
                }
            }
        };
        budget.sweep_if_due();
        Some(decision)
    }
}

impl Budget {
    /// Forgets, at most once a minute, the keys whose budget is whole again.
    fn sweep_if_due(&self) {
        let now = self.started.elapsed().as_secs();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= SWEEP_EVERY_SECS
            && self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }
}

/// An IPv4 address as is; an IPv6 one as its /64.
fn address_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

/// The reverse proxies whose forwarding headers are believed (`rate_limit.trusted_proxies`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// An address block: an address and how many leading bits of it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IpNet {
    address: IpAddr,
    prefix: u8,
}

impl IpNet {
    fn parse(text: &str) -> anyhow::Result<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.trim().parse().map_err(|_| {
            anyhow::anyhow!("rate_limit.trusted_proxies: {text:?} is not an IP address or CIDR")
        })?;
        let address = address.to_canonical();
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "rate_limit.trusted_proxies: {text:?} has a prefix length that is not 0 to {bits}"
                    )
                })?,
        };
        Ok(Self { address, prefix })
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl TrustedProxies {
    /// IPs or CIDRs (`10.0.0.0/8`, `127.0.0.1`, `fd00::/8`); an invalid entry is an error.
    pub fn parse(entries: &[String]) -> anyhow::Result<Self> {
        entries
            .iter()
            .map(|entry| IpNet::parse(entry))
            .collect::<anyhow::Result<_>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(address))
    }

    /// The client's address: the TCP peer's, unless the peer is a trusted proxy; then the
    /// right-most address of `X-Forwarded-For` (or, without that header, of `Forwarded`'s `for=`)
    /// that is not itself a trusted proxy. An entry that is not an address stops the walk at the
    /// trusted hop that reported it; a request without a peer address counts as `0.0.0.0`.
    pub fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let mut client = peer
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
            .to_canonical();
        if !self.trusts(client) {
            return client;
        }
        for hop in forwarded_chain(headers).into_iter().rev() {
            let Some(hop) = hop else { break };
            client = hop.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// The addresses a request was forwarded for, left (the first client) to right (the last
/// proxy's client): `X-Forwarded-For` if the request has one, else `Forwarded`'s `for=`
/// parameters. `None` for an entry that is not an address (`unknown`, an obfuscated name...).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let joined = |name: HeaderName| -> Option<String> {
        let values: Vec<&str> = headers
            .get_all(name)
            .map(|value| value.to_str().unwrap_or(""))
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(list) = joined(HeaderName::from_static("x-forwarded-for")) {
        return list.split(',').map(parse_node).collect();
    }
    let Some(list) = joined(header::FORWARDED) else {
        return Vec::new();
    };
    list.split(',')
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, value)| parse_node(value))
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]:8080`, optionally quoted.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

/// Adds `X-RateLimit-Limit/Remaining/Reset` to every response and answers 429 with
/// `Retry-After` past the limit. Health probes are not counted.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let limiter = req.app_data::<actix_web::web::Data<RateLimiter>>().cloned();
    let decision = match limiter {
        Some(limiter) if limiter.budget.is_some() && !req.path().starts_with("/health/") => {
            limiter.check(&limiter.key(&req))
        }
        _ => None,
    };
    let Some(decision) = decision else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let mut response = match decision.retry_after {
        None => next.call(req).await?.map_into_left_body(),
        Some(retry_after) => {
            // Rounded up, so that a client waiting that long is let through.
            let retry_after = Duration::from_secs(whole_seconds(retry_after));
            let error = ApiError::TooManyRequests { retry_after };
            req.into_response(error.error_response())
                .map_into_right_body()
        }
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", u64::from(decision.limit)),
        ("x-ratelimit-remaining", u64::from(decision.remaining)),
        ("x-ratelimit-reset", whole_seconds(decision.reset)),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    Ok(response)
}

/// Seconds, rounded up, at least 1.
fn whole_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted(entries: &[&str]) -> TrustedProxies {
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        TrustedProxies::parse(&entries).unwrap_or_else(|e| panic!("{e}"))
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=1.2.3.4"),
        ]);
        let none = trusted(&[]);
        assert_eq!(
            none.client_address(Some(ip("192.0.2.7")), &forged),
            ip("192.0.2.7")
        );
        let other = trusted(&["10.0.0.0/8"]);
        assert_eq!(
            other.client_address(Some(ip("192.0.2.7")), &forged),
            ip("192.0.2.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let proxies = trusted(&["10.0.0.0/8", "127.0.0.1"]);
        let chain = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.9, 10.1.2.3")]);
        assert_eq!(
            proxies.client_address(Some(ip("127.0.0.1")), &chain),
            ip("203.0.113.9"),
            "the client-supplied 198.51.100.1 is not believed"
        );
        let split = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("x-forwarded-for", "203.0.113.9:4711"),
        ]);
        assert_eq!(
            proxies.client_address(Some(ip("::ffff:10.0.0.1")), &split),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client_address(Some(ip("10.0.0.1")), &headers(&[])),
            ip("10.0.0.1"),
            "no header: the proxy itself"
        );
        assert_eq!(
            proxies.client_address(
                Some(ip("10.0.0.1")),
                &headers(&[("x-forwarded-for", "203.0.113.9, garbage, 10.0.0.2")])
            ),
            ip("10.0.0.2"),
            "the walk stops at what is not an address"
        );
    }

    #[test]
    fn forwarded_is_read_without_x_forwarded_for() {
        let proxies = trusted(&["127.0.0.1"]);
        let forwarded = headers(&[(
            "forwarded",
            r#"for=198.51.100.1;proto=https, for="[2001:db8:cafe::17]:4711";by=127.0.0.1"#,
        )]);
        assert_eq!(
            proxies.client_address(Some(ip("127.0.0.1")), &forwarded),
            ip("2001:db8:cafe::17")
        );
        let both = headers(&[
            ("forwarded", "for=198.51.100.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            proxies.client_address(Some(ip("127.0.0.1")), &both),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn cidrs_are_parsed_and_matched() {
        let proxies = trusted(&["10.0.0.0/8", "fd00::/8", "192.0.2.1", "0.0.0.0/0"]);
        assert!(proxies.trusts(ip("10.255.0.1")));
        assert!(proxies.trusts(ip("fd12::1")));
        assert!(proxies.trusts(ip("8.8.8.8")), "/0 is everything IPv4");
        assert!(!proxies.trusts(ip("2001:db8::1")));
        for bad in ["10.0.0.0/33", "not-an-ip", "::1/129", "10.0.0.0/x"] {
            assert!(
                TrustedProxies::parse(&[bad.to_owned()]).is_err(),
                "{bad} is refused"
            );
        }
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            address_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(address_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn the_budget_is_per_key_and_announced() {
        let limiter = RateLimiter::new(&RateLimitSettings {
            requests_per_window: 2,
            window_secs: 3600,
            trusted_proxies: Vec::new(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let alice = ClientKey::Subject("alice".to_owned());
        let check = |key: &ClientKey| limiter.check(key).unwrap_or_else(|| panic!("no limit"));
        let first = check(&alice);
        assert_eq!(
            (first.limit, first.remaining, first.retry_after),
            (2, 1, None)
        );
        assert_eq!(first.reset, Duration::from_secs(1800));
        assert_eq!(check(&alice).remaining, 0);
        let refused = check(&alice);
        assert!(
            refused
                .retry_after
                .is_some_and(|wait| wait > Duration::from_secs(1700))
        );
        assert!(refused.reset >= refused.retry_after.unwrap_or_default());
        assert_eq!(check(&ClientKey::Address(ip("192.0.2.1"))).remaining, 1);
        let unlimited = RateLimiter::new(&RateLimitSettings {
            requests_per_window: 0,
            window_secs: 60,
            trusted_proxies: Vec::new(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(unlimited.check(&alice).is_none());
    }
}
