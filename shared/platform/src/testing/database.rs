//! A fresh database per test: `CREATE DATABASE t TEMPLATE <migrated template> STRATEGY FILE_COPY`,
//! dropped when the guard is dropped. The template is built once per migration set (its name
//! carries a fingerprint of the migration files) under an advisory lock, so parallel test
//! processes share it safely.

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::{PgConnection, QueryableByName};
use sha2::{Digest, Sha256};

use crate::server::Service;

/// The server's maintenance database: `APQ_TEST_DATABASE_URL`, else `DATABASE_URL`, else the
/// local default.
///
/// Tests talk to a local server, so TLS is turned off unless the URL says otherwise: libpq's
/// OpenSSL teardown at process exit races with the connections other threads still hold.
pub fn admin_url() -> String {
    let url = std::env::var("APQ_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// `postgres://host/db` with the database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let server = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    format!("{server}/{database}{query}")
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn fingerprint(dirs: &[&Path]) -> anyhow::Result<String> {
    let mut files = Vec::new();
    let mut stack: Vec<_> = dirs.iter().map(|d| d.to_path_buf()).collect();
    while let Some(current) = stack.pop() {
        if !current.exists() {
            continue;
        }
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sql") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        let named: Vec<_> = file.iter().rev().take(2).collect();
        hasher.update(format!("{named:?}").as_bytes());
        hasher.update(std::fs::read(&file)?);
    }
    let digest = hasher.finalize();
    Ok(digest.iter().take(6).map(|b| format!("{b:02x}")).collect())
}

/// A database that exists for one test.
pub struct TestDb {
    pub name: String,
    pub url: String,
    admin: String,
}

impl TestDb {
    /// A fresh, migrated database for `service` on the default test server.
    pub fn create(service: &Service) -> anyhow::Result<Self> {
        Self::create_on(&admin_url(), service)
    }

    /// A fresh, migrated database for `service` on the server of `admin` (a maintenance URL).
    pub fn create_on(admin: &str, service: &Service) -> anyhow::Result<Self> {
        let template = format!(
            "apq_tpl_{}_{}",
            service.info.name,
            fingerprint(&[
                Path::new(crate::db::PLATFORM_MIGRATIONS_DIR),
                Path::new(service.migrations.dir)
            ])?
        );
        let mut conn = PgConnection::establish(admin)?;
        diesel::sql_query("SELECT pg_advisory_lock(hashtext($1)::bigint)")
            .bind::<Text, _>(&template)
            .execute(&mut conn)?;
        let prepared = Self::ensure_template(&mut conn, admin, &template, service);
        diesel::sql_query("SELECT pg_advisory_unlock(hashtext($1)::bigint)")
            .bind::<Text, _>(&template)
            .execute(&mut conn)?;
        prepared?;
        let name = format!("apq_test_{}", uuid::Uuid::new_v4().simple());
        diesel::sql_query(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY"
        ))
        .execute(&mut conn)?;
        Ok(Self {
            url: with_database(admin, &name),
            name,
            admin: admin.to_owned(),
        })
    }

    fn ensure_template(
        conn: &mut PgConnection,
        admin: &str,
        template: &str,
        service: &Service,
    ) -> anyhow::Result<()> {
        let exists = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(template)
            .get_result::<Count>(conn)?
            .n
            > 0;
        if exists {
            return Ok(());
        }
        let building = format!("{template}_building");
        diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
        ))
        .execute(conn)?;
        diesel::sql_query(format!("CREATE DATABASE \"{building}\"")).execute(conn)?;
        {
            let mut target = PgConnection::establish(&with_database(admin, &building))?;
            crate::db::migrate(&mut target, (service.migrations.embedded)())?;
        }
        diesel::sql_query(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
        ))
        .execute(conn)?;
        Ok(())
    }

    /// An empty database (no migrations) on the server of `admin`.
    pub fn create_empty_on(admin: &str) -> anyhow::Result<Self> {
        let mut conn = PgConnection::establish(admin)?;
        let name = format!("apq_test_{}", uuid::Uuid::new_v4().simple());
        diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn)?;
        Ok(Self {
            url: with_database(admin, &name),
            name,
            admin: admin.to_owned(),
        })
    }

    pub fn connect(&self) -> anyhow::Result<PgConnection> {
        Ok(PgConnection::establish(&self.url)?)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin) {
            let dropped = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
            if let Err(error) = dropped {
                tracing::warn!(database = %self.name, %error, "could not drop the test database");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
