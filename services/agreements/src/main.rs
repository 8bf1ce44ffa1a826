//! The agreements service binary: `apq-agreements [serve | load-dataset | openapi] [--config FILE]`.

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    apq_platform::server::main(&apq_agreements::SERVICE).await
}
