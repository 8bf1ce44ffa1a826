//! Every service's migrations run up, all the way down (the down scripts leave nothing behind),
//! and up again to the same schema, compared as `pg_dump --schema-only` prints it (columns, types,
//! defaults, constraints, indexes, triggers, functions): a rollback is possible and a rolled-back
//! database migrates anew to what it was. And every foreign key leads an index, so neither a
//! join on it nor a delete of the row it references walks its whole table. And each crate's
//! `schema.rs` is what the diesel CLI prints from the migrated database (its `diesel.toml`).

use apq_e2e::SERVICES;
use apq_platform::db::{migrate, platform_migrations};
use apq_platform::testing::{TestDb, admin_url};
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn relations(conn: &mut PgConnection) -> Vec<String> {
    diesel::sql_query(
        "SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'i', 'v') AND c.relname NOT LIKE '__diesel%'
         ORDER BY 1",
    )
    .load::<Name>(conn)
    .map(|rows| rows.into_iter().map(|r| r.name).collect())
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The schema as `pg_dump` prints it, without its comments and per-run keys.
fn schema(url: &str) -> String {
    let output = std::process::Command::new("pg_dump")
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            url,
        ])
        .output()
        .unwrap_or_else(|e| panic!("pg_dump (PostgreSQL's client) is needed: {e}"));
    assert!(
        output.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| {
            !line.starts_with("--")
                && !line.starts_with("\\restrict")
                && !line.starts_with("\\unrestrict")
                && !line.trim().is_empty()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    indexed: bool,
}

/// Every foreign key, with whether some index leads with its columns.
fn foreign_keys(conn: &mut PgConnection) -> Vec<ForeignKey> {
    diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS table_name,
                (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM unnest(c.conkey) k
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k) AS columns,
                EXISTS (SELECT 1 FROM pg_index i
                         WHERE i.indrelid = c.conrelid
                           AND (SELECT array_agg(x ORDER BY x) FROM unnest(
                                  (string_to_array(i.indkey::text, ' ')::int2[])[1:array_length(c.conkey, 1)]) x)
                             = (SELECT array_agg(x ORDER BY x) FROM unnest(c.conkey) x)) AS indexed
           FROM pg_constraint c
          WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          ORDER BY 1, 2",
    )
    .load::<ForeignKey>(conn)
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_foreign_key_leads_an_index() {
    let mut keys = 0;
    for service in SERVICES {
        let name = service.info.name;
        let db = TestDb::create_empty_on(&admin_url()).unwrap_or_else(|e| panic!("{e:#}"));
        let mut conn = db.connect().unwrap_or_else(|e| panic!("{e:#}"));
        migrate(&mut conn, (service.migrations.embedded)())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let all = foreign_keys(&mut conn);
        keys += all.len();
        let unindexed: Vec<String> = all
            .iter()
            .filter(|k| !k.indexed)
            .map(|k| format!("{}({})", k.table_name, k.columns))
            .collect();
        assert!(
            unindexed.is_empty(),
            "{name}: foreign keys without an index that leads with their columns: {unindexed:?}"
        );
    }
    assert!(keys > 5, "the schemas have foreign keys to check ({keys})");
}

#[test]
fn every_migration_goes_up_down_and_up_again() {
    for service in SERVICES {
        let name = service.info.name;
        let db = TestDb::create_empty_on(&admin_url()).unwrap_or_else(|e| panic!("{e:#}"));
        let mut conn = db.connect().unwrap_or_else(|e| panic!("{e:#}"));
        migrate(&mut conn, (service.migrations.embedded)())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let up = relations(&mut conn);
        assert!(up.len() > 3, "{name}: {up:?}");
        let dumped = schema(&db.url);
        // Newest first: the service's migrations, then the platform's.
        let count = |source: diesel_migrations::EmbeddedMigrations| {
            MigrationSource::<Pg>::migrations(&source)
                .map(|m| m.len())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        for _ in 0..count((service.migrations.embedded)()) {
            conn.revert_last_migration((service.migrations.embedded)())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        for _ in 0..count(platform_migrations()) {
            conn.revert_last_migration(platform_migrations())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(
            relations(&mut conn),
            Vec::<String>::new(),
            "{name}: the down migrations leave nothing"
        );
        migrate(&mut conn, (service.migrations.embedded)())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert_eq!(
            relations(&mut conn),
            up,
            "{name}: up again gives the same relations"
        );
        let again = schema(&db.url);
        if again != dumped {
            let first = dumped
                .lines()
                .zip(again.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("first up: {a}\nup again: {b}"))
                .unwrap_or_else(|| "one dump is longer".to_owned());
            panic!("{name}: up again gives another schema; {first}");
        }
    }
}

/// What `diesel print-schema` prints for the crate in `dir` (its `diesel.toml`: the tables it
/// keeps, its patch) from the database at `url`.
fn printed_schema(dir: &std::path::Path, url: &str) -> String {
    let diesel = std::env::var("APQ_DIESEL").unwrap_or_else(|_| "diesel".to_owned());
    let output = std::process::Command::new(&diesel)
        .current_dir(dir)
        .args([
            "print-schema",
            "--database-url",
            url,
            "--config-file",
            "diesel.toml",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "the diesel CLI is needed ({diesel}; ./deploy/test installs it: cargo install \
                 diesel_cli --no-default-features --features postgres --locked): {e}"
            )
        });
    assert!(
        output.status.success(),
        "diesel print-schema in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every crate's `schema.rs` is what the diesel CLI prints from its migrated database; with
/// `APQ_UPDATE_SCHEMA=1` the files are rewritten instead.
#[test]
fn every_schema_rs_is_what_diesel_prints() {
    let update = std::env::var_os("APQ_UPDATE_SCHEMA").is_some();
    let platform = std::path::Path::new(apq_platform::db::PLATFORM_MIGRATIONS_DIR)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let mut drifted = Vec::new();
    let mut tables = 0;
    for (i, service) in SERVICES.iter().enumerate() {
        let name = service.info.name;
        let db = TestDb::create_empty_on(&admin_url()).unwrap_or_else(|e| panic!("{e:#}"));
        let mut conn = db.connect().unwrap_or_else(|e| panic!("{e:#}"));
        migrate(&mut conn, (service.migrations.embedded)())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let dir = std::path::Path::new(service.migrations.dir)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let mut crates = vec![dir];
        if i == 0 {
            crates.push(platform.clone());
        }
        for dir in crates {
            let printed = printed_schema(&dir, &db.url);
            tables += printed.matches("diesel::table!").count();
            let path = dir.join("src/schema.rs");
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if printed == committed {
                continue;
            }
            if update {
                std::fs::write(&path, &printed)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                continue;
            }
            let first = committed
                .lines()
                .zip(printed.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("committed: {a}\n  printed: {b}"))
                .unwrap_or_else(|| "one is longer".to_owned());
            drifted.push(format!("{}:\n  {first}", path.display()));
        }
    }
    assert!(tables > 20, "the schemas have tables to compare ({tables})");
    assert!(
        drifted.is_empty(),
        "schema.rs differs from the migrations (regenerate with APQ_UPDATE_SCHEMA=1 cargo nextest \
         run -p apq-e2e -E 'test(every_schema_rs_is_what_diesel_prints)'):\n{}",
        drifted.join("\n")
    );
}
