//! [`Service`] describes a service (its routes, migrations, dataset, spec metadata);
//! [`Service::build`] turns it and its [`Settings`] into a running [`Application`] with the same
//! middleware, errors, auth, health checks and docs as every other APQ service.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::body::BoxBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use clap::{Parser, Subcommand};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel_migrations::EmbeddedMigrations;
use secrecy::ExposeSecret;
use serde_json::Value;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::JwtVerifier;
use crate::db;
use crate::extract::{BodyLimit, actix_extractor_errors};
use crate::health;
use crate::http::{ApqRootSpan, RateLimiter, cors, rate_limit, request_context};
use crate::openapi::{ApiInfo, finalize};
use crate::problem::ApiError;
use crate::settings::{Defaults, Peer, Settings};
use apq_domain::Role;

/// Loads a service's shipped dataset; returns how many records it wrote. Must be idempotent.
pub type DatasetLoader = fn(&mut PgConnection) -> anyhow::Result<usize>;

/// A service of the suite: everything that differs between the four.
pub struct Service {
    pub info: ApiInfo,
    /// The handlers, registered under `/v1` (each a `#[utoipa::path]` + `#[get(..)]`-style handler).
    pub routes: fn(&mut ServiceConfig<'_>),
    /// Its own migrations: `apq_platform::migrations!()`.
    pub migrations: Migrations,
    pub dataset: Option<DatasetLoader>,
    /// The peer services it calls, with their default addresses (`peers.<name>.*` settings).
    pub peers: &'static [Peer],
    /// Who may read its audit trail (`GET /v1/audit`, [`crate::audit::list`]).
    pub audit_readers: &'static [Role],
    /// The application data its handlers need beyond the platform's (peer clients, ...).
    pub state: fn(&Settings) -> anyhow::Result<AppState>,
}

/// A service's migrations: embedded in the binary, and the folder they were embedded from (the
/// test template's fingerprint).
#[derive(Clone, Copy)]
pub struct Migrations {
    pub embedded: fn() -> EmbeddedMigrations,
    pub dir: &'static str,
}

/// The calling crate's `migrations/` folder (or the one named, relative to its manifest) as
/// [`Migrations`].
#[macro_export]
macro_rules! migrations {
    () => {
        $crate::migrations!("migrations")
    };
    ($dir:literal) => {
        $crate::server::Migrations {
            embedded: || {
                const EMBEDDED: ::diesel_migrations::EmbeddedMigrations =
                    ::diesel_migrations::embed_migrations!($dir);
                EMBEDDED
            },
            dir: concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir),
        }
    };
}

/// The `state` of a service whose handlers need nothing beyond the platform's data.
pub fn stateless(_settings: &Settings) -> anyhow::Result<AppState> {
    Ok(AppState::new())
}

/// Extra application data a service registers (its peer clients, ...).
#[derive(Clone, Default)]
pub struct AppState(Vec<Registration>);

type Registration = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

impl AppState {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with<T: Send + Sync + 'static>(mut self, data: web::Data<T>) -> Self {
        self.0.push(Arc::new(move |cfg: &mut web::ServiceConfig| {
            cfg.app_data(data.clone());
        }));
        self
    }

    fn register(&self, cfg: &mut web::ServiceConfig) {
        for register in &self.0 {
            register(cfg);
        }
    }
}

/// A bound, not yet awaited server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (graceful: in-flight requests finish within the shutdown timeout).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

impl Service {
    /// What the settings take from the service: name, default port, peers.
    pub fn defaults(&self) -> Defaults<'static> {
        Defaults {
            name: self.info.name,
            port: self.info.port,
            peers: self.peers,
        }
    }

    fn compose(
        &self,
    ) -> (
        App<
            impl ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<BoxBody>,
                Error = actix_web::Error,
                InitError = (),
            >,
        >,
        utoipa::openapi::OpenApi,
    ) {
        App::new()
            .into_utoipa_app()
            .service(health::status)
            .service(health::live)
            .service(health::ready)
            .service(utoipa_actix_web::scope("/v1").configure(self.routes))
            .split_for_parts()
    }

    /// The service's OpenAPI document, as served and committed.
    pub fn openapi(&self) -> Value {
        let (_, derived) = self.compose();
        finalize(&derived, &self.info)
    }

    /// Migrates the database, binds the listener and builds the server (not yet awaited).
    pub async fn build(&'static self, settings: Settings) -> anyhow::Result<Application> {
        let state = (self.state)(&settings)?;
        db::migrate_at_start(&settings.database, self.migrations.embedded).await?;
        let pool = web::Data::new(db::build_pool(&settings.database));
        let verifier = web::Data::new(JwtVerifier::from_settings(&settings)?);
        let limiter = web::Data::new(RateLimiter::new(&settings.rate_limit)?);
        let body_limit = web::Data::new(BodyLimit(settings.server.body_limit_bytes));
        let audit_readers = web::Data::new(crate::audit::Readers(self.audit_readers));
        let spec = self.openapi();
        let routes = web::Data::new(KnownRoutes::from_spec(&spec));
        let cors_settings = settings.cors.clone();
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new(move || {
            let (app, _) = self.compose();
            app.app_data(pool.clone())
                .app_data(verifier.clone())
                .app_data(limiter.clone())
                .app_data(body_limit.clone())
                .app_data(audit_readers.clone())
                .app_data(routes.clone())
                .app_data(web::JsonConfig::default().limit(body_limit.0))
                .configure(actix_extractor_errors)
                .configure(|cfg| state.register(cfg))
                .route("/docs", web::get().to(docs_redirect))
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .external_url_unchecked("/openapi.json", spec.clone()),
                )
                .default_service(web::to(not_found))
                .wrap(from_fn(rate_limit))
                .wrap(from_fn(request_context))
                .wrap(cors(&cors_settings))
                .wrap(TracingLogger::<ApqRootSpan>::new())
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        // run_db lets at most pool_size tasks onto the blocking pool at once: more threads would
        // only idle (tokio otherwise grows a pool of up to 512 per worker under churn).
        .worker_max_blocking_threads(settings.database.pool_size.max(1) as usize)
        .listen(listener)?;
        if let Some(workers) = settings.server.workers {
            server = server.workers(workers);
        }
        tracing::info!(service = self.info.name, port, "listening");
        Ok(Application {
            port,
            server: server.run(),
        })
    }

    /// Migrates and loads the shipped dataset.
    pub async fn load_dataset(&'static self, settings: &Settings) -> anyhow::Result<usize> {
        db::migrate_at_start(&settings.database, self.migrations.embedded).await?;
        let Some(loader) = self.dataset else {
            tracing::info!(service = self.info.name, "this service ships no dataset");
            return Ok(0);
        };
        let url = settings.database.url.expose_secret().to_owned();
        web::block(move || {
            let mut conn = PgConnection::establish(&url)?;
            conn.transaction(loader)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    }
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// The documented paths and their methods, to tell a 405 from a 404.
pub struct KnownRoutes(Vec<(Vec<String>, Vec<String>)>);

impl KnownRoutes {
    fn from_spec(spec: &Value) -> Self {
        let routes = spec["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(path, item)| {
                        let segments = path.split('/').map(str::to_owned).collect();
                        let methods = item
                            .as_object()
                            .map(|m| m.keys().map(|k| k.to_uppercase()).collect())
                            .unwrap_or_default();
                        (segments, methods)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self(routes)
    }

    /// The methods of the documented path `path` matches, if any.
    fn methods(&self, path: &str) -> Option<&[String]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(t, s)| {
                        t == s || (t.starts_with('{') && t.ends_with('}') && !s.is_empty())
                    })
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let known = req
        .app_data::<web::Data<KnownRoutes>>()
        .and_then(|r| r.methods(req.path()));
    match known {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => {
            Err(ApiError::MethodNotAllowed {
                method: req.method().to_string(),
                allow: methods.to_vec(),
            })
        }
        _ => Err(ApiError::NotFound(format!(
            "{} {}",
            req.method(),
            req.path()
        ))),
    }
}

#[derive(Parser)]
#[command(
    about = "An APQ service. Settings: built-in defaults, then --config, then APQ_* variables."
)]
struct Cli {
    /// A TOML settings file (also APQ_CONFIG).
    #[arg(long, env = "APQ_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate and serve (the default).
    Serve,
    /// Migrate and load the shipped dataset, then exit.
    LoadDataset,
    /// Print the OpenAPI document and exit.
    Openapi,
}

/// The whole `main` of a service binary.
pub async fn main(service: &'static Service) -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(service.defaults(), cli.config.as_deref())?;
    let _telemetry = crate::telemetry::init(service.info.name, &settings.log, &settings.tls)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = service.build(settings).await?;
            app.run_until_stopped().await?;
            tracing::info!(service = service.info.name, "stopped");
        }
        Command::LoadDataset => {
            let loaded = service.load_dataset(&settings).await?;
            tracing::info!(service = service.info.name, loaded, "dataset loaded");
        }
        Command::Openapi => {
            use std::io::Write;
            std::io::stdout()
                .write_all(crate::openapi::to_pretty(&service.openapi()).as_bytes())?;
        }
    }
    Ok(())
}
