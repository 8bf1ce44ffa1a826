//! The monitoring service binary: `apq-monitoring [serve | load-dataset | openapi] [--config FILE]`.

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    apq_platform::server::main(&apq_monitoring::SERVICE).await
}
