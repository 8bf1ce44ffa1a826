//! Cursor pagination: collections are `{"items": [...], "limit": 25, "next_cursor": "...",
//! "_links": {"next": {"href": "..."}}}`. A cursor is an opaque, URL-safe encoding of the sort key
//! of the last item served; the next page starts after it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::problem::ApiError;

pub const DEFAULT_LIMIT: u32 = 25;
pub const MAX_LIMIT: u32 = 200;

/// The `cursor` and `limit` query parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Where to start: the `next_cursor` of the previous page.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
    /// How many items (1-200, default 25).
    #[param(minimum = 1, maximum = 200, format = Int32)]
    pub limit: Option<u32>,
}

impl PageParams {
    pub fn limit(&self) -> Result<u32, ApiError> {
        if self.cursor.as_ref().is_some_and(|c| c.len() > 512) {
            return Err(ApiError::field(
                "cursor",
                "a cursor is at most 512 characters",
            ));
        }
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::field(
                "limit",
                format!("the limit is between 1 and {MAX_LIMIT}"),
            )),
        }
    }

    /// The decoded cursor, if any.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, ApiError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::field("cursor", "the cursor is not one this API issued"))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Link {
    #[schema(format = "uri-reference", max_length = 2048)]
    pub href: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PageLinks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
}

/// A page of a collection.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Page<T> {
    #[schema(max_items = 200)]
    pub items: Vec<T>,
    #[schema(format = Int32, minimum = 1, maximum = 200)]
    pub limit: u32,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 512)]
    pub next_cursor: Option<String>,
    #[serde(rename = "_links")]
    pub links: PageLinks,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched after the cursor: the extra row, if
    /// present, proves there is a next page. `key` gives an item's sort key; `path` is the
    /// collection's path and query without `cursor`.
    pub fn from_rows<K: Serialize>(
        mut rows: Vec<T>,
        limit: u32,
        key: impl Fn(&T) -> K,
        path: &str,
    ) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|last| encode_cursor(&key(last)))
        } else {
            None
        };
        let links = PageLinks {
            next: next_cursor.as_ref().map(|cursor| {
                let separator = if path.contains('?') { '&' } else { '?' };
                Link {
                    href: format!("{path}{separator}cursor={cursor}&limit={limit}"),
                }
            }),
        };
        Self {
            items: rows,
            limit,
            next_cursor,
            links,
        }
    }
}

/// The request's path and query without `cursor` and `limit`: the base of `_links.next`.
pub fn collection_path(req: &actix_web::HttpRequest) -> String {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor=") && !p.starts_with("limit="))
        .collect();
    if kept.is_empty() {
        req.path().to_owned()
    } else {
        format!("{}?{}", req.path(), kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extra_row_makes_a_next_cursor() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| *n, "/v1/things");
        assert_eq!(page.items, vec![1, 2]);
        let cursor = page.next_cursor.clone().unwrap_or_default();
        assert_eq!(decode_cursor::<i32>(&cursor).ok(), Some(2));
        assert_eq!(
            page.links.next.map(|l| l.href),
            Some(format!("/v1/things?cursor={cursor}&limit=2"))
        );
        let last = Page::from_rows(vec![1], 2, |n| *n, "/v1/things");
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn a_forged_cursor_is_a_field_error() {
        assert!(decode_cursor::<i32>("not-a-cursor!").is_err());
        let params = PageParams {
            cursor: None,
            limit: Some(500),
        };
        assert!(params.limit().is_err());
    }
}
