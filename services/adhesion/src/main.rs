//! The adhesion service binary: `apq-adhesion [serve | load-dataset | openapi] [--config FILE]`.

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    apq_platform::server::main(&apq_adhesion::SERVICE).await
}
