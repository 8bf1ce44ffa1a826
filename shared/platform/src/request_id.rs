//! The id of the request being served: a leaf that the middleware sets and the problem bodies,
//! logs and audit entries read, so none of them depends on the others.

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The header that carries it back to the client.
pub const HEADER: &str = "x-request-id";

/// The id of the request being served, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Runs `work` as the request `id`.
pub async fn scope<F: std::future::Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}
