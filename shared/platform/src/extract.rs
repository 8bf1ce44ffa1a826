//! Extractors whose errors are problem documents naming the offending field.
//!
//! `Json<T>` checks the content type (415), the size (413) and reports a malformed body (400) or
//! each invalid field by its path (`items[0].cup`). `Query<T>` and `Path<T>` do the same for the
//! query string and the path parameters. Inputs deserialize straight into domain types
//! (`Cup`, `IstatCode`, `Euro`...), so a handler never sees an invalid value.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::problem::{ApiError, FieldError};

/// The largest JSON body accepted, registered as app data by the server.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body parsed into `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map(|l| l.0)
            .unwrap_or(1_048_576);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "the request body must be application/json".to_owned(),
                ));
            }
            if declared.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| ApiError::BadRequest {
                    detail: "the request body could not be read".to_owned(),
                    errors: Vec::new(),
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(Json)
        })
    }
}

/// The path of the first string holding a NUL character (PostgreSQL text cannot store one).
fn nul_path(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(text) if text.contains('\0') => Some(if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_path(v, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            // The path names the field without the NUL itself (a problem never echoes one).
            let key = k.replace('\0', "\\u0000");
            let here = if path.is_empty() {
                key
            } else {
                format!("{path}.{key}")
            };
            if k.contains('\0') {
                Some(here)
            } else {
                nul_path(v, &here)
            }
        }),
        _ => None,
    }
}

fn refuse_nul(text: &str, field: &str) -> Result<(), ApiError> {
    if text.contains('\0') {
        Err(ApiError::field(
            field,
            "text may not contain the NUL character (U+0000)",
        ))
    } else {
        Ok(())
    }
}

/// Parses a JSON document, reporting syntax errors as 400 and type or value errors per field.
/// Strings with a NUL character are refused, naming the field. A number with no fractional
/// part is an integer wherever one is expected (`1.0` is `1`), as JSON Schema's `integer` says.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let mut document = serde_json::Value::deserialize(&mut deserializer)
        .and_then(|document| deserializer.end().map(|()| document))
        .map_err(|error| ApiError::BadRequest {
            detail: if error.is_syntax() && error.to_string().starts_with("trailing characters") {
                "the body has trailing characters after the JSON document".to_owned()
            } else {
                format!(
                    "the body is not valid JSON (line {}, column {})",
                    error.line(),
                    error.column()
                )
            },
            errors: Vec::new(),
        })?;
    if let Some(field) = nul_path(&document, "") {
        return Err(ApiError::field(
            field,
            "text may not contain the NUL character (U+0000)",
        ));
    }
    integral_numbers(&mut document);
    serde_path_to_error::deserialize(document).map_err(|error| {
        let path = error.path().to_string();
        ApiError::validation(vec![field_error(
            &path,
            &strip_position(&error.into_inner().to_string()),
        )])
    })
}

/// Rewrites every number with no fractional part (`4.0`, `1e3`) as an integer, so that a
/// field typed as an integer accepts what JSON Schema's `integer` accepts.
fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                // Exactly representable: |float| < 2^53.
                *number = serde_json::Number::from(float as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Names the field: the path serde reached, or, for missing and unknown fields, the field itself.
fn field_error(path: &str, message: &str) -> FieldError {
    let base = if path == "." { "" } else { path };
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let field = match (named, base) {
        (Some(name), "") => name.to_owned(),
        (Some(name), base) if !base.ends_with(name) => format!("{base}.{name}"),
        (_, "") => "body".to_owned(),
        (_, base) => base.to_owned(),
    };
    FieldError::new(field, message)
}

/// Query parameters parsed into `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> Query<T> {
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            refuse_nul(&value, &name)?;
        }
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let path = error.path().to_string();
                ApiError::validation(vec![field_error(&path, &error.into_inner().to_string())])
            })
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::parse(req.query_string()))
    }
}

/// Path parameters parsed into `T` (a struct with one field per parameter, or a single value).
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T> Path<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Path<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Path<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let info = req.match_info();
        if let Some((name, _)) = info.iter().find(|(_, value)| value.contains('\0')) {
            return std::future::ready(Err(ApiError::field(
                name,
                "text may not contain the NUL character (U+0000)",
            )));
        }
        let result = serde_path_to_error::deserialize(actix_router::PathDeserializer::new(info))
            .map(Path)
            .map_err(|error| {
                let mut path = error.path().to_string();
                if path == "."
                    && let Some((name, _)) = info.iter().next()
                {
                    path = name.to_owned();
                }
                ApiError::validation(vec![field_error(&path, &error.into_inner().to_string())])
            });
        std::future::ready(result)
    }
}

/// Converts actix's own extractor errors (if a handler uses `web::Json` and friends) to problems.
pub fn actix_extractor_errors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().error_handler(|err, _| {
        let detail = strip_position(&err.to_string());
        actix_web::Error::from(ApiError::BadRequest {
            detail,
            errors: Vec::new(),
        })
    }))
    .app_data(web::QueryConfig::default().error_handler(|err, _| {
        actix_web::Error::from(ApiError::validation(vec![FieldError::new("query", err)]))
    }))
    .app_data(web::PathConfig::default().error_handler(|err, _| {
        actix_web::Error::from(ApiError::validation(vec![FieldError::new("path", err)]))
    }));
}

/// For merge-patch bodies (RFC 7396): an absent field is `None` (unchanged), `null` is
/// `Some(None)` (cleared), a value is `Some(Some(v))`. Use with
/// `#[serde(default, deserialize_with = "apq_platform::extract::patch")]`.
pub fn patch<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use apq_domain::{Cup, IstatCode};
    use serde::Deserialize;

    use super::*;

    #[test]
    fn a_number_without_fraction_is_an_integer_as_in_json_schema() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Counts {
            count: i32,
            items: Vec<u8>,
        }
        assert_eq!(
            parse_json::<Counts>(br#"{"count": 4.0, "items": [1e1, 2]}"#).ok(),
            Some(Counts {
                count: 4,
                items: vec![10, 2]
            })
        );
        for fractional in [
            &br#"{"count": 4.5, "items": []}"#[..],
            br#"{"count": 1e300, "items": []}"#,
        ] {
            let Err(ApiError::Validation { errors, .. }) = parse_json::<Counts>(fractional) else {
                panic!("{} is not an i32", String::from_utf8_lossy(fractional));
            };
            assert_eq!(errors[0].field, "count");
        }
    }

    #[test]
    fn a_nul_in_a_key_is_named_without_echoing_it() {
        let Err(ApiError::Validation { errors, .. }) =
            parse_json::<serde_json::Value>(b"{\"a\\u0000b\": 1}")
        else {
            panic!("a NUL in a key is refused");
        };
        assert_eq!(errors[0].field, "a\\u0000b");
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        cup: Cup,
        comuni: Vec<Comune>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Comune {
        istat: IstatCode,
    }

    fn first_field(error: &ApiError) -> (u16, String) {
        let problem = error.problem();
        (
            problem.status,
            problem
                .errors
                .first()
                .map(|e| e.field.clone())
                .unwrap_or_default(),
        )
    }

    #[test]
    fn names_the_bad_field() {
        let bad_cup = parse_json::<Body>(br#"{"cup": "D53", "comuni": []}"#).err();
        assert_eq!(
            bad_cup.as_ref().map(first_field),
            Some((400, "cup".to_owned()))
        );
        let bad_istat =
            parse_json::<Body>(br#"{"cup": "D53G07000070002", "comuni": [{"istat": "48A"}]}"#)
                .err();
        assert_eq!(
            bad_istat.as_ref().map(first_field),
            Some((400, "comuni[0].istat".to_owned()))
        );
        let missing = parse_json::<Body>(br#"{"comuni": []}"#).err();
        assert_eq!(
            missing.as_ref().map(first_field),
            Some((400, "cup".to_owned()))
        );
    }

    #[test]
    fn a_nul_character_is_refused_naming_the_field() {
        let err = parse_json::<serde_json::Value>(br#"{"parties": ["ok", "a\u0000b"]}"#).err();
        assert_eq!(
            err.as_ref().map(first_field),
            Some((400, "parties[1]".to_owned()))
        );
        let err = Query::<Filter>::parse("istat=048017&q=%00").err();
        assert_eq!(err.as_ref().map(first_field), Some((400, "q".to_owned())));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let problem = parse_json::<Body>(br#"{"cup": "#)
            .err()
            .map(|e| e.problem());
        assert_eq!(problem.as_ref().map(|p| p.status), Some(400));
        assert!(problem.is_some_and(|p| p.detail.unwrap_or_default().contains("not valid JSON")));
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Filter {
        istat: IstatCode,
        limit: Option<u32>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        assert!(Query::<Filter>::parse("istat=048017&limit=5").is_ok());
        let err = Query::<Filter>::parse("istat=48017").err();
        assert_eq!(
            err.as_ref().map(first_field),
            Some((400, "istat".to_owned()))
        );
        let err = Query::<Filter>::parse("istat=048017&limit=x").err();
        assert_eq!(
            err.as_ref().map(first_field),
            Some((400, "limit".to_owned()))
        );
    }
}
