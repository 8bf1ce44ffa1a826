//! The database: one r2d2 pool per service, [`run_db`] to use it from async handlers, and the
//! embedded migrations, run at start under an advisory lock so replicas can start together.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use secrecy::ExposeSecret;

use crate::settings::DatabaseSettings;

/// The service's connection pool, with a fair queue in front of it.
///
/// r2d2 hands a freed connection to whichever blocked thread wakes first, so under load some
/// requests wait far longer than others, each parked on its own blocking thread. [`run_db`]
/// first takes a permit from a FIFO semaphore sized like the pool, asynchronously on the
/// worker: at most `pool_size` blocking tasks run at once, every one finds a connection free,
/// and the waiting is done in arrival order.
#[derive(Clone)]
pub struct PgPool {
    pool: Pool<ConnectionManager<PgConnection>>,
    permits: Arc<tokio::sync::Semaphore>,
    acquire_timeout: Duration,
}

impl Deref for PgPool {
    type Target = Pool<ConnectionManager<PgConnection>>;

    fn deref(&self) -> &Self::Target {
        &self.pool
    }
}
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
    let acquire_timeout = Duration::from_millis(settings.acquire_timeout_ms);
    let pool = Pool::builder()
        .max_size(settings.pool_size)
        .min_idle(Some(settings.min_idle.min(settings.pool_size)))
        .connection_timeout(acquire_timeout)
        .test_on_check_out(settings.test_on_checkout)
        .build_unchecked(manager);
    PgPool {
        pool,
        permits: Arc::new(tokio::sync::Semaphore::new(settings.pool_size as usize)),
        acquire_timeout,
    }
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
    let unavailable = || E::from(DbError::Unavailable("the pool is busy".to_owned()));
    let permit = tokio::time::timeout(pool.acquire_timeout, pool.permits.clone().acquire_owned())
        .await
        .map_err(|_| unavailable())?
        .map_err(|_| unavailable())?;
    let span = tracing::Span::current();
    let pool = pool.pool.clone();
    web::block(move || {
        let _permit = permit;
        let _entered = span.enter();
        let mut conn = pool
            .get()
            .map_err(|e| E::from(DbError::Unavailable(e.to_string())))?;
        work(&mut conn)
    })
    .await
    .map_err(|e| E::from(DbError::Blocking(e.to_string())))?
}

/// [`run_db`] with `work` in one transaction: committed when it returns `Ok`, rolled back when it
/// returns an error (a refused precondition included), so nothing is ever half-written.
pub async fn run_tx<T, E, F>(pool: &PgPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + From<diesel::result::Error> + Send + 'static,
{
    run_db(pool, move |conn| conn.transaction(work)).await
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
