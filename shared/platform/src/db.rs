//! The database: one r2d2 pool per service, [`run_db`] to use it from async handlers, and the
//! embedded migrations, run at start under an advisory lock so replicas can start together.

use std::time::Duration;

use actix_web::web;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use secrecy::ExposeSecret;

use crate::settings::DatabaseSettings;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// The advisory lock key every APQ service takes while migrating ("APQ-MIGR").
const MIGRATION_LOCK: i64 = 0x4150_512d_4d49_4752;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had in time: the pool is exhausted or the database is down.
    #[error("no database connection available: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("the blocking task failed: {0}")]
    Blocking(String),
}

/// Builds the pool without connecting: the service starts even while the database is down and
/// `/health/ready` says so until it comes back.
pub fn build_pool(settings: &DatabaseSettings) -> PgPool {
    let manager = ConnectionManager::<PgConnection>::new(settings.url.expose_secret());
    Pool::builder()
        .max_size(settings.pool_size)
        .min_idle(Some(settings.min_idle.min(settings.pool_size)))
        .connection_timeout(Duration::from_millis(settings.acquire_timeout_ms))
        .test_on_check_out(settings.test_on_checkout)
        .build_unchecked(manager)
}

/// Runs `work` with a pooled connection on the blocking thread pool, inside the caller's span.
///
/// Pool exhaustion and an unreachable database become [`DbError::Unavailable`] (a 503 problem).
pub async fn run_db<T, E, F>(pool: &PgPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let span = tracing::Span::current();
    let pool = pool.clone();
    web::block(move || {
        let _entered = span.enter();
        let mut conn = pool
            .get()
            .map_err(|e| E::from(DbError::Unavailable(e.to_string())))?;
        work(&mut conn)
    })
    .await
    .map_err(|e| E::from(DbError::Blocking(e.to_string())))?
}

/// The platform's own tables (idempotency keys, audit log), migrated before the service's.
const PLATFORM_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The platform's own migrations (run before each service's).
pub fn platform_migrations() -> EmbeddedMigrations {
    PLATFORM_MIGRATIONS
}

/// The platform's migrations folder (for the test template's fingerprint).
pub const PLATFORM_MIGRATIONS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

/// Runs the pending platform and service migrations while holding a session-level advisory lock.
pub fn migrate(conn: &mut PgConnection, migrations: EmbeddedMigrations) -> anyhow::Result<usize> {
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(conn)?;
    let platform = conn
        .run_pending_migrations(PLATFORM_MIGRATIONS)
        .map(|v| v.len());
    let applied = platform
        .and_then(|platform| Ok(platform + conn.run_pending_migrations(migrations)?.len()))
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(conn)?;
    applied
}

/// Connects once (with retries for a database that is still starting) and migrates.
pub async fn migrate_at_start(
    settings: &DatabaseSettings,
    migrations: fn() -> EmbeddedMigrations,
) -> anyhow::Result<()> {
    let url = settings.url.expose_secret().to_owned();
    let attempts = settings.startup_attempts.max(1);
    let mut last_error = None;
    for attempt in 1..=attempts {
        let url = url.clone();
        let outcome = web::block(move || -> anyhow::Result<usize> {
            let mut conn = PgConnection::establish(&url)?;
            migrate(&mut conn, migrations())
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .and_then(|r| r);
        match outcome {
            Ok(applied) => {
                tracing::info!(applied, "database migrated");
                return Ok(());
            }
            Err(error) => {
                tracing::warn!(attempt, error = %error, "database not ready for migrations");
                last_error = Some(error);
                if attempt < attempts {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }
    Err(last_error.unwrap_or_else(|| anyhow::anyhow!("no migration attempt")))
}

/// `SELECT 1` through the pool within `timeout`: the readiness check.
pub async fn ping(pool: &PgPool, timeout: Duration) -> Result<(), DbError> {
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool
            .get_timeout(timeout)
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        diesel::sql_query("SELECT 1").execute(&mut conn)?;
        Ok(())
    })
    .await
    .map_err(|e| DbError::Blocking(e.to_string()))?
}
