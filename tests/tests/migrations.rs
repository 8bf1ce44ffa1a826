//! Every service's migrations run up, all the way down (the down scripts leave nothing behind),
//! and up again: a rollback is possible and a rolled-back database can be migrated anew.

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
            "{name}: up again gives the same schema"
        );
    }
}
