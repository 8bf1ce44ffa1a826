//! Tracing: structured logs (one JSON line per event, UTC RFC 3339 timestamps, the request's
//! span fields) and OpenTelemetry spans. Spans are always created so that the W3C trace context
//! flows from an incoming `traceparent` to every outbound call; they are exported over OTLP only
//! when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, over `http` or `https` (rustls, trusting the
//! system's roots plus `tls.ca_file`).

use opentelemetry::propagation::Injector;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::settings::{LogSettings, TlsSettings};

/// Flushes the exporter when dropped (at shutdown).
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::debug!(%error, "telemetry shutdown");
        }
    }
}

fn tracer_provider(service: &str, tls: &TlsSettings) -> anyhow::Result<SdkTracerProvider> {
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(format!("apq-{service}"))
        .build();
    let builder = SdkTracerProvider::builder().with_resource(resource);
    let exporting = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT").is_ok_and(|v| !v.is_empty());
    let builder = if exporting {
        use opentelemetry_otlp::WithHttpConfig;
        // Over http or https (rustls), trusting the system's roots plus `tls.ca_file`, or the
        // standard OTEL_EXPORTER_OTLP_CERTIFICATE when that is not set.
        let mut tls = tls.clone();
        if tls.ca_file.is_none() {
            tls.ca_file = std::env::var_os("OTEL_EXPORTER_OTLP_CERTIFICATE")
                .filter(|v| !v.is_empty())
                .map(std::path::PathBuf::from);
        }
        let client = crate::tls::blocking_client(&tls, std::time::Duration::from_secs(10))?;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_http_client(client)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the OTLP exporter: {e}"))?;
        builder.with_batch_exporter(exporter)
    } else {
        builder
    };
    Ok(builder.build())
}

/// Installs the global subscriber and propagator. Call once per process; a second call (tests
/// spawning several apps) keeps the first subscriber.
pub fn init(service: &str, log: &LogSettings, tls: &TlsSettings) -> anyhow::Result<TelemetryGuard> {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let provider = tracer_provider(service, tls)?;
    let tracer = provider.tracer(format!("apq-{service}"));
    opentelemetry::global::set_tracer_provider(provider.clone());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.filter));
    let fmt = if log.format == "pretty" {
        tracing_subscriber::fmt::layer()
            .compact()
            .with_filter(filter)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_filter(filter)
            .boxed()
    };
    // Spans are traced at INFO whatever the log filter says, so the trace context always flows.
    let spans = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let installed = tracing_subscriber::registry()
        .with(fmt)
        .with(spans)
        .try_init();
    if installed.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
    Ok(TelemetryGuard { provider })
}

struct HeaderInjector<'a>(&'a mut reqwest::header::HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(key.as_bytes()),
            reqwest::header::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Writes the current span's W3C trace context (`traceparent`, `tracestate`) into `headers`.
pub fn inject_trace_context(headers: &mut reqwest::header::HeaderMap) {
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut HeaderInjector(headers));
    });
}

/// The trace id of the current span (32 hex digits), if it has one.
pub fn current_trace_id() -> Option<String> {
    use opentelemetry::trace::TraceContextExt;
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}
