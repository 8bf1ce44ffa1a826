//! The catalogue service binary: `apq-catalogue [serve | load-dataset | openapi] [--config FILE]`.

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    apq_platform::server::main(&apq_catalogue::SERVICE).await
}
